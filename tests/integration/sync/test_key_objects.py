"""The doctor's key images reach the PACS as a Key Object Selection document made by the station: after
the images it names, once, listed by QIDO through the hub in the study; for an expert abroad, naming the
de-identified copies and holding nothing of the patient."""

import io
from datetime import date

import httpx
import pydicom
import pytest
from sqlalchemy import select, update

from app.domain.attachment import AttachmentKind
from app.imaging.deid import Needles, scan
from app.imaging.key_objects import KEY_OBJECT_SELECTION, referenced_sop_uids
from app.storage.models import OutboxRow
from tests.integration.sync.test_pacs import only_study, study_versions
from tests.support.cases import submitted_case
from tests.support.hub import RunningHub


@pytest.fixture
def hub(tmp_path, orthanc):
    running = RunningHub(tmp_path / "pacs-hub", pacs_url=orthanc.dicomweb_url).start()
    yield running
    running.stop()


def images(station, case_id: str) -> list:
    return sorted((a for a in station.attachments.list(case_id) if a.kind == AttachmentKind.IMAGING),
                  key=lambda a: a.original_name)


def sop_of(station, attachment) -> str:
    return str(pydicom.dcmread(station.attachments.path(attachment), stop_before_pixels=True).SOPInstanceUID)


def study_uid_of(study: dict) -> str:
    return study["identifier"][0]["value"].removeprefix("urn:oid:")


def value(item: dict, tag: str):
    return ((item.get(tag) or {}).get("Value") or [None])[0]


def fetch(reader, study: str, series: str, sop: str) -> pydicom.Dataset:
    """WADO-RS through the hub, as the experts' viewer reads it."""
    answer = httpx.get(f"{reader.base}/dicomweb/studies/{study}/series/{series}/instances/{sop}",
                       headers={"Authorization": f"Bearer {reader.token()}",
                                "Accept": 'multipart/related; type="application/dicom"'}, timeout=30)
    answer.raise_for_status()
    boundary = answer.headers["content-type"].split("boundary=")[1].split(";")[0].strip('"').encode()
    part = answer.content.split(b"--" + boundary)[1]
    body = part.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n", 1)[0]
    return pydicom.dcmread(io.BytesIO(body))


def key_objects_listed(reader, study_uid: str) -> list[dict]:
    """QIDO-RS through the hub: the study's instances of the KO series."""
    return [i for i in reader.study_instances(study_uid) if value(i, "00080060") == "KO"]


def test_a_study_with_key_images_gets_a_ko_after_them_listed_by_qido_through_the_hub(
        station_via_proxy, direct_reader, orthanc, hub, tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=8, key_images=2)
    assert station.sync.run_once().synced_cases == [case.id]
    keys = {sop_of(station, a) for a in images(station, case.id)[:2]}
    every = {sop_of(station, a) for a in images(station, case.id)}

    study = only_study(direct_reader, case.id)
    study_uid = study_uid_of(study)
    (listed,) = key_objects_listed(direct_reader, study_uid)
    assert value(listed, "00080016") == KEY_OBJECT_SELECTION
    stored = set(orthanc.instances())
    assert stored == every | {value(listed, "00080018")}  # the images and one KO, nothing twice
    ko = fetch(direct_reader, study_uid, value(listed, "0020000E"), value(listed, "00080018"))
    assert ko.Modality == "KO" and ko.StudyInstanceUID == study_uid
    assert referenced_sop_uids(ko) == keys
    assert str(ko.PatientName) == "NGUYEN^VAN^DUOC"  # the study's own patient module (not abroad)
    # The ImagingStudy names it, in a KO series; it went with the key images, before the rest of the CT.
    ko_series = [s for s in study["series"] if s["modality"]["code"] == "KO"]
    assert [i["uid"] for s in ko_series for i in s["instance"]] == [ko.SOPInstanceUID]
    versions = study_versions(direct_reader, study["id"])
    first = versions[-1]
    assert first["numberOfInstances"] == 3 and study["numberOfInstances"] == 9
    assert "KO" in {s["modality"]["code"] for s in first["series"]}
    assert station.sync.status().unsent_rows == 0

    # Sent again from the start: the same KO (its UIDs come from the case and the study), nothing new.
    with station.db.transaction() as session:
        session.execute(update(OutboxRow).values(done_at=None, upload_url=""))
    station.sync.run_once(force=True)
    assert set(orthanc.instances()) == stored
    assert len(key_objects_listed(direct_reader, study_uid)) == 1
    with station.db.transaction() as session:
        kos = session.scalars(select(OutboxRow.ref_id).where(
            OutboxRow.ref_id.startswith("key-object-"))).all()
    assert len(kos) == 1


def test_the_ko_holds_the_key_images_as_the_doctor_left_them_before_submitting(
        station_via_proxy, direct_reader, orthanc, hub, tmp_path):
    station = station_via_proxy
    case = station.cases.create_case()
    from tests.support.dicom_series import ct_series

    station.imports.import_paths(case.id, ct_series(tmp_path / "ct", slices=6, size=32))
    ct = images(station, case.id)
    for attachment in ct[:3]:
        station.imaging.set_key_image(case.id, attachment.id, 0, True)
    station.imaging.set_key_image(case.id, ct[1].id, 0, False)  # changed their mind
    station.imaging.set_key_image(case.id, ct[5].id, 0, True)
    case = _submit(station, case)
    assert station.sync.run_once().synced_cases == [case.id]
    study_uid = study_uid_of(only_study(direct_reader, case.id))
    (listed,) = key_objects_listed(direct_reader, study_uid)
    ko = fetch(direct_reader, study_uid, value(listed, "0020000E"), value(listed, "00080018"))
    assert referenced_sop_uids(ko) == {sop_of(station, ct[n]) for n in (0, 2, 5)}


def _submit(station, case):
    from dataclasses import replace

    cases = station.cases
    draft = cases.get_case(case.id)
    cases.save_draft(replace(
        draft, patient=replace(draft.patient, full_name="Hoàng Thị Lan", birth="12/03/1961", sex="female"),
        reason="Đau ngực", question="Có chỉ định can thiệp?", specialty="cardiology", hospital="bachmai",
        diagnosis_code="I20.0", diagnosis_text="Đau thắt ngực không ổn định"))
    cases.mark_ready(case.id)
    return cases.submit(case.id)


def test_a_study_without_key_images_gets_no_ko(station_via_proxy, direct_reader, orthanc, hub, tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=4)
    assert station.sync.run_once().synced_cases == [case.id]
    assert key_objects_listed(direct_reader, study_uid_of(only_study(direct_reader, case.id))) == []
    assert len(orthanc.instances()) == 4


def test_abroad_the_ko_names_the_de_identified_copies_and_holds_nothing_of_the_patient(
        station_via_proxy, direct_reader, orthanc, hub, tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=6, key_images=1, foreign=True)
    assert station.sync.run_once().synced_cases == [case.id]
    originals = [pydicom.dcmread(station.attachments.path(a), stop_before_pixels=True)
                 for a in images(station, case.id)]
    study = only_study(direct_reader, case.id)
    study_uid = study_uid_of(study)
    assert study_uid != str(originals[0].StudyInstanceUID)
    (listed,) = key_objects_listed(direct_reader, study_uid)
    ko = fetch(direct_reader, study_uid, value(listed, "0020000E"), value(listed, "00080018"))
    (named,) = referenced_sop_uids(ko)
    stored = set(orthanc.instances())
    assert named in stored and len(stored) == 7  # six de-identified copies and the KO
    assert not stored & {str(o.SOPInstanceUID) for o in originals}
    copy = fetch(direct_reader, study_uid, [s["uid"] for s in study["series"] if s["modality"]["code"] == "CT"][0],
                 named)
    assert copy.InstanceNumber == 1  # the first image, the one marked
    assert ko.PatientIdentityRemoved == "YES" and str(ko.PatientName) == str(copy.PatientName)
    patient = Needles.for_patient(name="Hoàng Thị Lan", ids=["001161012345", "DN4010123456789", "0912345678"],
                                  birth=date(1961, 3, 12))
    needles = patient
    for original in originals:
        needles = needles | Needles.from_dataset(original)
    assert scan(ko, needles) == []
    # The key image's copy and the KO went first, confirmed before the other copies.
    first = study_versions(direct_reader, study["id"])[-1]
    assert sorted(i["uid"] for s in first["series"] for i in s["instance"]) == sorted([named, ko.SOPInstanceUID])
