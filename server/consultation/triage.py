"""Acting on a consultation: the experts' questions and notes, and triage (accept, assign, decline).

A workflow change moves the consultation's Task (with If-Match on the version read) and appends a
`status` message to the thread in the same transaction: a station that never saw that Task
version still reads the change, and the reason for a decline, in its thread.
"""

import uuid

from sqlalchemy.engine import Connection

from app.wire import consultation as wire
from app.wire import systems

from ..access import COORDINATOR, Principal
from ..outcome import FhirError, forbidden
from .common import (InvalidInput, check_coordinator, conflict, instant, is_expert, now, patient_ref, request_row,
                     store, task_of, version_of)

MESSAGE_KINDS = (wire.QUESTION, wire.NOTE)
MAX_TEXT = 20000


def post_message(conn: Connection, who: Principal, request_id: str, kind: str, text: str) -> dict:
    """An expert's question to the station, or a note on the case; the stored Communication."""
    row = request_row(conn, who, request_id)
    if kind not in MESSAGE_KINDS:
        raise InvalidInput("kind", "Loại tin nhắn không hợp lệ (câu hỏi hoặc ghi chú).")
    text = _text(text, "text", "Cần nhập nội dung tin nhắn.")
    if not (who.role == COORDINATOR or is_expert(who)) or not who.routed(row):
        raise forbidden("only the experts and coordinators the consultation is routed to write in its thread")
    message = wire.message(str(uuid.uuid4()), request_id, patient_ref(row.content), kind, text, instant(now()))
    return store.put(conn, who, message).resource


def accept(conn: Connection, who: Principal, request_id: str, *, if_match: int | None = None) -> dict:
    """The hospital takes the consultation on: by a coordinator, or by a routed expert (who then owns it).

    `if_match` (here and in assign, decline): the Task version the person saw; another one answers 412.
    """
    row = request_row(conn, who, request_id)
    if who.role != COORDINATOR and not (is_expert(who) and who.routed(row)):
        raise forbidden("only a coordinator or an expert the consultation is routed to accepts it")
    task = _task(conn, who, request_id, if_match)
    changed = {**task, "status": "accepted"}
    if who.role != COORDINATOR and who.person_id:
        changed["owner"] = _owner(who.person_id, who.name)
    return _change(conn, who, row, task, changed, wire.ACCEPTED, "")


def assign(conn: Connection, who: Principal, request_id: str, assignee_name: str, assignee_person_id: str, *,
           if_match: int | None = None) -> dict:
    """A coordinator gives the consultation to one expert, who alone then writes and signs the conclusion."""
    row = request_row(conn, who, request_id)
    check_coordinator(who, row)
    if not assignee_person_id or not assignee_name.strip():
        raise InvalidInput("assignee", "Cần chọn chuyên gia được phân công.")
    task = _task(conn, who, request_id, if_match)
    changed = {**task, "owner": _owner(assignee_person_id, assignee_name.strip())}
    if task.get("status") in ("requested", "received", "ready", "rejected"):
        changed["status"] = "accepted"
        changed.pop("statusReason", None)
    return _change(conn, who, row, task, changed, wire.ASSIGNED, "", assignee=assignee_name.strip())


def decline(conn: Connection, who: Principal, request_id: str, reason: str, *, if_match: int | None = None) -> dict:
    """A coordinator declines the consultation; the reason reaches the station's thread."""
    row = request_row(conn, who, request_id)
    check_coordinator(who, row)
    reason = _text(reason, "reason", "Cần ghi lý do từ chối.")
    task = _task(conn, who, request_id, if_match)
    changed = {**task, "status": "rejected", "statusReason": {"text": reason}}
    return _change(conn, who, row, task, changed, wire.DECLINED, reason)


def _change(conn: Connection, who: Principal, row, task: dict, changed: dict, change: str, text: str,
            assignee: str = "") -> dict:
    """The Task moved (If-Match its version) and the thread's status message, in one transaction: the new Task."""
    changed = {k: v for k, v in changed.items() if k != "meta"}
    message = wire.message(str(uuid.uuid4()), row.id, patient_ref(row.content), wire.STATUS, text, instant(now()),
                           change=change, assignee=assignee)
    written = store.put_many(conn, who, [(changed, version_of(task)), (message, None)])
    return written[0].resource


def _task(conn: Connection, who: Principal, request_id: str, if_match: int | None) -> dict:
    task = task_of(conn, who, request_id)
    if task is None:
        raise conflict("the station has not sent this consultation's Task yet; try again after its next sync")
    if if_match is not None and version_of(task) != if_match:
        raise FhirError(412, "conflict", f"the consultation changed since it was shown (its Task is at version "
                        f"{version_of(task)}, not {if_match}): read it again")
    return task


def _owner(person_id: str, name: str) -> dict:
    return {"identifier": {"system": systems.HUB_PERSON, "value": person_id}, "display": name}


def _text(value: str, field: str, empty: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(field, empty)
    if len(value) > MAX_TEXT:
        raise InvalidInput(field, f"Nội dung quá dài (tối đa {MAX_TEXT} ký tự).")
    return value
