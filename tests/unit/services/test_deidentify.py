"""De-identified export: the profile's identifiers gone, UIDs consistent, the method recorded."""

from dataclasses import replace

import pydicom
from pydicom.data import get_testdata_file

from tests.support.dicom_series import ct_series, ultrasound_cine


def test_a_study_leaves_without_the_patients_identity(station, tmp_path):
    case = station.cases.create_case()
    station.cases.save_draft(replace(case, patient=replace(case.patient, full_name="Nguyễn Văn Được")))
    series = ct_series(tmp_path / "ct", slices=4)
    us = ultrasound_cine(tmp_path / "us.dcm", frames=3)
    station.imports.import_paths(case.id, series + [us, get_testdata_file("CT_small.dcm")])
    first = station.deidentification.export(case.id, tmp_path / "out1")
    assert first.files == 6 and first.failed == []
    assert len(first.burned_in) == 1  # the ultrasound: its pixels may carry the name, someone must look
    exported = [pydicom.dcmread(p) for p in sorted((tmp_path / "out1").glob("*.dcm"))]
    originals = {str(pydicom.dcmread(p).StudyInstanceUID) for p in series}
    for ds in exported:
        assert "NGUYEN" not in str(ds.PatientName) and ds.PatientID != "BN-0042"
        assert ds.PatientBirthDate != "19680312"
        assert ds.PatientIdentityRemoved == "YES"
        assert ds.DeidentificationMethod.startswith("DICOM PS3.15 E.1 Basic Profile, dicognito")
        assert ds.DeidentificationMethodCodeSequence[0].CodeValue == "113100"
        assert str(ds.StudyInstanceUID) not in originals
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert ds.pixel_array is not None
    ct = [ds for ds in exported if ds.Modality == "CT" and ds.Rows == 64]
    assert len({str(ds.StudyInstanceUID) for ds in ct}) == 1 and len({str(ds.SeriesInstanceUID) for ds in ct}) == 1
    again = station.deidentification.export(case.id, tmp_path / "out2")
    assert sorted(p.name for p in (tmp_path / "out1").glob("*.dcm")) == \
        sorted(p.name for p in (tmp_path / "out2").glob("*.dcm"))  # the same new UIDs each time
    assert again.files == 6


def ready_for_abroad(station, tmp_path, with_ultrasound: bool):
    case = station.cases.create_case()
    case = station.cases.save_draft(replace(
        case, patient=replace(case.patient, full_name="Nguyễn Văn Được", age="58", sex="male"),
        reason="U phổi", question="Xin ý kiến điều trị", specialty="oncology", hospital="k", foreign_expert=True))
    files = ct_series(tmp_path / "ct", slices=2) + ([ultrasound_cine(tmp_path / "us.dcm")] if with_ultrasound else [])
    station.imports.import_paths(case.id, files)
    station.cases.mark_ready(case.id)
    return case


def test_a_case_for_an_expert_abroad_is_deidentified_when_sent(station, tmp_path):
    case = ready_for_abroad(station, tmp_path, with_ultrasound=False)
    assert station.cases.submit(case.id).status.value == "submitted"
    outgoing = list((station.paths.outgoing / case.id / "imaging").glob("*.dcm"))
    assert len(outgoing) == 2 and all(pydicom.dcmread(p).PatientIdentityRemoved == "YES" for p in outgoing)


def test_images_that_may_show_the_name_stop_the_sending_until_checked(station, tmp_path):
    from app.services.cases import BurnedInReview

    case = ready_for_abroad(station, tmp_path, with_ultrasound=True)
    try:
        station.cases.submit(case.id)
    except BurnedInReview as review:
        assert len(review.files) == 1
    else:
        raise AssertionError("the ultrasound should have been held for review")
    assert station.cases.get_case(case.id).status.value == "ready"
    assert station.cases.submit(case.id, burned_in_checked=True).status.value == "submitted"


# The security review's finding: identity planted in private tags, file meta and free text must not leave,
# and a file that still names the patient after the profile is not written and is listed with the reason.

def patient_case(station, **patient):
    from tests.unit.imaging.planted import BIRTH_TYPED, CCCD, NAME, PHONE

    case = station.cases.create_case()
    fields = dict(full_name=NAME, birth=BIRTH_TYPED, cccd=CCCD, phone=PHONE) | patient
    return station.cases.save_draft(replace(case, patient=replace(case.patient, **fields)))


def test_identity_planted_anywhere_does_not_leave(station, tmp_path):
    from tests.unit.imaging.planted import leaks, planted_file

    case = patient_case(station)
    sources = [planted_file(tmp_path / "planted.dcm"), get_testdata_file("CT_small.dcm")]
    station.imports.import_paths(case.id, sources)
    originals = [pydicom.dcmread(p) for p in sources]
    uids = [str(ds[k].value) for ds in originals for k in
            ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID") if k in ds]
    result = station.deidentification.export(case.id, tmp_path / "out")
    assert result.failed == [] and result.files == 2
    for path in (tmp_path / "out").glob("*.dcm"):
        assert leaks(path.read_bytes(), uids) == [], path.name
        ds = pydicom.dcmread(path)
        assert not any(element.tag.is_private for element in ds.iterall())
        assert "PrivateInformation" not in ds.file_meta and "SourceApplicationEntityTitle" not in ds.file_meta
        assert ds.file_meta.ImplementationClassUID != originals[0].file_meta.ImplementationClassUID


def test_a_file_still_naming_the_patient_is_not_sent_and_the_reason_is_given(station, tmp_path):
    import json

    from app.services.deidentify import IDENTITY_LEFT
    from tests.unit.imaging.planted import CCCD, planted_dataset

    case = patient_case(station)
    named = planted_dataset()
    named.Manufacturer = "NGUYEN VAN DUOC"  # an attribute the Basic Profile keeps (as if burned into the header)
    named.save_as(tmp_path / "named.dcm", enforce_file_format=True)
    other = planted_dataset()  # the DICOM knows another name; the case record's CCCD is still found
    other.PatientName, other.OtherPatientIDs, other.OtherPatientIDsSequence = "BN^MOT", [], []
    other.ImageComments = ""
    other.DeviceSerialNumber = "x"
    other.SoftwareVersions = f"V{CCCD}"
    other.save_as(tmp_path / "cccd.dcm", enforce_file_format=True)
    station.imports.import_paths(case.id, [tmp_path / "named.dcm", tmp_path / "cccd.dcm",
                                           get_testdata_file("CT_small.dcm")])
    result = station.deidentification.export(case.id, tmp_path / "out")
    assert result.files == 1 and len(result.failed) == 2
    reasons = dict(result.failed)
    assert all(reason.startswith(IDENTITY_LEFT) for reason in reasons.values())
    assert any("Manufacturer" in r and "name" in r for r in reasons.values())
    assert any("SoftwareVersions" in r and "ID" in r for r in reasons.values())
    assert all(NAME_PART not in r for r in reasons.values() for NAME_PART in ("NGUYEN", "Nguyễn", CCCD))
    assert len(list((tmp_path / "out").glob("*.dcm"))) == 1  # nothing of the refused files stays
    assert {p.suffix for p in (tmp_path / "out").iterdir()} == {".dcm", ".json"}  # no half-written copy either
    report = json.loads((tmp_path / "out" / "deidentification.json").read_text(encoding="utf-8"))
    assert len(report["failed"]) == 2


def test_a_case_whose_images_still_name_the_patient_is_not_sent_abroad(station, tmp_path):
    from app.services.cases import ForeignExportFailed
    from app.services.deidentify import IDENTITY_LEFT
    from tests.unit.imaging.planted import planted_dataset

    case = patient_case(station, age="58", sex="male")
    case = station.cases.save_draft(replace(station.cases.get_case(case.id), reason="U phổi", question="Xin ý kiến",
                                            specialty="oncology", hospital="k", foreign_expert=True))
    named = planted_dataset()
    named.Manufacturer = "Nguyễn Văn Được"
    named.save_as(tmp_path / "named.dcm", enforce_file_format=True)
    station.imports.import_paths(case.id, [tmp_path / "named.dcm"])
    station.cases.mark_ready(case.id)
    try:
        station.cases.submit(case.id)
    except ForeignExportFailed as refused:
        assert len(refused.failed) == 1 and refused.failed[0][1].startswith(IDENTITY_LEFT)
    else:
        raise AssertionError("a file naming the patient must not go abroad")
    assert station.cases.get_case(case.id).status.value == "ready"
    assert list((station.paths.outgoing / case.id / "imaging").glob("*.dcm")) == []
