"""ConsultationService without a hub: what the doctor writes is on the thread at once, with its outbox rows."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.services.consultation import ConsultationError
from app.storage.outbox import Message, Messages, Outbox


def sent_case(station):
    cases = station.cases
    case = cases.create_case()
    cases.save_draft(replace(case, patient=replace(case.patient, full_name="Phạm Thị Lan", birth="1975",
                                                   sex="female"),
                             reason="Đau ngực", question="Có cần can thiệp mạch vành?", specialty="cardiology",
                             hospital="bachmai"))
    cases.mark_ready(case.id)
    return cases.submit(case.id)


def outbox_rows(station, case_id):
    with station.db.transaction() as session:
        return [(i.kind, i.ref_id) for i in Outbox().pending(session, case_id)]


def test_a_reply_with_a_file_queues_the_file_before_the_message(station, tmp_path):
    case = sent_case(station)
    photo = tmp_path / "vet-thuong.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 anh")
    entry = station.consultation.reply(case.id, "  Ảnh vết thương hôm nay.  ", [photo])
    (attachment,) = entry.attachments
    assert entry.text == "Ảnh vết thương hôm nay." and entry.waiting and entry.kind == "reply"
    assert outbox_rows(station, case.id)[-2:] == [("file", attachment.id), ("message", entry.id)]
    (shown,) = station.consultation.view(case.id).entries
    assert shown.id == entry.id and shown.waiting and shown.attachments[0].original_name == "vet-thuong.jpg"
    assert station.attachments.path(shown.attachments[0]).read_bytes() == photo.read_bytes()


def test_an_empty_reply_and_a_reply_to_a_draft_are_refused(station):
    case = sent_case(station)
    with pytest.raises(ConsultationError) as empty:
        station.consultation.reply(case.id, "   ")
    assert empty.value.field == "text"
    draft = station.cases.create_case()
    with pytest.raises(ConsultationError) as not_sent:
        station.consultation.reply(draft.id, "Xin chào")
    assert not_sent.value.reason == "not-sent"
    assert outbox_rows(station, draft.id) == []


@pytest.mark.parametrize("code, on, where, field, reason", [
    ("referred", 0, "", "referred_to", "required"),
    ("referred", 0, "   ", "referred_to", "required"),
    ("stable", 1, "", "date", "future"),
    ("stable", -30, "", "date", "before-request"),
    ("cured", 0, "", "outcome", "unknown"),
])
def test_an_outcome_is_checked_before_it_goes(station, code, on, where, field, reason):
    case = sent_case(station)
    with pytest.raises(ConsultationError) as refused:
        station.consultation.report_outcome(case.id, code, date.today() + timedelta(days=on), where)
    assert (refused.value.field, refused.value.reason) == (field, reason)
    assert ("message" not in {kind for kind, _ in outbox_rows(station, case.id)})


def test_an_outcome_is_a_message_of_the_thread(station):
    case = sent_case(station)
    entry = station.consultation.report_outcome(case.id, "improved", date.today(), "ignored", "Hết đau ngực.")
    (shown,) = station.consultation.view(case.id).entries
    assert shown.kind == "outcome" and shown.text == "Hết đau ngực." and shown.waiting
    assert shown.outcome == {"code": "improved", "date": date.today().isoformat(), "referred_to": ""}
    assert outbox_rows(station, case.id)[-1] == ("message", entry.id)


def test_reading_the_thread_clears_what_was_new(station):
    case = sent_case(station)
    with station.db.transaction() as session:
        Messages().add(session, Message("q-1", case.id, "in", "question", "Bs. An", "Huyết áp bao nhiêu?",
                                        case.updated_at, False))
    assert station.consultation.view(case.id).unread == 1
    station.consultation.mark_read(case.id)
    assert station.consultation.view(case.id).unread == 0
    assert station.sync.status().unread_by_case == {}
