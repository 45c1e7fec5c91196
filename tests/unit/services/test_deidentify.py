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
