from dataclasses import replace

from app.domain.attachment import AttachmentKind
from app.services.station import Station


def draft(cases):
    case = cases.create_case()
    return cases.save_draft(replace(case, patient=replace(case.patient, full_name="Vàng A Páo", age="40",
                                                          sex="male")))


def test_a_photo_is_attached_with_camera_and_time(station):
    case = draft(station.cases)
    photo = station.capture.attach_photo(case.id, b"\xff\xd8\xff jpeg", "USB camera 0", 1280, 720)
    assert photo.kind is AttachmentKind.PHOTO and photo.original_name.startswith("anh-")
    assert photo.details["camera"] == "USB camera 0" and photo.details["width"] == 1280


def test_a_finished_recording_moves_into_the_store(station):
    case = draft(station.cases)
    pending = station.capture.start_recording(case.id, AttachmentKind.AUDIO, ".flac", {"device": "pulse"})
    pending.path.write_bytes(b"fLaC recorded")
    attachment = station.capture.finish_recording(pending, {"duration_s": 1.5})
    assert attachment.media_type == "audio/flac" and attachment.details["duration_s"] == 1.5
    assert not pending.path.exists() and not pending.note.exists()
    assert station.attachments.path(attachment).read_bytes() == b"fLaC recorded"


def test_a_recording_left_by_a_crash_is_attached_at_the_next_start(data_dir):
    first = Station(data_dir)
    case = draft(first.cases)
    pending = first.capture.start_recording(case.id, AttachmentKind.VIDEO, ".mp4")
    pending.path.write_bytes(b"partial mp4 fragments")
    empty = first.capture.start_recording(case.id, AttachmentKind.AUDIO, ".flac")  # died before any sound
    first.close()  # the station "dies" here

    second = Station(data_dir)
    try:
        assert second.warm_up() == 1
        (attachment,) = second.attachments.list(case.id)
        assert attachment.kind is AttachmentKind.VIDEO and attachment.details["recovered"] is True
        assert not empty.note.exists() and list(second.paths.recordings.iterdir()) == []
    finally:
        second.close()


def test_a_recording_whose_case_was_sent_is_kept_not_lost(data_dir):
    first = Station(data_dir)
    case = first.cases.save_draft(replace(draft(first.cases), reason="r", question="q", specialty="surgery",
                                          hospital="choray"))
    pending = first.capture.start_recording(case.id, AttachmentKind.AUDIO, ".flac")
    pending.path.write_bytes(b"sound")
    first.cases.mark_ready(case.id)
    first.close()
    second = Station(data_dir)
    try:
        assert second.warm_up() == 0
        assert pending.path.exists() and pending.note.exists()
    finally:
        second.close()
