"""DICOMweb through the hub to a real Orthanc: who may store and read which study."""

import io

import pydicom
import pytest

from app.sync.hub_client import DicomPart
from tests.support.dicom_series import ct_series
from tests.support.hub import RunningHub

from .conftest import Raw
from .test_access import consultation


@pytest.fixture(params=["sqlite", "postgresql"])
def pacs_hub(request, tmp_path, orthanc):
    url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else None
    running = RunningHub(tmp_path / "hub", url, pacs_url=orthanc.dicomweb_url).start()
    yield running
    running.stop()


@pytest.fixture
def series(tmp_path):
    paths = ct_series(tmp_path / "ct", slices=3)
    return paths, str(pydicom.dcmread(paths[0]).StudyInstanceUID)


def test_a_station_stores_a_study_for_its_consultation_and_reads_it_back(pacs_hub, enrolled, series, orthanc):
    paths, study = series
    station = enrolled(pacs_hub, facility="0100A")
    station.transaction(consultation("case-a", "pat-a"))
    assert station.has_pacs()
    result = station.stow(study, "case-a", [DicomPart(path=p) for p in paths])
    assert len(result.stored) == 3 and not result.failed
    found = station.study_instances(study)
    assert sorted(i["00080018"]["Value"][0] for i in found) == sorted(orthanc.instances())
    # The PACS's own address never leaks: links point at the hub.
    assert all(i["00081190"]["Value"][0].startswith(f"{pacs_hub.url}/dicomweb/studies/{study}") for i in found)
    sop = str(pydicom.dcmread(paths[0]).SOPInstanceUID)
    series_uid = str(pydicom.dcmread(paths[0]).SeriesInstanceUID)
    wado = Raw(pacs_hub, station)("GET", f"/dicomweb/studies/{study}/series/{series_uid}/instances/{sop}",
                                  headers={"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'})
    assert wado.status_code == 200 and b"DICM" in wado.content[:1000]
    # Stored again: nothing doubles.
    station.stow(study, "case-a", [DicomPart(path=p) for p in paths])
    assert len(orthanc.instances()) == 3


def test_other_facilities_and_unrouted_experts_cannot_touch_a_study(pacs_hub, enrolled, series):
    paths, study = series
    a, b = enrolled(pacs_hub, facility="0100A"), enrolled(pacs_hub, facility="0200B")
    a.transaction(consultation("case-a", "pat-a"))
    b.transaction(consultation("case-b", "pat-b"))
    a.stow(study, "case-a", [DicomPart(path=paths[0])])
    raw_b = Raw(pacs_hub, b)
    assert raw_b("GET", f"/dicomweb/studies/{study}/instances").status_code == 404
    assert raw_b("GET", f"/dicomweb/studies/{study}/metadata").status_code == 404
    body, boundary = multipart(paths[1])
    headers = {"Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}'}
    taken = raw_b("POST", f"/dicomweb/studies/{study}", params={"request": "case-b"}, content=body, headers=headers)
    assert taken.status_code == 403 and "another facility" in taken.json()["issue"][0]["diagnostics"]
    # Nor may B file a study under A's consultation.
    other = raw_b("POST", "/dicomweb/studies/1.2.3.4", params={"request": "case-a"}, content=body, headers=headers)
    assert other.status_code == 404
    cardiologist = Raw(pacs_hub, enrolled(pacs_hub, "expert", hospital="bachmai", specialty="cardiology"))
    neurologist = Raw(pacs_hub, enrolled(pacs_hub, "expert", hospital="bachmai", specialty="neurology"))
    assert cardiologist("GET", f"/dicomweb/studies/{study}/instances").status_code == 200
    assert neurologist("GET", f"/dicomweb/studies/{study}/instances").status_code == 404
    stow_by_expert = cardiologist("POST", f"/dicomweb/studies/{study}", params={"request": "case-a"},
                                  content=body, headers=headers)
    assert stow_by_expert.status_code == 403
    assert Raw(pacs_hub)("GET", f"/dicomweb/studies/{study}/instances").status_code == 401


def test_bad_stow_requests_get_clear_answers(pacs_hub, enrolled, series):
    paths, study = series
    station = enrolled(pacs_hub, facility="0100A")
    station.transaction(consultation("case-a", "pat-a"))
    raw = Raw(pacs_hub, station)
    body, boundary = multipart(paths[0])
    headers = {"Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}'}
    bad_uid = raw("POST", "/dicomweb/studies/1.2.abc", params={"request": "case-a"}, content=body, headers=headers)
    assert bad_uid.status_code == 400 and "not a DICOM UID" in bad_uid.json()["issue"][0]["diagnostics"]
    no_case = raw("POST", f"/dicomweb/studies/{study}", content=body, headers=headers)
    assert no_case.status_code == 400 and "?request=" in no_case.json()["issue"][0]["diagnostics"]
    wrong_type = raw("POST", f"/dicomweb/studies/{study}", params={"request": "case-a"}, content=b"x",
                     headers={"Content-Type": "application/json"})
    assert wrong_type.status_code == 415
    # An instance of another study, posted under this one: the PACS refuses it, the hub says so.
    elsewhere = raw("POST", "/dicomweb/studies/1.2.826.0.1.3680043.8.498.1", params={"request": "case-a"},
                    content=body, headers=headers)
    assert elsewhere.status_code == 409 and "00081198" in elsewhere.json()


def test_a_hub_without_a_pacs_says_so(sqlite_hub, enrolled):
    station = enrolled(sqlite_hub, facility="0100A")
    assert not station.has_pacs()
    answer = Raw(sqlite_hub, station)("GET", "/dicomweb/studies/1.2.3/instances")
    assert answer.status_code == 404 and "no PACS" in answer.json()["issue"][0]["diagnostics"]


def multipart(path) -> tuple[bytes, str]:
    data = io.BytesIO()
    pydicom.dcmread(path).save_as(data, enforce_file_format=True)
    boundary = "b0undary"
    return (b"--b0undary\r\nContent-Type: application/dicom\r\n\r\n" + data.getvalue() + b"\r\n--b0undary--\r\n",
            boundary)
