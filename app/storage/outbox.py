"""The outbox, the messages exchanged with experts, and small sync facts. Callers own the session."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .models import CaseRow, MessageRow, OutboxRow, RemoteTaskRow, SyncStateRow
from .stamps import from_db as _aware
from .stamps import to_db as _naive


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    case_id: str
    kind: str
    ref_id: str
    attempts: int
    upload_url: str
    last_error: str
    next_try_at: datetime | None


@dataclass(frozen=True)
class Message:
    id: str
    case_id: str
    direction: str
    kind: str
    author: str
    text: str
    sent_at: datetime
    read: bool
    author_detail: str = ""
    attachments: tuple[str, ...] = ()  # DocumentReference (attachment) ids
    change: str = ""                   # workflow change: accepted | assigned | declined
    assignee: str = ""
    outcome: dict | None = None        # {"code", "date", "referred_to"} of an outcome report


class Outbox:
    def add(self, session: Session, case_id: str, kind: str, now: datetime, ref_id: str = "") -> None:
        session.add(OutboxRow(case_id=case_id, kind=kind, ref_id=ref_id, created_at=_naive(now)))

    def due_cases(self, session: Session, now: datetime) -> list[str]:
        """Cases with unsent work, none of it told to wait past `now`, oldest first."""
        rows = session.execute(select(OutboxRow.case_id, func.max(OutboxRow.next_try_at))
                               .where(OutboxRow.done_at.is_(None)).group_by(OutboxRow.case_id)
                               .order_by(func.min(OutboxRow.seq)))
        stamp = _naive(now)
        return [case_id for case_id, next_try in rows if next_try is None or next_try <= stamp]

    def has_pending(self, session: Session, case_id: str) -> bool:
        return session.scalar(select(func.count()).where(OutboxRow.case_id == case_id,
                                                         OutboxRow.done_at.is_(None))) > 0

    def sent_cases(self, session: Session, status: str) -> list[str]:
        """Cases in `status` that have outbox rows, all of them done."""
        rows = session.execute(select(OutboxRow.case_id).join(CaseRow, CaseRow.id == OutboxRow.case_id)
                               .where(CaseRow.status == status).group_by(OutboxRow.case_id)
                               .having(func.count(OutboxRow.done_at) == func.count()))
        return [case_id for (case_id,) in rows]

    def pending(self, session: Session, case_id: str) -> list[OutboxItem]:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.case_id == case_id, OutboxRow.done_at.is_(None))
                               .order_by(OutboxRow.seq))
        return [OutboxItem(r.seq, r.case_id, r.kind, r.ref_id, r.attempts, r.upload_url, r.last_error,
                           _aware(r.next_try_at)) for r in rows]

    def pending_refs(self, session: Session, case_id: str, kind: str) -> set[str]:
        """The ref ids of a case's unsent rows of `kind` (a reply still waiting for the link)."""
        return set(session.scalars(select(OutboxRow.ref_id).where(
            OutboxRow.case_id == case_id, OutboxRow.kind == kind, OutboxRow.done_at.is_(None))))

    def done(self, session: Session, seq: int, now: datetime) -> None:
        session.execute(update(OutboxRow).where(OutboxRow.seq == seq)
                        .values(done_at=_naive(now), last_error="", next_try_at=None))

    def failed(self, session: Session, seq: int, error: str, next_try: datetime) -> int:
        row = session.get(OutboxRow, seq)
        row.attempts += 1
        row.last_error = error[:500]
        row.next_try_at = _naive(next_try)
        return row.attempts

    def retry_now(self, session: Session, case_id: str) -> None:
        """The doctor asks to send the case's waiting rows again, having seen the hub's Task as it is now."""
        seen = RemoteTasks().get(session, case_id)
        for row in session.scalars(select(OutboxRow).where(OutboxRow.case_id == case_id,
                                                           OutboxRow.done_at.is_(None))):
            row.next_try_at = None
            if row.kind == "status":
                row.ref_id = status_change(parse_status_change(row.ref_id)[0], seen)

    def set_upload_url(self, session: Session, seq: int, url: str) -> None:
        session.execute(update(OutboxRow).where(OutboxRow.seq == seq).values(upload_url=url))

    def unsent(self, session: Session) -> dict[str, tuple[int, str]]:
        """case id -> (rows not yet sent, the last error of any of them)."""
        rows = session.execute(select(OutboxRow.case_id, func.count(), func.max(OutboxRow.last_error))
                               .where(OutboxRow.done_at.is_(None)).group_by(OutboxRow.case_id))
        return {case_id: (count, error or "") for case_id, count, error in rows}


class Messages:
    def add(self, session: Session, message: Message) -> bool:
        """False when the message is known already (downloads overlap on purpose)."""
        if session.get(MessageRow, message.id) is not None:
            return False
        session.add(MessageRow(id=message.id, case_id=message.case_id, direction=message.direction,
                               kind=message.kind, author=message.author, text=message.text,
                               sent_at=_naive(message.sent_at), read=message.read,
                               author_detail=message.author_detail, change=message.change,
                               assignee=message.assignee,
                               attachments=json.dumps(list(message.attachments)) if message.attachments else "",
                               outcome=json.dumps(message.outcome, ensure_ascii=False) if message.outcome else ""))
        return True

    def get(self, session: Session, message_id: str) -> Message | None:
        row = session.get(MessageRow, message_id)
        return _message(row) if row is not None else None

    def for_case(self, session: Session, case_id: str) -> list[Message]:
        rows = session.scalars(select(MessageRow).where(MessageRow.case_id == case_id)
                               .order_by(MessageRow.sent_at, MessageRow.id))
        return [_message(r) for r in rows]

    def unread(self, session: Session) -> dict[str, int]:
        rows = session.execute(select(MessageRow.case_id, func.count()).where(
            MessageRow.direction == "in", MessageRow.read.is_(False)).group_by(MessageRow.case_id))
        return dict(rows.all())

    def mark_read(self, session: Session, case_id: str) -> None:
        session.execute(update(MessageRow).where(MessageRow.case_id == case_id, MessageRow.direction == "in")
                        .values(read=True))

    def answered_cases(self, session: Session, status: str) -> list[str]:
        """Cases in `status` with an expert's answer or conclusion received."""
        return list(session.scalars(select(MessageRow.case_id).distinct()
                                    .join(CaseRow, CaseRow.id == MessageRow.case_id).where(
            CaseRow.status == status, MessageRow.direction == "in", MessageRow.kind.in_(("answer", "conclusion")))))

    def has_answer(self, session: Session, case_id: str) -> bool:
        return session.scalar(select(func.count()).where(
            MessageRow.case_id == case_id, MessageRow.direction == "in",
            MessageRow.kind.in_(("answer", "conclusion")))) > 0


def _message(r: MessageRow) -> Message:
    return Message(r.id, r.case_id, r.direction, r.kind, r.author, r.text, _aware(r.sent_at), r.read,
                   r.author_detail or "", tuple(json.loads(r.attachments)) if r.attachments else (),
                   r.change or "", r.assignee or "", json.loads(r.outcome) if r.outcome else None)


class SyncState:
    def get(self, session: Session, key: str, default: str = "") -> str:
        row = session.get(SyncStateRow, key)
        return row.value if row is not None else default

    def set(self, session: Session, key: str, value: str) -> None:
        row = session.get(SyncStateRow, key)
        if row is None:
            session.add(SyncStateRow(key=key, value=value))
        else:
            row.value = value


@dataclass(frozen=True)
class RemoteTask:
    case_id: str
    version: int
    status: str
    content: dict


class RemoteTasks:
    def get(self, session: Session, case_id: str) -> RemoteTask | None:
        row = session.get(RemoteTaskRow, case_id)
        if row is None:
            return None
        return RemoteTask(row.case_id, row.version, row.status, json.loads(row.content or "{}"))

    def seen(self, session: Session, case_id: str, task: dict, now: datetime) -> None:
        """Remember a Task read from the hub, unless an older version than the one known."""
        version = int(task.get("meta", {}).get("versionId", "0"))
        row = session.get(RemoteTaskRow, case_id)
        if row is not None and row.version > version:
            return
        if row is None:
            row = RemoteTaskRow(case_id=case_id)
            session.add(row)
        row.version, row.status = version, task.get("status", "")
        row.content, row.seen_at = json.dumps(task, ensure_ascii=False), _naive(now)


def status_change(status: str, seen: RemoteTask | None) -> str:
    """A "status" row's ref_id: the new Task status, and the Task (version, status) it was decided against."""
    return f"{status}@{seen.version}@{seen.status}" if seen else f"{status}@0@"


def parse_status_change(ref_id: str) -> tuple[str, int, str]:
    status, version, seen = (ref_id.split("@") + ["", ""])[:3]
    return status, int(version or 0), seen
