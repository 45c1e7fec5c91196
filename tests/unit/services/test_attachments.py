from dataclasses import replace

import pytest

from app.domain.attachment import AttachmentKind
from app.services.cases import CaseNotEditable


def ready_case(cases):
    case = cases.create_case()
    return cases.save_draft(replace(case, patient=replace(case.patient, full_name="Lê Văn Tám", age="60", sex="male"),
                                    reason="Loét bàn chân", question="Cắt lọc?", specialty="surgery",
                                    hospital="vietduc"))


def test_attach_bytes_and_files_to_a_draft(station, tmp_path):
    case = ready_case(station.cases)
    photo = station.attachments.add_bytes(case.id, b"\xff\xd8jpeg", "anh-1.jpg", AttachmentKind.PHOTO,
                                          details={"camera": "USB 0"})
    note = tmp_path / "ghi-am.flac"
    note.write_bytes(b"fLaC" + b"\0" * 5000)
    audio = station.attachments.add_file(case.id, note, AttachmentKind.AUDIO)
    listed = station.attachments.list(case.id)
    assert [a.original_name for a in listed] == ["anh-1.jpg", "ghi-am.flac"]
    assert listed[0].media_type == "image/jpeg" and listed[0].details == {"camera": "USB 0"}
    assert audio.media_type == "audio/flac" and audio.size == 5004
    assert station.attachments.path(photo).read_bytes() == b"\xff\xd8jpeg"


def test_shared_content_is_freed_only_when_unused(station):
    cases = station.cases
    first, second = ready_case(cases), ready_case(cases)
    a = station.attachments.add_bytes(first.id, b"same scan", "scan.pdf", AttachmentKind.DOCUMENT)
    b = station.attachments.add_bytes(second.id, b"same scan", "scan.pdf", AttachmentKind.DOCUMENT)
    assert a.sha256 == b.sha256
    station.attachments.remove(a.id)
    assert station.attachments.blobs.exists(b.sha256)
    station.attachments.remove(b.id)
    assert not station.attachments.blobs.exists(b.sha256)


def test_a_sent_case_takes_no_new_evidence(station):
    case = ready_case(station.cases)
    station.cases.mark_ready(case.id)
    with pytest.raises(CaseNotEditable):
        station.attachments.add_bytes(case.id, b"late", "late.jpg", AttachmentKind.PHOTO)
    assert station.attachments.list(case.id) == []
    assert [p for p in station.attachments.blobs.root.rglob("*") if p.is_file()] == []


def test_files_a_crash_left_unrecorded_are_collected(station):
    import os
    import time

    case = ready_case(station.cases)
    kept = station.attachments.add_bytes(case.id, b"recorded", "a.pdf", AttachmentKind.DOCUMENT)
    orphan = station.attachments.blobs.put_bytes(b"written, then the station died")
    fresh = station.attachments.blobs.put_bytes(b"an import writing right now")
    old = time.time() - 7200
    os.utime(station.attachments.blobs.path(orphan.sha256), (old, old))
    os.utime(station.attachments.blobs.path(kept.sha256), (old, old))
    assert station.attachments.collect_garbage() == 1
    assert not station.attachments.blobs.exists(orphan.sha256)
    assert station.attachments.blobs.exists(kept.sha256) and station.attachments.blobs.exists(fresh.sha256)
