"""Which writes make a push event (server/events/record.kind_of): drafts never, a signature once."""

from datetime import date
from types import SimpleNamespace

from app.wire import consultation as wire
from server.events.record import kind_of


def row(content: dict, **columns) -> dict:
    return {"type": content["resourceType"], "content": content, "hospital": "", "specialty": "", **columns}


def stored(content: dict, **columns):
    return SimpleNamespace(**{"content": content, "hospital": "", "specialty": "", **columns})


def test_a_draft_conclusion_makes_no_event_and_signing_makes_one_once():
    draft = wire.conclusion("c-1", "heart", "p-1", [wire.Issue("Đau ngực", "Hội chứng vành cấp")], "PCI",
                            "Tái khám sau 1 tháng", date_="2026-11-29T10:00:00+07:00")
    assert kind_of(row(draft), None) is None
    assert kind_of(row(draft), stored(draft)) is None  # saved again, still a draft
    signed = {**draft, "status": "final"}
    assert kind_of(row(signed), stored(draft)) == "conclusion"
    assert kind_of(row(signed), None) == "conclusion"
    assert kind_of(row(signed), stored(signed)) is None


def test_a_request_makes_an_event_when_new_or_routed_elsewhere():
    request = {"resourceType": "ServiceRequest", "id": "heart", "status": "active"}
    assert kind_of(row(request, hospital="bachmai", specialty="cardiology"), None) == "request"
    same = stored(request, hospital="bachmai", specialty="cardiology")
    assert kind_of(row(request, hospital="bachmai", specialty="cardiology"), same) is None  # an edit
    assert kind_of(row(request, hospital="k", specialty="cardiology"), same) == "request"
    assert kind_of(row({**request, "status": "draft"}, hospital="k", specialty="x"), None) is None


def test_messages_are_told_by_their_kind_and_once():
    for kind, told in [(wire.QUESTION, "question"), (wire.NOTE, "note"), (wire.REPLY, "reply"),
                       (wire.STATUS, "status"), (wire.ANSWER, "note")]:
        message = wire.message("m-1", "heart", "p-1", kind, "…", "2026-11-29T10:00:00+07:00")
        assert kind_of(row(message), None) == told
    outcome = wire.message("m-2", "heart", "p-1", wire.OUTCOME, "", "2026-11-29T10:00:00+07:00",
                           outcome=wire.Outcome("improved", date(2026, 11, 29)))
    assert kind_of(row(outcome), None) == "outcome"


def test_minutes_and_tasks_make_events_other_records_do_not():
    minutes = wire.minutes_reference("d-1", "heart", "p-1", "c-1", "/files/x", 10, "", "", "2026-11-29", "BB")
    assert kind_of(row(minutes), None) == "minutes"
    photo = {"resourceType": "DocumentReference", "id": "d-2", "status": "current"}
    assert kind_of(row(photo), None) is None
    task = {"resourceType": "Task", "id": "t-1", "status": "accepted"}
    assert kind_of(row(task), stored({**task, "status": "requested"})) == "task"
    assert kind_of(row({"resourceType": "Observation", "id": "o-1"}), None) is None
