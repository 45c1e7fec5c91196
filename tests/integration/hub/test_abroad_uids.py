"""An expert abroad never reads an original DICOM UID of a case marked for abroad (HOI-CHAN.md (e); issue 15).

The hub may hold the case's originals: images it took before the case was marked for abroad (or from a
station that sent them as they were), named by the case's ImagingStudy and quoted in its messages. The
DICOMweb rules already serve an expert abroad only the studies checked clean; these tests are the expert
abroad looking everywhere else: every FHIR answer (search, read, history, vread), every console page of the
case, the de-identified copy's DICOM headers, and the files of a hub without a PACS (DICOM as attachments).
Each answer's raw text is scanned for every original UID (study, series, instance). What they should see:
the clean copy by its own UIDs, and the original study as "not yet available abroad", by no UID.
"""

import html
import io
import re
from dataclasses import replace

import pydicom

from app.wire import mapping
from app.wire.imaging import imaging_study

from .conftest import Raw
from .console.support import attach
from .console.test_viewer import signed_in
from .test_abroad_imaging import deidentified, named, setting
from .test_consultation import reply
from .test_dicomweb import pacs_hub  # noqa: F401  (the hub with a real PACS, on both databases)
from .test_stow import body_of, stow

KINDS = ("Patient", "ServiceRequest", "Task", "Observation", "Condition", "Communication", "DocumentReference",
         "ImagingStudy")
NOT_ABROAD = {"vi": "Chưa xem được từ nước ngoài", "en": "Not yet available abroad",
              "fr": "Pas encore disponible à l'étranger"}


def uids_of(datasets) -> set[str]:
    return {u for ds in datasets for u in (str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID),
                                             str(ds.SOPInstanceUID))}


def quoted(text: str, uids: set[str]) -> list[str]:
    return sorted(u for u in uids if u in text)


def fhir_answers(raw: Raw, case) -> list[str]:
    """Every FHIR answer the client can get about the case: searches, reads, histories, versions."""
    answers = []
    for kind in KINDS:
        bundle = raw("GET", f"/{kind}", params={"_count": "100"})
        assert bundle.status_code == 200, (kind, bundle.text)
        answers.append(bundle.text)
        for entry in bundle.json().get("entry", []):
            resource_id = entry["resource"]["id"]
            for path in (f"/{kind}/{resource_id}", f"/{kind}/{resource_id}/_history",
                         f"/{kind}/{resource_id}/_history/1"):
                answer = raw("GET", path)
                assert answer.status_code == 200, (path, answer.status_code)
                answers.append(answer.text)
        if kind != "Patient":
            for params in ({"patient": case.patient.id}, {"based-on": f"ServiceRequest/{case.id}"}):
                answers.append(raw("GET", f"/{kind}", params=params).text)
    return answers


def console_answers(browser, case_id: str) -> list[str]:
    answers = []
    for path in (f"/console/cases/{case_id}", "/console/inbox", "/console/inbox/rows",
                 f"/console/cases/{case_id}/conclusion"):
        answer = browser.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        answers.append(answer.text)
    return answers


def put_study(station, case, study: str) -> dict:
    """The case's ImagingStudy as the station's sync writes it, from what the PACS confirms it holds."""
    return station.put(imaging_study(case, study, station.study_instances(study), f"{station.base}/dicomweb"))


def test_an_expert_abroad_reads_the_clean_copy_and_no_original_uid(pacs_hub, enrolled, orthanc, tmp_path):  # noqa: F811
    station, case, abroad = setting(pacs_hub, enrolled, foreign=False)
    images = named(tmp_path / "ct")
    study = str(images[0].StudyInstanceUID)
    assert stow(pacs_hub, station, study, case.id, body_of(*images)).status_code == 200  # not abroad yet: as sent
    put_study(station, case, study)
    originals = uids_of(images)
    sop = str(images[0].SOPInstanceUID)
    station.transaction(mapping.case_resources(replace(case, foreign_expert=True), "0100A"))  # marked abroad now
    copies = deidentified(images, case.id)
    copy_study = str(copies[0].StudyInstanceUID)
    assert stow(pacs_hub, station, copy_study, case.id, body_of(*copies)).status_code == 200
    put_study(station, case, copy_study)
    reply(station, case, text=f"Phim cũ: study {study}, lát urn:oid:{sop}.")  # a doctor pasting UIDs
    assert not originals & uids_of(copies)

    # The API client abroad: everything it can read of the case.
    answers = fhir_answers(abroad, case)
    studies = {s["resource"]["id"]: s["resource"] for s in abroad("GET", "/ImagingStudy").json()["entry"]}
    assert len(studies) == 2
    shown = [s for s in studies.values() if s.get("identifier")]
    withheld = [s for s in studies.values() if not s.get("identifier")]
    assert [s["identifier"][0]["value"] for s in shown] == [f"urn:oid:{copy_study}"]
    assert uids_of(copies) <= {shown[0]["series"][0]["uid"], copy_study} | {
        i["uid"] for i in shown[0]["series"][0]["instance"]}
    (kept,) = withheld  # the original: there, counted, by no UID
    assert "series" not in kept and kept["numberOfInstances"] == 2 and kept["modality"][0]["code"] == "CT"
    assert [(s["system"], s["code"]) for s in kept["meta"]["security"]] == [
        ("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "REDACTED")]
    message = next(m for m in abroad("GET", "/Communication").json()["entry"]
                   if "Phim cũ" in str(m["resource"].get("payload")))
    assert "urn:oid:[…]" in str(message["resource"]["payload"])

    # The console of an expert abroad, in each of its languages.
    for language, words in NOT_ABROAD.items():
        session = signed_in(pacs_hub, f"dr.roux.{language}", "k", specialty="oncology", foreign=True,
                            language=language)
        try:
            pages = console_answers(session, case.id)
            assert f"/console/viewer?study={copy_study}" in pages[0]
            assert words in html.unescape(pages[0]), language
            answers += pages
            # The copy's DICOM headers, as its viewer reads them.
            for path in (f"/dicomweb/studies/{copy_study}/metadata", f"/dicomweb/studies/{copy_study}/series",
                         f"/dicomweb/studies/{copy_study}/instances"):
                answer = session.get(path)
                assert answer.status_code == 200, (path, answer.status_code)
                answers.append(answer.text)
            assert session.get(f"/dicomweb/studies/{study}/metadata").status_code == 404
        finally:
            session.close()
    metadata = abroad("GET", f"/dicomweb/studies/{copy_study}/metadata")
    assert metadata.status_code == 200
    answers.append(metadata.text)
    assert abroad("GET", f"/dicomweb/studies/{study}/metadata").status_code == 404

    for answer in answers:
        assert not quoted(answer, originals), quoted(answer, originals)

    # The experts at home still read the originals, by their UIDs.
    home = Raw(pacs_hub, enrolled(pacs_hub, "expert", hospital="k", specialty="oncology"))
    assert study in home("GET", "/ImagingStudy").text and sop in home("GET", "/Communication").text
    at_home = signed_in(pacs_hub, "bs.lan", "k", specialty="oncology")
    try:
        page = at_home.get(f"/console/cases/{case.id}").text
        assert f"/console/viewer?study={study}" in page and NOT_ABROAD["vi"] not in page
    finally:
        at_home.close()


def test_a_study_that_stops_being_clean_is_withheld_again(pacs_hub, enrolled, orthanc, tmp_path):  # noqa: F811
    """Unmarked, the study takes an unchecked instance; marked again, its ImagingStudy is withheld too (the
    DICOMweb rule, test_abroad_imaging.py, stops serving it)."""
    station, case, abroad = setting(pacs_hub, enrolled)
    copies = deidentified(named(tmp_path / "ct"), case.id)
    copy_study = str(copies[0].StudyInstanceUID)
    assert stow(pacs_hub, station, copy_study, case.id, body_of(*copies)).status_code == 200
    put_study(station, case, copy_study)
    assert copy_study in abroad("GET", "/ImagingStudy").text
    station.transaction(mapping.case_resources(replace(case, foreign_expert=False), "0100A"))
    extra = deidentified(named(tmp_path / "ct2", slices=1), case.id)[0]
    extra.StudyInstanceUID, extra.PatientName = copy_study, "NGUYEN^VAN^DUOC"
    assert stow(pacs_hub, station, copy_study, case.id, body_of(extra)).status_code == 200
    put_study(station, case, copy_study)
    station.transaction(mapping.case_resources(replace(case, foreign_expert=True), "0100A"))
    for answer in fhir_answers(abroad, case):
        assert copy_study not in answer and str(extra.SOPInstanceUID) not in answer


def test_dicom_attachments_of_a_hub_without_pacs_reach_an_expert_abroad_only_de_identified(hub, enrolled, tmp_path):
    """A hub without a PACS takes DICOM files as attachments: the original sent before the case was marked for
    abroad is not handed to the expert abroad (nor named), the de-identified copy is."""
    station, case, abroad = setting(hub, enrolled, foreign=False)
    (original,) = named(tmp_path / "ct", slices=1)
    originals, sop = uids_of([original]), str(original.SOPInstanceUID)  # (de-identifying changes the dataset)
    path = tmp_path / "original.dcm"
    original.save_as(path, enforce_file_format=True)
    original_id = attach(station, case, path.read_bytes(), "application/dicom", f"{original.SOPInstanceUID}.dcm",
                         "imaging")
    station.transaction(mapping.case_resources(replace(case, foreign_expert=True), "0100A"))
    (copy,) = deidentified([original], case.id)
    copy_path = tmp_path / "copy.dcm"
    copy.save_as(copy_path, enforce_file_format=True)
    copy_id = attach(station, case, copy_path.read_bytes(), "application/dicom", "copy.dcm", "imaging")
    assert not originals & uids_of([copy])

    documents = {d["resource"]["id"]: d["resource"] for d in abroad("GET", "/DocumentReference").json()["entry"]}
    urls = {i: d["content"][0]["attachment"]["url"] for i, d in documents.items()}
    assert abroad("GET", re.sub(r"^https?://[^/]+", "", urls[copy_id])).status_code == 200
    assert abroad("GET", re.sub(r"^https?://[^/]+", "", urls[original_id])).status_code == 404
    session = signed_in(hub, "dr.roux", "k", specialty="oncology", foreign=True)
    try:
        assert session.get(f"/console/files/{copy_id}").status_code == 200
        refused = session.get(f"/console/files/{original_id}")
        assert refused.status_code == 404 and b"DICM" not in refused.content
        answers = console_answers(session, case.id) + fhir_answers(abroad, case)
    finally:
        session.close()
    for answer in answers:
        assert not quoted(answer, originals), quoted(answer, originals)
    # At home, the original as sent.
    home = Raw(hub, enrolled(hub, "expert", hospital="k", specialty="oncology"))
    got = home("GET", re.sub(r"^https?://[^/]+", "", urls[original_id]))
    assert got.status_code == 200 and str(pydicom.dcmread(io.BytesIO(got.content)).SOPInstanceUID) == sop


def test_a_copy_quoting_an_original_study_is_refused(pacs_hub, enrolled, orthanc, tmp_path):  # noqa: F811
    """A key object selection made over the originals, then 'de-identified' without its references: the hub, which
    holds the originals (taken before the case was marked abroad), refuses it like a copy naming the patient."""
    station, case, abroad = setting(pacs_hub, enrolled, foreign=False)
    images = named(tmp_path / "ct")
    study, series = str(images[0].StudyInstanceUID), str(images[0].SeriesInstanceUID)
    assert stow(pacs_hub, station, study, case.id, body_of(*images)).status_code == 200
    put_study(station, case, study)
    station.transaction(mapping.case_resources(replace(case, foreign_expert=True), "0100A"))
    copies = deidentified(images, case.id)
    for quoting in (study, series):
        evidence = pydicom.Dataset()
        evidence.StudyInstanceUID = quoting
        copies[1].CurrentRequestedProcedureEvidenceSequence = [evidence]
        refused = stow(pacs_hub, station, str(copies[0].StudyInstanceUID), case.id, body_of(*copies))
        assert refused.status_code == 422, refused.text
        assert "original UID" in refused.text and "part 2" in refused.text
        assert "CurrentRequestedProcedureEvidenceSequence" in refused.text
        assert quoting not in refused.text
    del copies[1].CurrentRequestedProcedureEvidenceSequence
    assert stow(pacs_hub, station, str(copies[0].StudyInstanceUID), case.id, body_of(*copies)).status_code == 200
    assert abroad("GET", f"/dicomweb/studies/{copies[0].StudyInstanceUID}/metadata").status_code == 200
