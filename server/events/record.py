"""The `events` table and what the store writes to it.

The cursor is the event's id. Clients resume from the last id they saw, so ids must become
visible in id order: on PostgreSQL a transaction takes an advisory lock before taking its ids
and keeps it until it ends (otherwise a later id could commit first and a subscriber reading it
would step over an earlier one still in flight). SQLite writers are one at a time already.
"""

from sqlalchemy import BigInteger, Column, DateTime, Integer, String, Table, insert, select, text
from sqlalchemy.engine import Connection

from app.wire import consultation, mapping

from ..tables import metadata

CHANNEL = "diemcau_events"
_ORDER_LOCK = 0x6469656D  # pg_advisory_xact_lock key: "diem"

KINDS = ("request", "question", "note", "reply", "status", "conclusion", "minutes", "outcome", "task",
         "invitation")  # invitation: to a live consultation (server/live), delivered to the invited only
# A message's kind as the wire names it; the earlier free-text "answer" is an expert's note.
_MESSAGE_KINDS = {consultation.QUESTION: "question", consultation.NOTE: "note", consultation.ANSWER: "note",
                  consultation.REPLY: "reply", consultation.STATUS: "status", consultation.OUTCOME: "outcome"}

events = Table(
    "events", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("resource_type", String(40), nullable=False),
    Column("resource_id", String(64), nullable=False),
    Column("request_id", String(64), nullable=True),
    Column("facility", String(16), nullable=False),
    Column("hospital", String(40), nullable=False, default=""),   # the routing when it happened (for
    Column("specialty", String(40), nullable=False, default=""),  # the record; delivery reads the current one)
    Column("client_id", String(64), nullable=False),              # who wrote it: not told of its own writes
)


def kind_of(row: dict, existing) -> str | None:
    """The event a new version `row` (a `resources` row's values) makes, or None.

    `existing` is the version it replaces (None for a new record).
    """
    kind, content = row["type"], row["content"]
    if kind == "ServiceRequest":
        if content.get("status") == "draft":
            return None
        if existing is None or (existing.hospital, existing.specialty) != (row["hospital"], row["specialty"]):
            return "request"
        return None
    if kind == "Communication":
        return _MESSAGE_KINDS.get(mapping.message_kind(content), "note") if existing is None else None
    if kind == "Composition":  # the signed conclusion; a draft (preliminary) never makes one
        was_final = existing is not None and existing.content.get("status") == "final"
        return "conclusion" if content.get("status") == "final" and not was_final else None
    if kind == "DocumentReference":
        return "minutes" if existing is None and consultation.is_minutes(content) else None
    if kind == "Task":
        return "task"
    return None


def publish(conn: Connection, client_id: str, changes: list[tuple[dict, object]], requests: dict) -> None:
    """Write the events of `changes` ((row values, replaced row or None)) in the caller's transaction.

    `requests`: ServiceRequest id -> its row, for the routing of children.
    """
    out = []
    for row, existing in changes:
        kind = kind_of(row, existing)
        if kind is None:
            continue
        if row["type"] == "ServiceRequest":
            hospital, specialty = row["hospital"], row["specialty"]
        else:
            request = requests.get(row["request_id"])
            hospital, specialty = (request.hospital, request.specialty) if request is not None else ("", "")
        out.append(dict(created_at=row["last_updated"], kind=kind, resource_type=row["type"],
                        resource_id=row["id"], request_id=row["request_id"], facility=row["facility"],
                        hospital=hospital, specialty=specialty, client_id=client_id))
    append(conn, out)


def append(conn: Connection, out: list[dict]) -> None:
    """Write event rows (the `events` table's values) in the caller's transaction, in cursor order."""
    if not out:
        return
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.execute(select(text(f"pg_advisory_xact_lock({_ORDER_LOCK})")))
    conn.execute(insert(events), out)
    if postgres:
        # Delivered to every LISTENing worker when (and only if) this transaction commits.
        conn.execute(select(text(f"pg_notify('{CHANNEL}', '')")))
    else:
        conn.info["diemcau_events"] = True  # the broker wakes its subscribers once the connection is back
