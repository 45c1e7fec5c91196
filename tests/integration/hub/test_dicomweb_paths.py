"""DICOMweb paths as an attacker writes them: dot segments, encoded slashes, another study's UIDs.

Each request is sent byte for byte (http.client: no client-side clean-up of the path), by a
station of facility B that owns a study of its own, against a real Orthanc that also holds
facility A's study. Nothing of A's, and nothing of the PACS's own API, may come back.
"""

import http.client
import json
from urllib.parse import urlsplit

import pydicom
import pytest

from app.sync.hub_client import DicomPart
from server import audit
from tests.support.dicom_series import ct_series

from .test_access import consultation
from .test_dicomweb import pacs_hub  # noqa: F401  (the hub with a real PACS, on both databases)


def raw_get(hub, path: str, token: str | None, accept: str = "application/dicom+json") -> tuple[int, bytes]:
    where = urlsplit(hub.url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    headers = {"Accept": accept}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request("GET", path, headers=headers)
    reply = conn.getresponse()
    body = reply.read()
    conn.close()
    return reply.status, body


@pytest.fixture
def two_facilities(pacs_hub, enrolled, tmp_path):  # noqa: F811
    a, b = enrolled(pacs_hub, facility="0100A"), enrolled(pacs_hub, facility="0200B")
    a.transaction(consultation("case-a", "pat-a"))
    b.transaction(consultation("case-b", "pat-b", specialty="neurology"))
    studies = {}
    for name, client, case in (("a", a, "case-a"), ("b", b, "case-b")):
        paths = ct_series(tmp_path / name, slices=2, patient_name=f"PATIENT^{name.upper()}")
        first = pydicom.dcmread(paths[0])
        studies[name] = {"study": str(first.StudyInstanceUID), "series": str(first.SeriesInstanceUID),
                         "sop": str(first.SOPInstanceUID)}
        assert len(client.stow(studies[name]["study"], case, [DicomPart(path=p) for p in paths]).stored) == 2
    return a, b, studies


def leaks(body: bytes, a: dict) -> bool:
    """A's data in an answer. A refusal may quote the UIDs the caller sent itself, nothing more."""
    if b"PATIENT^A" in body or b'"vr"' in body or b"DICM" in body:
        return True
    try:
        return json.loads(body)["resourceType"] != "OperationOutcome"
    except ValueError:
        return any(uid.encode() in body for uid in a.values())


def attacks(a: dict, b: dict) -> list[str]:
    own = f"/dicomweb/studies/{b['study']}"
    return [
        f"{own}/../{a['study']}/instances",
        f"{own}/../{a['study']}",
        f"{own}/%2e%2e/{a['study']}/metadata",
        f"{own}/%2E%2E/{a['study']}/metadata",
        f"{own}/..%2F{a['study']}/metadata",
        f"{own}/..%2f..%2finstances",
        f"{own}/series/../../{a['study']}/series/{a['series']}/instances/{a['sop']}",
        f"{own}/series/{b['series']}/../../../{a['study']}/metadata",
        f"{own}/../../instances",
        f"{own}/../../system",
        f"{own}/../../patients",
        f"{own}/../../tools/find",
        f"{own}/../../instances/x/file",
        f"{own}/..\\..\\system",
        f"{own}/.%2e/.%2e/system",
        f"{own}/%252e%252e/%252e%252e/system",
        f"{own}/./../{a['study']}/instances",
        f"{own}//../{a['study']}/instances",
        f"{own}/series/{a['series']}",
        f"{own}/series/{a['series']}/metadata",
        f"{own}/series/{a['series']}/instances",
        f"{own}/series/{b['series']}/instances/{a['sop']}",
        f"{own}/series/{a['series']}/instances/{a['sop']}/frames/1",
        f"{own}/instances?StudyInstanceUID={a['study']}",
        f"{own}/instances?0020000D={a['study']}",
        f"{own}/series?SeriesInstanceUID={a['series']}",
        f"{own}/instances?SOPInstanceUID={a['sop']}",
        f"{own}/instances?00080018={a['sop']}",
        f"{own}/series?SeriesInstanceUID={a['series']}&StudyInstanceUID={a['study']}",
        f"{own}/instances?includefield=all&0020000D={a['study']}",
        f"/dicomweb/studies?StudyInstanceUID={a['study']}",
        "/dicomweb/studies",
        "/dicomweb/instances",
        "/dicomweb/series",
        "/dicomweb/../system",
        "/dicomweb/%2e%2e/system",
        f"/dicomweb/studies/{a['study']}/instances",
    ]


def test_no_path_reaches_another_facilitys_study_or_the_pacs_api(pacs_hub, two_facilities):  # noqa: F811
    _, b, studies = two_facilities
    token = b.token()
    for path in attacks(studies["a"], studies["b"]):
        status, body = raw_get(pacs_hub, path, token)
        if status == 200:  # a search below one's own study that matches nothing
            assert body.strip() == b"[]", (path, body[:300])
            continue
        assert status in (400, 404), (path, status, body[:300])
        assert not leaks(body, studies["a"]), (path, body[:300])
        assert b"Orthanc" not in body and b"DicomAet" not in body, path
        assert json.loads(body)["resourceType"] == "OperationOutcome", path
    # Whole instances too (WADO-RS), not only JSON.
    for path in attacks(studies["a"], studies["b"])[:8]:
        status, body = raw_get(pacs_hub, path, token, 'multipart/related; type="application/dicom"')
        assert status in (400, 404) and not leaks(body, studies["a"]), path


def test_the_shapes_a_viewer_needs_still_work_on_ones_own_study(pacs_hub, two_facilities):  # noqa: F811
    _, b, studies = two_facilities
    own, token = studies["b"], b.token()
    base = f"/dicomweb/studies/{own['study']}"
    instance = f"{base}/series/{own['series']}/instances/{own['sop']}"
    for path in (f"{base}/instances", f"{base}/series", f"{base}/metadata", f"{base}/series/{own['series']}/instances",
                 f"{base}/series/{own['series']}/metadata", f"{instance}/metadata",
                 f"{base}/instances?limit=1&offset=0&includefield=00080060",
                 f"{base}/series/{own['series']}/instances?SOPInstanceUID={own['sop']}"):
        status, body = raw_get(pacs_hub, path, token)
        assert status == 200 and own["study"].encode() in body, (path, status, body[:300])
    status, body = raw_get(pacs_hub, instance, token, 'multipart/related; type="application/dicom"; transfer-syntax=*')
    assert status == 200 and b"DICM" in body[:2000]
    status, body = raw_get(pacs_hub, f"{instance}/metadata", token)
    bulk = [v["BulkDataURI"] for v in json.loads(body)[0].values() if isinstance(v, dict) and "BulkDataURI" in v]
    assert bulk and all(uri.startswith(pacs_hub.url + "/dicomweb/") for uri in bulk)  # the hub's own address
    status, body = raw_get(pacs_hub, bulk[0][len(pacs_hub.url):], token, "multipart/related; type=\"application/octet-stream\"")
    assert status == 200 and len(body) > 64 * 64
    status, body = raw_get(pacs_hub, f"{instance}/frames/1", token,
                           'multipart/related; type="application/octet-stream"; transfer-syntax=*')
    assert status == 200 and len(body) > 64 * 64


def test_the_audit_records_what_was_fetched(pacs_hub, two_facilities):  # noqa: F811
    _, b, studies = two_facilities
    own, token = studies["b"], b.token()
    instance = f"/dicomweb/studies/{own['study']}/series/{own['series']}/instances/{own['sop']}/metadata"
    assert raw_get(pacs_hub, instance, token)[0] == 200
    assert raw_get(pacs_hub, f"/dicomweb/studies/{own['study']}/../{studies['a']['study']}/metadata", token)[0] \
        in (400, 404)
    with pacs_hub.engine.connect() as conn:
        events = audit.events(conn, b.credential.client_id)
    reads = [e for e in events if e["action"] == "dicomweb-read"]
    fetched = [e for e in reads if e["outcome"] == 200]
    assert fetched and fetched[0]["detail"] == (f"studies/{own['study']}/series/{own['series']}/instances/"
                                                f"{own['sop']}/metadata")
    refused = [e for e in reads if e["outcome"] != 200]
    assert refused and ".." in refused[0]["detail"]  # the path as asked, for the investigator
