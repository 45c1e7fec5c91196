"""The DICOMweb path allow-list, tried with paths hypothesis makes up."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.dicomweb_paths import UID, check_query, parse_path
from server.outcome import FhirError

uids = st.from_regex(r"(0|[1-9][0-9]{0,5})(\.(0|[1-9][0-9]{0,5})){0,6}", fullmatch=True)
segments = st.one_of(uids, st.sampled_from(["..", ".", "", "%2e%2e", "..%2f", "series", "instances", "frames",
                                            "metadata", "rendered", "1", "1,2", "system", "tools", "%2F", "\\.."]),
                     st.text(max_size=12))


@given(st.lists(segments, min_size=1, max_size=9))
@settings(max_examples=400, deadline=None)
def test_whatever_is_accepted_is_rebuilt_exactly_and_has_nothing_but_keywords_and_uids(parts):
    raw = "/dicomweb/studies/" + "/".join(parts)
    try:
        target = parse_path(raw)
    except FhirError as error:
        assert error.status == 400
        return
    assert "/dicomweb/" + target.path == raw
    for segment in target.path.split("/"):
        assert segment in ("studies", "series", "instances", "frames", "metadata", "rendered", "bulk") \
            or UID.fullmatch(segment) or segment.replace(",", "").isdigit() or len(segment) == 8
    assert ".." not in target.path.split("/") and "%" not in target.path


@given(uids, uids, uids, st.sampled_from([None, "metadata", "rendered"]))
def test_every_shape_a_viewer_needs_is_accepted(study, series, instance, leaf):
    base = f"/dicomweb/studies/{study}/series/{series}/instances/{instance}"
    target = parse_path(base + (f"/{leaf}" if leaf else ""))
    assert (target.study, target.series, target.instance, target.leaf) == (study, series, instance, leaf)
    assert target.level == ("instance", instance)
    assert parse_path(f"/dicomweb/studies/{study}/series").query == "series"
    assert parse_path(f"/dicomweb/studies/{study}/series/{series}/instances").query == "instances"
    assert parse_path(f"{base}/frames/1,2,3").frames == "1,2,3"
    assert parse_path(f"{base}/bulk/7fe00010").bulk == "7fe00010"
    assert parse_path(f"{base}/bulk/00540016/0/00181072").path == f"{base[len('/dicomweb/'):]}/bulk/00540016/0/00181072"


@pytest.mark.parametrize("path", [
    "/dicomweb/studies/1.2/../3.4", "/dicomweb/studies/1.2/%2e%2e/3.4", "/dicomweb/studies/1.2/..%2F3.4",
    "/dicomweb/studies/1.2/instances/3.4", "/dicomweb/studies/1.2/series/3.4/metadata/x",
    "/dicomweb/studies/1.2//series", "/dicomweb/studies/01.2", "/dicomweb/instances", "/dicomweb/studies",
    "/dicomweb/studies/1.2/series/3.4/instances/5.6/frames/0", "/dicomweb/studies/1.2/series/series/3.4",
    "/dicomweb/studies/" + "1." * 40 + "1",
    "/dicomweb/studies/1.2/series/3.4/instances/5.6/bulk/../../x", "/dicomweb/studies/1.2/bulk/7fe00010",
    "/dicomweb/studies/1.2/series/3.4/instances/5.6/bulk/7fe00010/metadata",
])
def test_refused(path):
    with pytest.raises(FhirError) as error:
        parse_path(path)
    assert error.value.status == 400


def test_query_keys_are_an_allow_list():
    assert check_query([("includefield", "00080060"), ("limit", "10")])
    for bad in ([("StudyInstanceUID", "1.2")], [("0020000D", "1.2")], [("SeriesInstanceUID", "../x")],
                [("limit", "1")] * 65):
        with pytest.raises(FhirError):
            check_query(bad)
