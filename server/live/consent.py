"""Consent to a live session being recorded: who answered what, when (migration 0009b).

Append-only: an answer is never changed, a change of mind (a withdrawal, or agreeing after all) is a
new row and the latest row of a participant is their answer. The rows are the record HOI-CHAN.md (f)
asks for: who, when, scope (recording of this session).
"""

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Index, Integer, String, Table, Text, insert, select
from sqlalchemy.engine import Connection

from ..access import Principal
from ..tables import metadata

live_consents = Table(
    "live_consents", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("live_id", String(64), nullable=False),
    Column("participant", String(128), nullable=False),  # a client id, or person:<id> (as live_attendance.who)
    Column("site", Text, nullable=False),                 # the facility or hospital they answered for
    Column("display", Text, nullable=False),              # their name as the session showed it
    Column("recording", Boolean, nullable=False),         # agreed to the recording
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_live_consents_session", "live_id", "participant", "id"),
)


@dataclass(frozen=True)
class Answer:
    participant: str
    site: str
    display: str
    recording: bool
    at: datetime


def participant_key(who: Principal) -> str:
    """The participant as the live tables name them (live_attendance.who): the client id, which for a console
    person is person:<id>."""
    return who.client_id


def record(conn: Connection, live_id: str, participant: str, site: str, display: str, agreed: bool) -> Answer:
    """Append `participant`'s answer; the answer as kept."""
    now = datetime.now(timezone.utc)
    conn.execute(insert(live_consents).values(live_id=live_id, participant=participant, site=site,
                                              display=display, recording=agreed, at=now))
    return Answer(participant, site, display, agreed, now)


def answers(conn: Connection, live_id: str) -> dict[str, Answer]:
    """Each participant's latest answer in session `live_id`."""
    rows = conn.execute(select(live_consents).where(live_consents.c.live_id == live_id)
                        .order_by(live_consents.c.id)).all()
    return {r.participant: Answer(r.participant, r.site, r.display, bool(r.recording), r.at) for r in rows}


def history(conn: Connection, live_id: str) -> list[Answer]:
    """Every answer given in session `live_id`, oldest first (for the minutes and the audit)."""
    rows = conn.execute(select(live_consents).where(live_consents.c.live_id == live_id)
                        .order_by(live_consents.c.id)).all()
    return [Answer(r.participant, r.site, r.display, bool(r.recording), r.at) for r in rows]
