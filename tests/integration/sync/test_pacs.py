"""Imaging through the hub to a real Orthanc: STOW-RS, QIDO-RS confirmation, then the ImagingStudy."""

import httpx
import pydicom
import pytest

from app.domain.attachment import AttachmentKind
from app.domain.lifecycle import Status
from app.sync.hub_client import HubClient, enroll
from app.wire import mapping
from tests.support.cases import submitted_case
from tests.support.hub import RunningHub

MB = 1024 * 1024


@pytest.fixture
def hub(tmp_path, orthanc):
    """Here the hub has a PACS (the conftest's station and proxy fixtures then use this one)."""
    running = RunningHub(tmp_path / "pacs-hub", pacs_url=orthanc.dicomweb_url).start()
    yield running
    running.stop()


def sop_uids(station, case_id: str) -> list[str]:
    paths = [station.attachments.path(a) for a in station.attachments.list(case_id)
             if a.kind == AttachmentKind.IMAGING]
    return sorted(str(pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID) for p in paths)


def sent_uids(station, case_id: str) -> list[str]:
    """The images and the station's own Key Object Selection of them (a case with key images)."""
    made = (station.paths.outgoing / case_id / "imaging").glob("key-object-*.dcm")
    return sorted(sop_uids(station, case_id) + [str(pydicom.dcmread(p).SOPInstanceUID) for p in made])


def study_versions(reader: HubClient, study_id: str) -> list[dict]:
    answer = httpx.get(f"{reader.base}/ImagingStudy/{study_id}/_history",
                       headers={"Authorization": f"Bearer {reader.token()}"}, timeout=30)
    answer.raise_for_status()
    return [entry["resource"] for entry in answer.json()["entry"]]


def only_study(reader: HubClient, case_id: str) -> dict:
    studies = list(reader.search("ImagingStudy", {"based-on": f"ServiceRequest/{case_id}"}))
    assert len(studies) == 1
    return studies[0]


def listed(study: dict) -> list[str]:
    return sorted(i["uid"] for s in study["series"] for i in s["instance"])


def test_a_ct_goes_to_the_pacs_key_images_first_and_an_imaging_study_names_every_instance(
        station_via_proxy, direct_reader, orthanc, hub, tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=12, key_images=2)
    report = station.sync.run_once()
    assert report.synced_cases == [case.id], report
    expected = sent_uids(station, case.id)
    assert sorted(orthanc.instances()) == expected

    study = only_study(direct_reader, case.id)
    assert study["numberOfInstances"] == 13 and listed(study) == expected  # and the key images' KO
    assert study["subject"]["reference"] == f"Patient/{case.patient.id}"
    assert study["contained"][0]["address"] == station.sync.credential().hub_url + "/dicomweb"
    assert study["series"][0]["modality"]["code"] == "CT"
    # The key images (and their KO) were confirmed and recorded before the rest of the series went.
    versions = study_versions(direct_reader, study["id"])  # newest first
    first, last = versions[-1], versions[0]
    assert first["numberOfInstances"] == 3 and last["numberOfInstances"] == 13
    # Images went to the PACS; only the photo and the recording are files on the hub.
    docs = list(direct_reader.search("DocumentReference", {"based-on": f"ServiceRequest/{case.id}"}))
    assert sorted(d["content"][0]["attachment"]["title"] for d in docs) == ["anh-ecg.jpg", "ghi-am-tim.flac"]
    assert station.sync.status().unsent_rows == 0

    # Sending the whole case again changes nothing anywhere.
    with station.db.transaction() as session:
        from sqlalchemy import update

        from app.storage.models import OutboxRow
        session.execute(update(OutboxRow).values(done_at=None, upload_url=""))
    station.sync.run_once(force=True)
    assert sorted(orthanc.instances()) == expected
    assert only_study(direct_reader, case.id)["meta"]["versionId"] == study["meta"]["versionId"]


def test_link_cut_mid_stow_then_restored_stores_every_instance_once(station_via_proxy, direct_reader, orthanc, proxy,
                                                                     tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=16, size=512)  # 16 × 512 KiB: several batches
    proxy.cut_after = 3 * MB
    first = station.sync.run_once()
    assert not first.online and station.cases.get_case(case.id).status == Status.SUBMITTED
    assert station.sync.status().unsent_rows > 0
    second = station.sync.run_once(force=True)
    assert second.online and second.synced_cases == [case.id], second
    expected = sop_uids(station, case.id)
    assert sorted(orthanc.instances()) == expected  # each SOP Instance once
    study = only_study(direct_reader, case.id)
    assert listed(study) == expected


def test_a_case_drafted_offline_reaches_hub_and_pacs_once_and_the_answer_comes_back(
        station_via_proxy, direct_reader, orthanc, hub, proxy, tmp_path):
    station = station_via_proxy
    proxy.down = True  # no link at all today
    case = submitted_case(station, tmp_path, slices=6, key_images=1, audio_bytes=2 * MB)
    assert not station.sync.run_once().online
    assert station.sync.status().unsent_rows > 0 and orthanc.instances() == []

    proxy.down = False  # the link returns
    assert station.sync.run_once(force=True).synced_cases == [case.id]
    assert sorted(orthanc.instances()) == sent_uids(station, case.id)
    assert listed(only_study(direct_reader, case.id)) == sent_uids(station, case.id)
    assert len(list(direct_reader.search("ServiceRequest", {}))) == 1

    # The expert, routed to Bạch Mai cardiology, reads the study through the hub and answers.
    _, code = hub.register("expert", hospital="bachmai", specialty="cardiology", name="Bs. Trần Văn Tim")
    expert = HubClient(enroll(hub.url, code))
    try:
        study = only_study(expert, case.id)
        study_uid = study["identifier"][0]["value"].removeprefix("urn:oid:")
        assert len(expert.study_instances(study_uid)) == 7  # six images and their KO
        expert.put(mapping.communication_resource(
            "a1b2c3d4-0000-4000-8000-000000000001", case.id, case.patient.id, "Chụp mạch vành qua da sớm.",
            "answer", {"display": "Bs. Trần Văn Tim"}))
    finally:
        expert.close()
    report = station.sync.run_once()
    assert report.new_answers == [case.id]
    assert station.cases.get_case(case.id).status == Status.ANSWERED


def test_a_case_for_an_expert_abroad_sends_only_de_identified_images_to_the_pacs(station_via_proxy, orthanc,
                                                                                  tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=4, foreign=True)
    assert station.sync.run_once().synced_cases == [case.id]
    stored = orthanc.instances()
    assert len(stored) == 4 and not set(stored) & set(sop_uids(station, case.id))
    answer = httpx.get(f"{orthanc.url}/dicom-web/instances", params={"includefield": "00100010"},
                       auth=("hub", orthanc.password), timeout=30).json()
    names = {str(item.get("00100010", {}).get("Value", [{}])[0].get("Alphabetic", "")) for item in answer}
    assert not any("NGUYEN" in name for name in names), names
