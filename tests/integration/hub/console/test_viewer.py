"""The viewer's page and a console session reading DICOMweb (HTTP level; the browser test is tests/e2e/test_viewer.py).

A session reads exactly as an expert client of the same hospital and specialty: the same study
answers 200 or 404 for both, the audit names the person, a cookie never stores, and bearer tokens
work as before.
"""

import pydicom
import pytest

from app.sync.hub_client import DicomPart
from server import audit
from tests.support.dicom_series import ct_series
from tests.support.hub import RunningHub

from ..conftest import Raw
from ..test_dicomweb import multipart
from .support import Browser, make_case, submit


@pytest.fixture(params=["sqlite", "postgresql"])
def pacs_hub(request, tmp_path, orthanc):
    url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else None
    running = RunningHub(tmp_path / "hub", url, pacs_url=orthanc.dicomweb_url).start()
    yield running
    running.stop()


@pytest.fixture
def study(pacs_hub, enrolled, tmp_path):
    station = enrolled(pacs_hub, "station", facility="0100A")
    case = submit(station, make_case(hospital="bachmai", specialty="cardiology"), "0100A")
    paths = ct_series(tmp_path / "ct", slices=2, size=32)
    uid = str(pydicom.dcmread(paths[0]).StudyInstanceUID)
    assert len(station.stow(uid, case.id, [DicomPart(path=p) for p in paths]).stored) == 2
    return uid, paths


def signed_in(hub, login, hospital, specialty="cardiology", role="expert", language="vi", foreign=False):
    from server.console import accounts

    from .support import PASSWORD
    accounts.ensure_person(hub.engine, login, password=PASSWORD, name=f"Bác sĩ {login}", role=role,
                           hospital=hospital, specialty=specialty, language=language, foreign=foreign)
    return Browser(hub).login(login)


def test_a_session_reads_dicomweb_as_an_expert_client_of_the_same_routing_would(pacs_hub, study, enrolled):
    uid, paths = study
    routed, elsewhere = signed_in(pacs_hub, "bs.lan", "bachmai"), signed_in(pacs_hub, "bs.hung", "choray")
    neurologist = signed_in(pacs_hub, "bs.minh", "bachmai", specialty="neurology")
    # An expert abroad of the same routing: this case was not marked for abroad (the station sends
    # those de-identified), so not a byte of it.
    abroad = signed_in(pacs_hub, "dr.roux", "bachmai", foreign=True)
    expert_client = Raw(pacs_hub, enrolled(pacs_hub, "expert", hospital="bachmai", specialty="cardiology"))
    try:
        for path in (f"/dicomweb/studies/{uid}/series", f"/dicomweb/studies/{uid}/metadata"):
            assert routed.get(path).status_code == expert_client("GET", path).status_code == 200
            assert elsewhere.get(path).status_code == 404
            assert neurologist.get(path).status_code == 404
            assert abroad.get(path).status_code == 404
        series = str(pydicom.dcmread(paths[0]).SeriesInstanceUID)
        pixels = routed.get(f"/dicomweb/studies/{uid}/series/{series}",
                            headers={"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'})
        assert pixels.status_code == 200 and pixels.content.count(b"DICM") == 2
        refused = elsewhere.get(f"/dicomweb/studies/{uid}/series")
        assert "NGUYEN" not in refused.text and "Phoi" not in refused.text

        # The audit names the person, for what was read and for what was refused.
        with pacs_hub.engine.begin() as conn:
            lan = [e for e in audit.events(conn) if e["action"] == "dicomweb-read" and e["client_id"].startswith(
                "person:") and e["outcome"] == 200]
            refusals = [e for e in audit.events(conn) if e["outcome"] == 404 and e["client_id"].startswith("person:")]
        assert lan and refusals
        assert {e["client_id"] for e in lan}.isdisjoint({e["client_id"] for e in refusals})

        # A cookie never stores a study (STOW stays a station's, by its bearer token), with or without CSRF.
        body, boundary = multipart(paths[0])
        stow = routed.http.post(f"/dicomweb/studies/{uid}", params={"request": "x"}, content=body,
                                headers={"Content-Type": f'multipart/related; type="application/dicom"; '
                                                        f'boundary={boundary}', "X-CSRF-Token": routed.csrf})
        assert stow.status_code == 401
    finally:
        for b in (routed, elsewhere, neurologist, abroad):
            b.close()


def test_without_a_live_session_dicomweb_answers_401_and_tokens_work_unchanged(pacs_hub, study, enrolled):
    uid, _ = study
    anonymous = Raw(pacs_hub)
    assert anonymous("GET", f"/dicomweb/studies/{uid}/series").status_code == 401
    forged = anonymous("GET", f"/dicomweb/studies/{uid}/series", cookies={"diemcau_session": "not-a-session"})
    assert forged.status_code == 401
    # A bearer token decides even next to a session cookie: the station reads its own study.
    station = Raw(pacs_hub, enrolled(pacs_hub, "station", facility="0100A"))
    other_station = Raw(pacs_hub, enrolled(pacs_hub, "station", facility="0200B"))
    assert station("GET", f"/dicomweb/studies/{uid}/series").status_code == 200
    assert other_station("GET", f"/dicomweb/studies/{uid}/series").status_code == 404


def test_the_viewer_page_needs_a_session_and_names_no_patient(pacs_hub, study):
    uid, _ = study
    anonymous = Browser(pacs_hub)
    try:
        answer = anonymous.get(f"/console/viewer?study={uid}")
        assert answer.status_code in (302, 303) and "/console/login" in answer.headers["location"]
    finally:
        anonymous.close()
    expert = signed_in(pacs_hub, "bs.lan", "bachmai")
    try:
        page = expert.get(f"/console/viewer?study={uid}")
        assert page.status_code == 200 and "Xem ảnh DICOM" in page.text and "Phổi" in page.text
        assert "NGUYEN" not in page.text and "default-src 'none'" in page.headers["content-security-policy"]
        assert expert.get("/console/viewer?study=1.2.x").status_code == 400
        library = expert.get("/console/viewer/lib/dwv/dwv.min.js", headers={"Accept-Encoding": "gzip"})
        assert library.status_code == 200 and library.headers["content-encoding"] == "gzip"
        # Only the allow-listed files of node_modules: no walking out of them.
        for path in ("/console/viewer/lib/dwv/dwv.min.js.map", "/console/viewer/lib/jszip/dist/jszip.js",
                     "/console/viewer/lib/../../package.json", "/console/viewer/static/..%2Fviewer.py"):
            assert expert.get(path).status_code == 404, path
    finally:
        expert.close()
    french = signed_in(pacs_hub, "dr.blanc", "bachmai", language="fr")
    try:
        page = french.get(f"/console/viewer?study={uid}")
        assert '<html lang="fr">' in page.text and "Visionneuse DICOM" in page.text and '"bone": "Os"' in page.text
    finally:
        french.close()
