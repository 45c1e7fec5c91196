"""STOW-RS as an attacker uses it: racing for a study, reusing another study's UIDs, claiming with nothing."""

import io
import threading

import httpx
import pydicom
from pydicom.uid import generate_uid
from sqlalchemy import select

from server.tables import imaging_studies
from tests.support.dicom_series import ct_series

from .test_access import consultation
from .test_dicomweb import pacs_hub  # noqa: F401  (the hub with a real PACS, on both databases)

STOW_TYPE = 'multipart/related; type="application/dicom"; boundary=b0undary'


def body_of(*datasets) -> bytes:
    out = b""
    for ds in datasets:
        data = io.BytesIO()
        ds.save_as(data, enforce_file_format=True)
        out += b"--b0undary\r\nContent-Type: application/dicom\r\n\r\n" + data.getvalue() + b"\r\n"
    return out + b"--b0undary--\r\n"


def stow(hub, client, study, case, body) -> httpx.Response:
    return httpx.post(f"{hub.url}/dicomweb/studies/{study}", params={"request": case}, content=body, timeout=60,
                      headers={"Authorization": f"Bearer {client.token()}", "Content-Type": STOW_TYPE})


def owners(hub, study) -> set[str]:
    with hub.engine.connect() as conn:
        return {r.facility for r in conn.execute(select(imaging_studies).where(imaging_studies.c.study_uid == study))}


def test_two_facilities_racing_for_one_new_study_never_both_own_it(pacs_hub, enrolled, tmp_path):  # noqa: F811
    a, b = enrolled(pacs_hub, facility="0100A"), enrolled(pacs_hub, facility="0200B")
    a.transaction(consultation("case-a", "pat-a"))
    b.transaction(consultation("case-b", "pat-b"))
    a.token(), b.token()
    template = pydicom.dcmread(ct_series(tmp_path / "ct", slices=1)[0])
    for _ in range(12):
        study = generate_uid()
        template.StudyInstanceUID, template.SeriesInstanceUID, template.SOPInstanceUID = study, generate_uid(), generate_uid()
        body = body_of(template)
        start, answers = threading.Barrier(2), {}

        def send(name, client, case):
            start.wait()
            answers[name] = stow(pacs_hub, client, study, case, body).status_code
        threads = [threading.Thread(target=send, args=args) for args in (("a", a, "case-a"), ("b", b, "case-b"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(owners(pacs_hub, study)) == 1, answers
        assert sorted(answers.values()) == [200, 403], answers


def test_an_instance_reusing_another_studys_series_or_instance_uid_is_refused(pacs_hub, enrolled, tmp_path):  # noqa: F811
    a, b = enrolled(pacs_hub, facility="0100A"), enrolled(pacs_hub, facility="0200B")
    a.transaction(consultation("case-a", "pat-a"))
    b.transaction(consultation("case-b", "pat-b"))
    victim = pydicom.dcmread(ct_series(tmp_path / "a", slices=1)[0])
    assert stow(pacs_hub, a, victim.StudyInstanceUID, "case-a", body_of(victim)).status_code == 200
    series_path = f"/dicomweb/studies/{victim.StudyInstanceUID}/series/{victim.SeriesInstanceUID}"
    own = pydicom.dcmread(ct_series(tmp_path / "b", slices=1)[0])
    for uid_name in ("SeriesInstanceUID", "SOPInstanceUID"):
        forged = pydicom.dcmread(ct_series(tmp_path / f"b-{uid_name}", slices=1)[0])
        forged.StudyInstanceUID = own.StudyInstanceUID
        setattr(forged, uid_name, getattr(victim, uid_name))
        refused = stow(pacs_hub, b, own.StudyInstanceUID, "case-b", body_of(forged))
        assert refused.status_code == 409, (uid_name, refused.text)
        assert refused.json()["resourceType"] == "OperationOutcome" and uid_name in refused.text
    reader = {"Authorization": f"Bearer {a.token()}"}
    assert httpx.get(f"{pacs_hub.url}{series_path}/metadata", headers=reader).status_code == 200
    assert httpx.get(f"{pacs_hub.url}{series_path}/instances/{victim.SOPInstanceUID}/metadata",
                     headers=reader).status_code == 200


def test_a_stow_with_nothing_of_the_study_claims_nothing(pacs_hub, enrolled, tmp_path):  # noqa: F811
    a, b = enrolled(pacs_hub, facility="0100A"), enrolled(pacs_hub, facility="0200B")
    a.transaction(consultation("case-a", "pat-a"))
    b.transaction(consultation("case-b", "pat-b"))
    ds = pydicom.dcmread(ct_series(tmp_path / "a", slices=1)[0])
    squat = stow(pacs_hub, b, ds.StudyInstanceUID, "case-b", b"--b0undary--\r\n")
    assert squat.status_code == 400 and "no DICOM instance" in squat.text
    garbage = stow(pacs_hub, b, ds.StudyInstanceUID, "case-b",
                   b"--b0undary\r\nContent-Type: application/dicom\r\n\r\nnot dicom\r\n--b0undary--\r\n")
    assert garbage.status_code == 400
    other_study = pydicom.dcmread(ct_series(tmp_path / "b", slices=1)[0])
    elsewhere = stow(pacs_hub, b, ds.StudyInstanceUID, "case-b", body_of(other_study))
    assert elsewhere.status_code == 409
    assert owners(pacs_hub, ds.StudyInstanceUID) == set()
    assert stow(pacs_hub, a, ds.StudyInstanceUID, "case-a", body_of(ds)).status_code == 200
    assert owners(pacs_hub, ds.StudyInstanceUID) == {"0100A"}
