"""Imaging of a case marked for an expert abroad: the hub refuses what names the patient (issue 14).

The station sends such a case's images de-identified (app/imaging/deid.py); these tests are the
client that does not: a named series STOWed for the case is refused whole and nothing of it stored,
a de-identified one is taken and read by the foreign expert, and a study the hub took before the case
was marked abroad (unchecked) is never served to a foreign expert, by token or by console session.
"""

import copy
import unicodedata
from dataclasses import replace

import pydicom
import pytest
from sqlalchemy import select

from app.imaging.deid import Deidentifier
from app.sync.hub_client import DicomPart
from app.wire import mapping
from server.tables import imaging_studies
from tests.support.dicom_series import ct_series

from .conftest import Raw
from .console.test_viewer import signed_in
from .test_consultation import PATIENT, submit
from .test_dicomweb import pacs_hub  # noqa: F401  (the hub with a real PACS, on both databases)
from .test_stow import body_of, stow

NAME = "Nguyễn Văn Được"
SECRETS = (NAME, "NGUYEN VAN DUOC", "Duoc", PATIENT["cccd"], PATIENT["bhyt"], PATIENT["phone"], "14/03/1978",
           "19780314")
WADO = {"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'}


def fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def assert_quotes_nothing(text: str) -> None:
    for secret in SECRETS:
        assert fold(secret) not in fold(text), secret


@pytest.fixture
def session_abroad(pacs_hub):  # noqa: F811
    """A console session of an expert abroad of the case's routing (k, oncology), closed after the test."""
    browser = signed_in(pacs_hub, "dr.roux", "k", specialty="oncology", foreign=True)
    yield browser
    browser.close()


def setting(pacs_hub, enrolled, foreign=True):  # noqa: F811
    """A station's case (marked for abroad or not) of patient Nguyễn Văn Được, and an expert abroad of its routing."""
    station = enrolled(pacs_hub, facility="0100A")
    case = submit(station, "0100A", foreign=foreign, full_name=NAME)
    abroad = Raw(pacs_hub, enrolled(pacs_hub, "expert", hospital="k", specialty="oncology", foreign=True))
    return station, case, abroad


def named(tmp_path, slices=2) -> list[pydicom.Dataset]:
    return [pydicom.dcmread(p) for p in ct_series(tmp_path, slices=slices, patient_name="NGUYEN^VAN^DUOC")]


def deidentified(datasets, seed: str) -> list[pydicom.Dataset]:
    return [Deidentifier(seed).deidentify(ds).dataset for ds in datasets]


def sops(datasets) -> list[str]:
    return sorted(str(ds.SOPInstanceUID) for ds in datasets)


def stored_rows(running_hub, study: str) -> list:
    with running_hub.engine.connect() as conn:
        return conn.execute(select(imaging_studies).where(imaging_studies.c.study_uid == study)).all()


def test_a_named_series_for_an_abroad_case_is_refused_whole_and_nothing_is_stored(
        pacs_hub, enrolled, orthanc, tmp_path):  # noqa: F811
    station, case, abroad = setting(pacs_hub, enrolled)
    images = named(tmp_path / "ct")
    study = str(images[0].StudyInstanceUID)
    refused = stow(pacs_hub, station, study, case.id, body_of(*images))
    assert refused.status_code == 422, refused.text
    outcome = refused.json()
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["code"] == "security"
    assert "part 1" in refused.text and "PatientIdentityRemoved" in refused.text
    assert_quotes_nothing(refused.text)
    # A body of clean instances and one named: refused whole, the named one named by part and UID.
    clean = deidentified(named(tmp_path / "ct2"), case.id)
    liar = copy.deepcopy(clean[1])
    liar.SOPInstanceUID = pydicom.uid.generate_uid()
    liar.PatientName = "NGUYEN^VAN^DUOC"
    mixed = stow(pacs_hub, station, str(clean[0].StudyInstanceUID), case.id, body_of(*clean, liar))
    assert mixed.status_code == 422 and "part 3" in mixed.text and liar.SOPInstanceUID in mixed.text
    assert "PatientName" in mixed.json()["issue"][0]["expression"]
    assert_quotes_nothing(mixed.text)
    # Nothing of either reached the PACS, nor was claimed: the station's own QIDO finds nothing.
    assert orthanc.instances() == []
    for uid in (study, str(clean[0].StudyInstanceUID)):
        assert stored_rows(pacs_hub, uid) == []
        assert Raw(pacs_hub, station)("GET", f"/dicomweb/studies/{uid}/instances").status_code == 404
    # The refusals are audited as refused STOWs.
    from server import audit
    with pacs_hub.engine.connect() as conn:
        assert [e["outcome"] for e in audit.events(conn) if e["action"] == "stow"] == [422, 422]


def test_the_patient_is_found_with_and_without_accents_wherever_it_hides(pacs_hub, enrolled, orthanc, tmp_path):  # noqa: F811
    station, case, _ = setting(pacs_hub, enrolled)
    hiding = {
        "PatientName": lambda ds: (setattr(ds, "SpecificCharacterSet", "ISO_IR 192"),
                                   setattr(ds, "PatientName", "Nguyễn^Văn^Được")),
        "ImageComments": lambda ds: setattr(ds, "ImageComments", "bn nguyen van duoc, tai kham"),
        "StudyDescription": lambda ds: (setattr(ds, "SpecificCharacterSet", "ISO_IR 192"),
                                        setattr(ds, "StudyDescription", "CT ngực ĐƯỢC")),
        "InstitutionName": lambda ds: setattr(ds, "InstitutionName", "Duoc Nguyen Van"),  # given names first
        "AccessionNumber": lambda ds: setattr(ds, "AccessionNumber", PATIENT["cccd"]),
        "AdditionalPatientHistory": lambda ds: setattr(ds, "AdditionalPatientHistory", f"goi {PATIENT['phone']}"),
        "PatientComments": lambda ds: setattr(ds, "PatientComments", "sinh 14/03/1978"),
        "OtherPatientIDs": lambda ds: setattr(ds, "OtherPatientIDs", PATIENT["bhyt"]),
    }
    for number, (tag, hide) in enumerate(hiding.items()):
        ds = deidentified(named(tmp_path / f"ct{number}", slices=1), case.id)[0]
        hide(ds)
        answer = stow(pacs_hub, station, str(ds.StudyInstanceUID), case.id, body_of(ds))
        assert answer.status_code == 422, (tag, answer.text)
        assert tag in answer.text and tag in answer.json()["issue"][0]["expression"], (tag, answer.text)
        assert_quotes_nothing(answer.text)
    assert orthanc.instances() == []


def test_a_de_identified_series_is_taken_and_the_expert_abroad_reads_it(pacs_hub, enrolled, orthanc, tmp_path,  # noqa: F811
                                                                       session_abroad):
    station, case, abroad = setting(pacs_hub, enrolled)
    images = deidentified(named(tmp_path / "ct", slices=3), case.id)
    study = str(images[0].StudyInstanceUID)
    paths = []
    for number, ds in enumerate(images):
        paths.append(tmp_path / f"deid-{number}.dcm")
        ds.save_as(paths[-1], enforce_file_format=True)
    result = station.stow(study, case.id, [DicomPart(path=p) for p in paths])  # the station's own client
    assert sorted(result.stored) == sops(images) == sorted(orthanc.instances())
    assert [row.deidentified for row in stored_rows(pacs_hub, study)] == [True]
    metadata = abroad("GET", f"/dicomweb/studies/{study}/metadata")
    assert metadata.status_code == 200 and len(metadata.json()) == 3
    assert_quotes_nothing(metadata.text)
    series = str(images[0].SeriesInstanceUID)
    wado = abroad("GET", f"/dicomweb/studies/{study}/series/{series}/instances/{images[0].SOPInstanceUID}",
                  headers=WADO)
    assert wado.status_code == 200 and b"DICM" in wado.content[:1000]
    assert session_abroad.get(f"/dicomweb/studies/{study}/series").status_code == 200
    # Sent again (a station's retry): still taken, still one the expert abroad reads.
    station.stow(study, case.id, [DicomPart(path=p) for p in paths])
    assert abroad("GET", f"/dicomweb/studies/{study}/metadata").status_code == 200


def test_a_study_taken_before_the_case_was_marked_abroad_is_not_served_to_the_expert_abroad(
        pacs_hub, enrolled, orthanc, tmp_path, session_abroad):  # noqa: F811
    station, case, abroad = setting(pacs_hub, enrolled, foreign=False)
    images = named(tmp_path / "ct")
    study = str(images[0].StudyInstanceUID)
    assert stow(pacs_hub, station, study, case.id, body_of(*images)).status_code == 200  # not abroad: as sent
    home = Raw(pacs_hub, enrolled(pacs_hub, "expert", hospital="k", specialty="oncology"))
    assert home("GET", f"/dicomweb/studies/{study}/metadata").status_code == 200
    station.transaction(mapping.case_resources(replace(case, foreign_expert=True), "0100A"))  # marked abroad now
    assert abroad("GET", f"/ServiceRequest/{case.id}").status_code == 200  # the case is theirs to read now
    session = session_abroad
    for path in (f"/dicomweb/studies/{study}/metadata", f"/dicomweb/studies/{study}/series",
                 f"/dicomweb/studies/{study}/series/{images[0].SeriesInstanceUID}/instances/"
                 f"{images[0].SOPInstanceUID}"):
        assert abroad("GET", path, headers=WADO if "instances/" in path else {}).status_code == 404, path
        assert session.get(path).status_code == 404, path
    assert home("GET", f"/dicomweb/studies/{study}/metadata").status_code == 200  # the experts at home still do
    # A de-identified copy sent now is checked, and read.
    copies = deidentified(images, case.id)
    copy_study = str(copies[0].StudyInstanceUID)
    assert stow(pacs_hub, station, copy_study, case.id, body_of(*copies)).status_code == 200
    assert abroad("GET", f"/dicomweb/studies/{copy_study}/metadata").status_code == 200
    # Unmarked, the study takes an unchecked instance: marked again, the study is no longer served abroad.
    station.transaction(mapping.case_resources(case, "0100A"))
    extra = deidentified(named(tmp_path / "ct3", slices=1), case.id)[0]
    extra.StudyInstanceUID, extra.PatientName = copy_study, "NGUYEN^VAN^DUOC"
    assert stow(pacs_hub, station, copy_study, case.id, body_of(extra)).status_code == 200
    station.transaction(mapping.case_resources(replace(case, foreign_expert=True), "0100A"))
    assert abroad("GET", f"/dicomweb/studies/{copy_study}/metadata").status_code == 404
    assert session.get(f"/dicomweb/studies/{copy_study}/metadata").status_code == 404
