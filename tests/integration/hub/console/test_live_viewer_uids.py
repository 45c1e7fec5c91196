"""The synced viewer's UIDs on the hub's side (issue 15, item 5): the data channel names the case's images by their
de-identified UIDs only, so the console's page gets, with the join details, the mapping back to the originals its
viewer holds; an expert abroad gets no mapping, and neither the join details nor the page name an original UID.

The hub runs with a real Janus of its own (joining issues a ticket there); SQLite only (the mapping is plain reads
that tests/integration/hub/console/test_live_views.py runs on both databases)."""

import pydicom
import pytest

from app.imaging.deid import deidentified_uid
from app.wire.imaging import imaging_study
from tests.support.dicom_series import ct_series
from tests.support.hub import RunningHub

from .support import make_case, submit
from .test_live_views import join, started


@pytest.fixture
def hub(tmp_path):
    running = RunningHub(tmp_path / "hub", None, local_sfu=True).start()
    yield running
    running.stop()


def with_ct(station, case, folder) -> set[str]:
    """The case's ImagingStudy naming a 6-slice CT by its original UIDs, as a station sends it: every original UID."""
    datasets = [pydicom.dcmread(p, stop_before_pixels=True) for p in ct_series(folder, slices=6, size=32)]
    study = str(datasets[0].StudyInstanceUID)
    station.transaction([imaging_study(case, study, [ds.to_json_dict() for ds in datasets], f"{station.base}/dicomweb")])
    return {study, str(datasets[0].SeriesInstanceUID)} | {str(ds.SOPInstanceUID) for ds in datasets}


def test_an_expert_at_home_gets_the_mapping_from_the_channels_uids_to_the_originals(hub, station_client, browser,
                                                                                   tmp_path):
    case = submit(station_client, make_case(), "0100A")
    originals = with_ct(station_client, case, tmp_path / "ct")
    expert = browser("tim.bachmai", name="Trần Thị Lan")
    live_id = started(expert, case.id)
    details = join(expert, live_id).json()
    assert set(details["studies"]) <= originals and len(details["studies"]) == 1
    # Every study, series and slice, by the UID the station's viewer states carry for it.
    assert details["uids"] == {deidentified_uid(case.id, uid): uid for uid in originals}

    # A station gets none (it maps over its own files): the join details it is handed stay small.
    mine = station_client.join_live(live_id)
    assert mine["uids"] == {}


def test_an_expert_abroad_is_handed_no_original_uid(hub, station_client, browser, tmp_path):
    """A case for abroad whose hub copy still names the originals (its images came before it was marked for abroad,
    or from a station that sent them): the expert at home maps them, the expert abroad gets none of them."""
    case = submit(station_client, make_case(abroad=True), "0100A")
    originals = with_ct(station_client, case, tmp_path / "ct")
    at_home = browser("tim.bachmai", name="Trần Thị Lan")
    live_id = started(at_home, case.id)
    assert set(join(at_home, live_id).json()["uids"].values()) == originals

    abroad = browser("dr.roux", name="Claire Roux", foreign=True)
    page = abroad.get(f"/console/live/{live_id}")
    assert page.status_code == 200
    answer = join(abroad, live_id)
    assert answer.status_code == 200, answer.text
    details = answer.json()
    assert details["uids"] == {} and details["studies"] == []
    for text in (page.text, answer.text, abroad.get(f"/console/live/{live_id}/state").text):
        assert not [uid for uid in originals if uid in text]
