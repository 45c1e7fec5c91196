"""The station's Key Object Selection document: a valid KO (the modules PS3.3 A.35.4 requires, checked
by hand as dciodvfy is not at hand), naming exactly the key instances, with UIDs derived from the case
and the study; for an expert abroad built from the de-identified copies and scanned for the patient."""

from datetime import date
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import UID, CTImageStorage, UltrasoundMultiFrameImageStorage

from app.imaging.deid import Deidentifier, Needles, export_file, scan
from app.imaging.key_objects import (KEY_OBJECT_SELECTION, IdentityLeft, file_name, foreign_key_objects,
                                     key_object_uids, key_objects, referenced_sop_uids, write)
from tests.support.dicom_series import ct_series, ultrasound_cine

CASE = "3f0c2a55-1111-4a1b-8c3d-000000000001"
PATIENT = Needles.for_patient(name="Nguyễn Văn Được", ids=["001068012345", "DN4010123456789", "0912345678"],
                              birth=date(1968, 3, 12))


def header(path: Path) -> pydicom.Dataset:
    return pydicom.dcmread(path, stop_before_pixels=True)


def content_refs(ko) -> set[str]:
    return {str(item.ReferencedSOPSequence[0].ReferencedSOPInstanceUID) for item in ko.ContentSequence}


@pytest.fixture
def ct(tmp_path) -> list[Path]:
    return ct_series(tmp_path / "ct", slices=6, size=16)


def written(ko, folder: Path) -> pydicom.Dataset:
    return pydicom.dcmread(write(ko, folder))


def test_a_key_object_read_back_has_every_module_a_ko_requires(ct, tmp_path):
    (ko,) = key_objects(CASE, {ct[1]: [0], ct[4]: [0]})
    back = written(ko, tmp_path / "out")
    image = header(ct[1])
    # File meta: Part 10, the KO's class and instance
    assert back.preamble == b"\0" * 128
    assert back.file_meta.MediaStorageSOPClassUID == KEY_OBJECT_SELECTION
    assert back.file_meta.MediaStorageSOPInstanceUID == back.SOPInstanceUID
    assert back.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    # SOP Common
    assert back.SOPClassUID == KEY_OBJECT_SELECTION and UID(back.SOPClassUID).name == "Key Object Selection Document Storage"
    assert back.SOPInstanceUID != image.SOPInstanceUID
    # Patient (type 2: present) and General Study: the study's own
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID", "StudyDate",
                    "StudyTime", "StudyID"):
        assert back[keyword].value == image[keyword].value, keyword
    for keyword in ("ReferringPhysicianName", "AccessionNumber"):
        assert keyword in back
    # Key Object Document Series: a new series of modality KO
    assert back.Modality == "KO" and back.SeriesInstanceUID != image.SeriesInstanceUID
    assert isinstance(back.SeriesNumber, int) and "ReferencedPerformedProcedureStepSequence" in back
    # General Equipment
    assert "Manufacturer" in back
    # Key Object Document
    assert back.InstanceNumber == 1 and len(back.ContentDate) == 8 and back.ContentTime
    (evidence,) = back.CurrentRequestedProcedureEvidenceSequence
    assert evidence.StudyInstanceUID == image.StudyInstanceUID
    assert [s.SeriesInstanceUID for s in evidence.ReferencedSeriesSequence] == [image.SeriesInstanceUID]
    # SR Document Content: TID 2010's root
    assert back.ValueType == "CONTAINER" and back.ContinuityOfContent == "SEPARATE"
    (concept,) = back.ConceptNameCodeSequence
    assert (concept.CodeValue, concept.CodingSchemeDesignator, concept.CodeMeaning) == ("113000", "DCM", "Of Interest")
    (template,) = back.ContentTemplateSequence
    assert (template.MappingResource, template.TemplateIdentifier) == ("DCMR", "2010")
    for item in back.ContentSequence:
        assert (item.RelationshipType, item.ValueType) == ("CONTAINS", "IMAGE")
        (ref,) = item.ReferencedSOPSequence
        assert ref.ReferencedSOPClassUID == CTImageStorage
    # Every UID valid (at most 64 characters, digits and dots)
    for uid in (back.SOPInstanceUID, back.SeriesInstanceUID):
        assert UID(uid).is_valid and uid.startswith("2.25.")


def test_it_names_exactly_the_key_instances_in_the_evidence_and_the_content(ct, tmp_path):
    keys = [ct[0], ct[3], ct[5]]
    (ko,) = key_objects(CASE, {path: [0] for path in keys})
    back = written(ko, tmp_path / "out")
    wanted = {str(header(p).SOPInstanceUID) for p in keys}
    assert referenced_sop_uids(back) == wanted == content_refs(back)
    assert len(back.ContentSequence) == 3
    # In slice order, not the order they were marked in
    assert [item.ReferencedSOPSequence[0].ReferencedSOPInstanceUID for item in back.ContentSequence] == \
        [header(p).SOPInstanceUID for p in keys]


def test_its_uids_come_from_the_case_and_the_study_so_building_it_again_gives_the_same_file(ct, tmp_path):
    (one,) = key_objects(CASE, {ct[2]: [0]})
    (again,) = key_objects(CASE, {ct[2]: [0]})
    study = str(header(ct[2]).StudyInstanceUID)
    assert (one.SeriesInstanceUID, one.SOPInstanceUID) == key_object_uids(CASE, study)
    assert write(one, tmp_path / "a").read_bytes() == write(again, tmp_path / "b").read_bytes()
    (other_case,) = key_objects("another-case", {ct[2]: [0]})
    assert {other_case.SOPInstanceUID, other_case.SeriesInstanceUID}.isdisjoint({one.SOPInstanceUID,
                                                                                 one.SeriesInstanceUID})
    # A changed choice of key images is the same object, updated (the PACS keeps one KO per case and study)
    (changed,) = key_objects(CASE, {ct[1]: [0], ct[2]: [0]})
    assert changed.SOPInstanceUID == one.SOPInstanceUID and len(changed.ContentSequence) == 2
    assert file_name(one) == f"key-object-{one.SOPInstanceUID}.dcm"


def test_one_key_object_per_study_and_a_cine_frame_by_its_number(ct, tmp_path):
    cine = ultrasound_cine(tmp_path / "cine.dcm", frames=8, size=16)
    kos = key_objects(CASE, {ct[0]: [0], cine: [2, 5]})
    assert len(kos) == 2
    by_study = {str(ko.StudyInstanceUID): ko for ko in kos}
    us = by_study[str(header(cine).StudyInstanceUID)]
    (item,) = us.ContentSequence
    ref = item.ReferencedSOPSequence[0]
    assert ref.ReferencedSOPClassUID == UltrasoundMultiFrameImageStorage and list(ref.ReferencedFrameNumber) == [3, 6]
    # The evidence (Hierarchical SOP Instance Reference macro) names the instance; frames are the content's
    evidence = us.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence[0]
    assert evidence.ReferencedSOPInstanceUID == ref.ReferencedSOPInstanceUID and "ReferencedFrameNumber" not in evidence
    assert us.PatientName == header(cine).PatientName
    ct_ko = by_study[str(header(ct[0]).StudyInstanceUID)]
    assert "ReferencedFrameNumber" not in ct_ko.ContentSequence[0].ReferencedSOPSequence[0]
    assert ct_ko.SOPInstanceUID != us.SOPInstanceUID


def exported(ct: list[Path], folder: Path) -> dict[Path, Path]:
    deidentifier = Deidentifier(CASE)
    return {path: export_file(path, folder, deidentifier, PATIENT).path for path in ct}


def test_abroad_it_names_the_de_identified_copies_and_holds_nothing_of_the_patient(ct, tmp_path):
    copies = exported(ct, tmp_path / "outgoing")
    (ko,), needles = foreign_key_objects(CASE, {ct[1]: [0], ct[4]: [0]}, tmp_path / "outgoing", PATIENT)
    copy = header(copies[ct[1]])
    assert referenced_sop_uids(ko) == {str(header(copies[p]).SOPInstanceUID) for p in (ct[1], ct[4])}
    assert content_refs(ko) == referenced_sop_uids(ko)
    assert ko.StudyInstanceUID == copy.StudyInstanceUID != header(ct[1]).StudyInstanceUID
    assert ko.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0].SeriesInstanceUID == \
        copy.SeriesInstanceUID
    assert (ko.PatientName, ko.PatientID, ko.PatientBirthDate) == (copy.PatientName, copy.PatientID,
                                                                  copy.PatientBirthDate)
    assert ko.PatientIdentityRemoved == "YES"
    # The same scan as the copies: the originals' name, ids, birth date and UIDs, and the case's record
    original = Needles.from_dataset(header(ct[1])) | PATIENT
    assert set(original.uids) <= set(needles.uids) and needles.names
    back = pydicom.dcmread(write(ko, tmp_path / "outgoing", needles))
    assert scan(back, original) == [] and scan(back, needles) == []
    assert "NGUYEN" not in str(back.PatientName)
    # Not the UIDs of the station's own KO of the original study
    assert ko.SOPInstanceUID not in key_object_uids(CASE, str(header(ct[1]).StudyInstanceUID))


def test_abroad_a_key_object_that_would_identify_the_patient_is_refused(ct, tmp_path):
    copies = exported(ct, tmp_path / "outgoing")
    leaky = pydicom.dcmread(copies[ct[2]])
    leaky.PatientName = "NGUYEN^VAN^DUOC"  # as if the copy had kept the name
    leaky.save_as(copies[ct[2]], enforce_file_format=True)
    with pytest.raises(IdentityLeft) as refused:
        foreign_key_objects(CASE, {ct[2]: [0]}, tmp_path / "outgoing", PATIENT)
    assert "patient's name" in str(refused.value) and "NGUYEN" not in str(refused.value)
    # And the file as written is scanned too
    (ko,) = key_objects(CASE, {ct[2]: [0]})
    with pytest.raises(IdentityLeft):
        write(ko, tmp_path / "nowhere", Needles.from_dataset(header(ct[2])))
    assert not list((tmp_path / "nowhere").iterdir())


def test_abroad_a_key_image_without_a_copy_is_left_out(ct, tmp_path):
    copies = exported(ct[:2], tmp_path / "outgoing")
    (ko,), _ = foreign_key_objects(CASE, {ct[0]: [0], ct[5]: [0]}, tmp_path / "outgoing", PATIENT)
    assert referenced_sop_uids(ko) == {str(header(copies[ct[0]]).SOPInstanceUID)}
