"""A case's live sessions as its minutes print them (server/minutes): who took part from which site, when and for
how long, and whether the session was recorded, all as it stood at one moment, the conclusion's signing.

Read-only over the live tables: attendance (service.py, from Janus's own events), consent answers (consent.py),
the recording's state and stored recordings (recording.py). Nothing after `until` counts: signed minutes never
change, so a session held after the signing (or the part of one after it) shows only in a later version's
minutes (an amendment's), which are made at that version's signing.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..store import aware, parse_instant
from ..tables import resources
from .consent import history
from .recording import live_recordings
from .tables import live_attendance, live_sessions


@dataclass(frozen=True)
class Attendee:
    who: str                # client id, or person:<id>
    site: str
    display: str            # as every tile showed it; a station's is its site
    stretches: tuple[tuple[datetime, datetime | None], ...]  # (joined, left), left None: still in at `until`


@dataclass(frozen=True)
class SessionRecord:
    id: str
    started: datetime
    ended: datetime | None  # None: still going on at `until`
    attendees: tuple[Attendee, ...]  # in order of first joining
    recorded: bool
    agreed: tuple[str, ...]  # the displays of who agreed to the recording before `until` (when recorded)


def sessions_of(conn: Connection, request_id: str, until: datetime) -> list[SessionRecord]:
    """The live sessions of consultation `request_id` that someone attended before `until`, oldest first."""
    rows = conn.execute(select(live_sessions).where(live_sessions.c.request_id == request_id)
                        .order_by(live_sessions.c.started_at, live_sessions.c.id)).all()
    out = []
    for session in rows:
        if aware(session.started_at) > until:
            continue
        attendees = _attendees(conn, session.id, until)
        if not attendees:
            continue  # a room nobody entered: no consultation took place in it
        ended = aware(session.ended_at) if session.ended_at and aware(session.ended_at) <= until else None
        recorded = _recorded(conn, session.id, until, ended is not None)
        out.append(SessionRecord(session.id, aware(session.started_at), ended, attendees, recorded,
                                 _agreed(conn, session.id, until) if recorded else ()))
    return out


def _attendees(conn: Connection, live_id: str, until: datetime) -> tuple[Attendee, ...]:
    rows = conn.execute(select(live_attendance).where(live_attendance.c.session_id == live_id)
                        .order_by(live_attendance.c.joined_at, live_attendance.c.id)).all()
    found: dict[str, Attendee] = {}
    for r in rows:
        joined = aware(r.joined_at)
        if joined > until:
            continue
        left = aware(r.left_at) if r.left_at and aware(r.left_at) <= until else None
        before = found.get(r.who)
        stretches = (before.stretches if before else ()) + ((joined, left),)
        # The latest ticket's name and site: an account renamed between two joins reads as it last did.
        found[r.who] = Attendee(r.who, r.site, r.display, stretches)
    return tuple(found.values())


def _recorded(conn: Connection, live_id: str, until: datetime, ended: bool) -> bool:
    """Whether Janus recorded any of the session before `until`. recording.py runs it only while every site present
    has agreed, so 'recorded' always means 'with the consent of all sites present'."""
    row = conn.execute(select(live_recordings).where(live_recordings.c.live_id == live_id)).first()
    if row is None:
        return False
    if row.started_at is not None and aware(row.started_at) <= until:
        return True
    # Asked for again after a stop, `started_at` restarts empty: the takes closed before `until` still count (all
    # of them when the session had ended by then; else those up to a stop that no later asking undid).
    if row.takes and (ended or (row.stopped_at is not None and aware(row.stopped_at) <= until)):
        return True
    for document in row.documents or []:
        stored = conn.execute(select(resources.c.content).where(resources.c.type == "DocumentReference",
                                                                resources.c.id == document)).first()
        start = ((stored.content.get("context") or {}).get("period") or {}).get("start") if stored else None
        if start and parse_instant(start) <= until:
            return True
    return False


def _agreed(conn: Connection, live_id: str, until: datetime) -> tuple[str, ...]:
    """Who agreed to the recording before `until`, in the order they first did. One who withdrew later is named
    too: the recording ran only while every site present agreed, so what was recorded had their consent."""
    agreed: dict[str, str] = {}
    for answer in history(conn, live_id):
        if answer.recording and aware(answer.at) <= until:
            agreed.setdefault(answer.participant, answer.display)
    return tuple(agreed.values())
