"""Recording of live sessions, only with every present participant's consent (TT 49/2017 asks for a
recording system; HOI-CHAN.md (f): no recording without consent by default).

The state machine, per session (table live_recordings, the answers in live_consents):

- `off`: nobody asked for a recording (or it was stopped). Janus records nothing.
- asked for (`request`, by the session's starter or a coordinator) it runs only while every
  participant present (live_attendance rows not left, and tickets just issued to someone on their
  way in) has agreed: `on`. Until then `waiting` (never ran yet) or `paused` (ran, then someone
  who has not agreed joined, or someone withdrew). `missing` lists who holds it up.
- Janus's own flag follows (`enable_recording` on the room, `JanusAdmin.set_recording`): off while
  waiting or paused, so nothing of anyone is written without everyone's agreement.

Stopping the recording, or the session ending, closes a *take*: Janus's .mjr files (one per
publisher stream and running stretch) are moved into a take folder and a worker thread turns them,
per participant, into one .webm (janus-pp-rec, then ffmpeg), stored in the hub's file store as a
DocumentReference (category recording) of the consultation. The worker works from the folders and
the `pending` flag, so a hub restarted half-way finishes what it had not.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import threading
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, Table, Text, insert, select, update
from sqlalchemy.engine import Connection, Engine

from app.wire import consultation as wire

from ..access import Principal
from ..tables import metadata, resources
from .consent import answers, participant_key
from .consent import record as record_answer
from .janus_admin import JanusAdmin, JanusAdminError

log = logging.getLogger("diemcau.hub.live.recording")

OFF, WAITING, ON, PAUSED = "off", "waiting", "on", "paused"
ARRIVING_S = 30           # a ticket this fresh without its attendance row: someone on their way into the room
LEASE = timedelta(minutes=10)  # one worker processes a session's takes at a time; a dead one's claim expires
TOOL_TIMEOUT_S = 1800
WRITER_ID = "hub:live-recording"  # the uploads' and history's author of the recordings (no client has this id)

live_recordings = Table(
    "live_recordings", metadata,
    Column("live_id", String(64), primary_key=True),
    Column("requested", Boolean, nullable=False),        # someone asked for it and did not stop it
    Column("requested_by", String(128), nullable=False),
    Column("running", Boolean, nullable=False),          # Janus's recording flag, as last set
    Column("started_at", DateTime(timezone=True), nullable=True),  # first ran
    Column("paused_at", DateTime(timezone=True), nullable=True),   # last held up for want of consent
    Column("stopped_at", DateTime(timezone=True), nullable=True),
    Column("takes", Integer, nullable=False),            # takes closed (stopped, or the session ended)
    Column("pending", Boolean, nullable=False),          # takes waiting for post-processing
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("files", JSON, nullable=False),               # claim holder {"by": ...}, then what was made
    Column("documents", JSON, nullable=False),           # DocumentReference ids stored
    Column("error", Text, nullable=False),               # the last post-processing failure ("" none)
    Index("ix_live_recordings_pending", "pending"),
)

_MJR = re.compile(r"videoroom-(?P<room>.+?)-user-(?P<user>.+)-(?P<time>\d+)-(?P<kind>audio|video|data)-(?P<mid>\d+)"
                  r"\.mjr")


def _now() -> datetime:
    return datetime.now(timezone.utc)


# -- where things are -----------------------------------------------------------------------------

def recordings_root(config) -> Path:
    """Janus's recordings of this hub's sessions, beside the hub's files folder (its data folder).

    Janus must write here: the one-machine hub's own Janus does; a Janus of its own machine needs
    this folder mounted at the same path (docs/live-recording.md)."""
    return Path(config.files_dir).parent / "live-recordings"


def record_dir(config, live_id: str) -> Path:
    """The room's `rec_dir` (JanusAdmin.create_room(..., record_dir=str(record_dir(config, live_id))))."""
    return recordings_root(config) / live_id


# -- who is present, who agreed -------------------------------------------------------------------

@dataclass(frozen=True)
class Party:
    participant: str  # client id, or person:<id>
    site: str
    display: str

    def as_json(self) -> dict:
        return {"participant": self.participant, "site": self.site, "display": self.display}


def _live_tables():
    from . import tables  # H1's; imported late so this module loads without them

    return tables


def session_row(conn: Connection, live_id: str):
    t = _live_tables().live_sessions
    return conn.execute(select(t).where(t.c.id == live_id)).first()


def present(conn: Connection, live_id: str) -> list[Party]:
    """Who is in the room (attendance not left) or on their way in (a ticket issued moments ago)."""
    t = _live_tables()
    seen: dict[str, Party] = {}
    rows = conn.execute(select(t.live_attendance.c.who, t.live_attendance.c.site, t.live_attendance.c.display,
                               t.live_attendance.c.opaque_id)
                        .where(t.live_attendance.c.session_id == live_id, t.live_attendance.c.left_at.is_(None))
                        .order_by(t.live_attendance.c.joined_at)).all()
    for row in rows:
        seen.setdefault(row.who, Party(row.who, row.site, row.display))
    attended = select(t.live_attendance.c.opaque_id).where(t.live_attendance.c.session_id == live_id)
    fresh = conn.execute(select(t.live_tickets.c.who, t.live_tickets.c.site, t.live_tickets.c.display)
                         .where(t.live_tickets.c.session_id == live_id,
                                t.live_tickets.c.issued_at > _now() - timedelta(seconds=ARRIVING_S),
                                t.live_tickets.c.opaque_id.not_in(attended))
                         .order_by(t.live_tickets.c.issued_at)).all()
    for row in fresh:
        seen.setdefault(row.who, Party(row.who, row.site, row.display))
    return list(seen.values())


def _row(conn: Connection, live_id: str, lock: bool = False):
    query = select(live_recordings).where(live_recordings.c.live_id == live_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()


def recording_view(conn: Connection, live_id: str) -> dict:
    """The session JSON's "recording": {"state": off|waiting|on|paused, "agreed": [...], "missing": [...],
    "declined": [...], "documents": [...]}; each person as {"participant", "site", "display"}.

    `missing` (present, not agreed: declined or not answered yet) is what holds a recording up;
    `declined` the part of it who said no. `documents`: the recordings stored so far (DocumentReference ids).
    """
    row = _row(conn, live_id)
    given = answers(conn, live_id)
    parties = present(conn, live_id)
    agreed = [p for p in parties if given.get(p.participant) is not None and given[p.participant].recording]
    missing = [p for p in parties if p not in agreed]
    declined = [p for p in missing if given.get(p.participant) is not None]
    session = session_row(conn, live_id)
    if session is None or session.state != "open":
        row_state = OFF  # ended: whatever ran is being closed (presence_changed after the end)
    else:
        row_state = _state(row, bool(parties) and not missing)
    return {"state": row_state, "agreed": [p.as_json() for p in agreed],
            "missing": [p.as_json() for p in missing], "declined": [p.as_json() for p in declined],
            "documents": list(row.documents) if row is not None else [],
            "processing": bool(row.pending) if row is not None else False}


def _state(row, everyone_agreed: bool) -> str:
    """From the consents as they stand (a running flag the next `sync` turns off already reads as paused)."""
    if row is None or not row.requested:
        return OFF
    if row.running and everyone_agreed:
        return ON
    return PAUSED if row.started_at is not None else WAITING


# -- the state machine ----------------------------------------------------------------------------

def request(conn: Connection, live_id: str, by: str, on: bool) -> None:
    """Ask for the recording (`on`) or stop it; `sync` then makes Janus follow."""
    row = _row(conn, live_id, lock=True)
    if row is None:
        if not on:
            return
        conn.execute(insert(live_recordings).values(
            live_id=live_id, requested=True, requested_by=by, running=False, takes=0, pending=False, files={},
            documents=[], error=""))
        return
    if on and not row.requested:
        conn.execute(update(live_recordings).where(live_recordings.c.live_id == live_id)
                     .values(requested=True, requested_by=by, started_at=None, paused_at=None, stopped_at=None))
    elif not on and row.requested:
        conn.execute(update(live_recordings).where(live_recordings.c.live_id == live_id)
                     .values(requested=False, stopped_at=_now()))


def sync(conn: Connection, admin: JanusAdmin | None, live_id: str, folder: Path | None = None) -> bool:
    """Make Janus's recording flag what the consents allow now; True when a take was closed (stopped or
    ended with something recorded: post-processing is due). In the caller's transaction."""
    row = _row(conn, live_id, lock=True)
    if row is None:
        return False
    session = session_row(conn, live_id)
    ended = session is None or session.state != "open"
    parties = present(conn, live_id) if not ended else []
    given = answers(conn, live_id)
    everyone = bool(parties) and all(given.get(p.participant) is not None and given[p.participant].recording
                                     for p in parties)
    run = row.requested and not ended and everyone
    values: dict[str, Any] = {}
    # Running: told again each time (a Janus restarted under the session made the room again, without its
    # recording flag and folder); the call is idempotent and presence changes are few.
    if run != row.running or run:
        if not _set_janus(admin, session, run, ended, folder):
            run = False if ended or run else row.running
        if run != row.running:
            values["running"] = run
            if run and row.started_at is None:
                values["started_at"] = _now()
            if not run and row.requested and not ended:
                values["paused_at"] = _now()
    if ended and row.requested:
        values.update(requested=False, stopped_at=row.stopped_at or _now())
    closed = False
    if (ended or not row.requested) and folder is not None and _close_take(folder):
        values.update(takes=row.takes + 1, pending=True)
        closed = True
    if values:
        conn.execute(update(live_recordings).where(live_recordings.c.live_id == live_id).values(**values))
    return closed


def _set_janus(admin: JanusAdmin | None, session, on: bool, ended: bool, folder: Path | None) -> bool:
    """Janus's flag set as asked; False when Janus could not be told (the state says what it is then)."""
    if admin is None or session is None:
        return not on
    try:
        if on and folder is not None:
            # The room's rec_dir set here, not when the room is made: it holds for a room Janus made again
            # after a restart too, and nothing is written anywhere else.
            folder.mkdir(parents=True, exist_ok=True)
            admin.request({"request": "edit", "room": session.room, "secret": session.room_secret,
                           "new_rec_dir": str(folder)})
        admin.set_recording(session.room, session.room_secret, on)
        return True
    except JanusAdminError as error:
        # An ended session's room is gone (so is its recording); an unreachable Janus records nothing either.
        if not on and (ended or error.unreachable or error.code == 426):
            return True
        log.warning("live %s: Janus did not %s the recording: %s", session.id, "start" if on else "stop", error)
        return False


def _close_take(folder: Path) -> bool:
    """Move the session's .mjr files written so far into the next take folder; False when there were none."""
    loose = sorted(folder.glob("*.mjr")) if folder.is_dir() else []
    if not loose:
        return False
    taken = [int(p.name[5:]) for p in folder.glob("take-*") if p.name[5:].isdigit()]
    take = folder / f"take-{max(taken, default=0) + 1:04d}"
    take.mkdir()
    for path in loose:
        os.replace(path, take / path.name)
    return True


# -- what participants do (the API's routes and the console's views call these) -------------------------

def give_consent(conn: Connection, who: Principal, live_id: str, agreed: bool, hub) -> dict:
    """`who` agrees to (or refuses, or withdraws from) the recording of session `live_id`; the session JSON.

    Anyone who may join the session answers for themselves; the recording follows at once."""
    from . import service  # H1's; late, as the tables

    session, _ = service._joinable(conn, who, live_id, lock=True)
    if session.state != service.OPEN:
        raise service.ended()
    record_answer(conn, live_id, participant_key(who), service.site_of(who), service.display_of(who), agreed)
    _sync(conn, hub, live_id)
    return service.session_view(conn, who, live_id)


def ask_recording(conn: Connection, who: Principal, live_id: str, on: bool, hub) -> dict:
    """The starter or a coordinator asks for the recording (`on`, which is also their own agreement) or stops
    it; it runs only once everyone present has agreed. The session JSON."""
    from . import service

    session, case = service._joinable(conn, who, live_id, lock=True)
    if session.state != service.OPEN:
        raise service.ended()
    if not service.may_end(who, session, case):
        raise service.LiveError(403, "not-host", "only whoever started this live consultation, or a coordinator of "
                                "the case's routing, may start or stop its recording", "forbidden")
    if on:
        record_answer(conn, live_id, participant_key(who), service.site_of(who), service.display_of(who), True)
    request(conn, live_id, participant_key(who), on)
    _sync(conn, hub, live_id)
    return service.session_view(conn, who, live_id)


def consent_record(conn: Connection, who: Principal, live_id: str) -> dict:
    """Every answer given in session `live_id`, oldest first (who, their site and name, agreed, when): the consent
    record, for whoever may join the session."""
    from ..store import fhir_instant
    from . import service
    from .consent import history

    service._joinable(conn, who, live_id)
    return {"id": live_id, "consents": [
        {"participant": a.participant, "site": a.site, "display": a.display, "recording": a.recording,
         "at": fhir_instant(a.at)} for a in history(conn, live_id)]}


def _sync(conn: Connection, hub, live_id: str) -> None:
    # The caller wakes the worker after its transaction (`wake`): a closed take waits for the commit.
    sync(conn, admin_of(hub), live_id, record_dir(hub.config, live_id))


# -- the hub's side: which Janus, which folder; called by the attendance code and the routes ---------------

_hubs: "weakref.WeakKeyDictionary[Engine, Any]" = weakref.WeakKeyDictionary()
_workers: "weakref.WeakKeyDictionary[Engine, RecordingWorker]" = weakref.WeakKeyDictionary()


def _hub_of(hub_or_engine):
    if hasattr(hub_or_engine, "engine") and hasattr(hub_or_engine, "config"):
        return hub_or_engine
    return _hubs.get(hub_or_engine)


def admin_of(hub) -> JanusAdmin | None:
    settings = getattr(hub.config, "janus", None) if hub is not None else None
    return JanusAdmin(settings) if settings is not None else None


def apply(hub, live_id: str) -> None:
    """`sync` in a transaction of its own, then wake the worker if a take was closed."""
    with hub.engine.begin() as conn:
        closed = sync(conn, admin_of(hub), live_id, record_dir(hub.config, live_id))
    if closed:
        wake(hub)


def presence_changed(hub_or_engine: Any, live_id: str) -> None:
    """Someone joined or left live session `live_id` (or was handed a ticket to join): re-decide whether its
    recording runs. Never raises into the attendance path: a failure is logged, the next change decides again."""
    hub = _hub_of(hub_or_engine)
    if hub is None:
        log.warning("live %s: presence changed on a hub whose recording is not installed", live_id)
        return
    try:
        apply(hub, live_id)
    except Exception as error:  # noqa: BLE001  (attendance must go on; the type only, no patient data)
        log.error("live %s: recording not re-decided: %s", live_id, type(error).__name__, exc_info=error)


def session_ended(hub_or_engine: Any, live_id: str) -> None:
    """The session ended (its room destroyed or about to be): close the take and post-process it."""
    presence_changed(hub_or_engine, live_id)


def wake(hub) -> None:
    worker = _workers.get(hub.engine)
    if worker is not None:
        worker.wake()


def register(hub) -> "RecordingWorker":
    """Tie `hub` (routes.common.Hub) to its engine for `presence_changed(engine, ...)` and start its worker."""
    _hubs[hub.engine] = hub
    worker = _workers.get(hub.engine)
    if worker is None:
        worker = _workers[hub.engine] = RecordingWorker(hub)
        worker.start()
    return worker


# -- post-processing ------------------------------------------------------------------------------

_LIVE_WORKERS: set[str] = set()  # this process's running workers (a claim of a stopped one is void)


class RecordingWorker:
    """Turns closed takes into stored recordings, in a thread of its own: ending a session never waits."""

    def __init__(self, hub, poll_s: float = 30.0):
        self.hub, self.poll_s = hub, poll_s
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._event = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-recording", daemon=True)

    def start(self) -> None:
        _LIVE_WORKERS.add(self.id)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._event.set()
        self._thread.join(timeout_s)
        _LIVE_WORKERS.discard(self.id)

    def wake(self) -> None:
        self._event.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.pass_once()
            except Exception as error:  # noqa: BLE001  (the next pass tries again)
                log.error("recording worker pass failed: %s", type(error).__name__, exc_info=error)
            self._event.wait(self.poll_s)
            self._event.clear()

    def pass_once(self) -> int:
        """Close the takes of sessions that ended without telling us, re-decide those held up, then process every
        pending take."""
        done = 0
        with self.hub.engine.begin() as conn:
            t = _live_tables().live_sessions
            stale = conn.execute(select(live_recordings.c.live_id).join(t, t.c.id == live_recordings.c.live_id)
                                 .where(t.c.state != "open", live_recordings.c.requested.is_(True))).scalars().all()
            # Held up by someone let in who never reached the room: their ticket stops counting after
            # ARRIVING_S, and no presence change may come to say so.
            held = conn.execute(select(live_recordings.c.live_id).join(t, t.c.id == live_recordings.c.live_id)
                                .where(t.c.state == "open", live_recordings.c.requested.is_(True),
                                       live_recordings.c.running.is_(False))).scalars().all()
        for live_id in [*stale, *held]:
            apply(self.hub, live_id)
        with self.hub.engine.begin() as conn:
            pending = conn.execute(select(live_recordings.c.live_id)
                                   .where(live_recordings.c.pending.is_(True))).scalars().all()
        for live_id in pending:
            if self._stop.is_set():
                break
            if self._claim(live_id):
                try:
                    done += self._process(live_id)
                finally:
                    self._release(live_id)
        return done

    def _claim(self, live_id: str) -> bool:
        now = _now()
        with self.hub.engine.begin() as conn:
            row = _row(conn, live_id, lock=True)
            if row is None or not row.pending:
                return False
            holder = (row.files or {}).get("by", "")
            until = row.claimed_until
            if until is not None and until.tzinfo is None:
                until = until.replace(tzinfo=timezone.utc)
            if until is not None and until > now and holder != self.id and not _void(holder):
                return False
            conn.execute(update(live_recordings).where(live_recordings.c.live_id == live_id)
                         .values(claimed_until=now + LEASE, files={**(row.files or {}), "by": self.id}))
            return True

    def _release(self, live_id: str) -> None:
        with self.hub.engine.begin() as conn:
            conn.execute(update(live_recordings).where(live_recordings.c.live_id == live_id)
                         .values(claimed_until=None))

    def _process(self, live_id: str) -> int:
        folder = record_dir(self.hub.config, live_id)
        stored = 0
        takes = sorted(p for p in folder.glob("take-*") if p.is_dir() and not (p / "done").exists())
        for take in takes:
            try:
                stored += self._process_take(live_id, take)
                (take / "done").write_text(_now().isoformat())
                remove_work_files(take)
            except Exception as error:  # noqa: BLE001  (kept pending: the next pass tries again)
                log.error("live %s: %s not processed: %s", live_id, take.name, error)
                with self.hub.engine.begin() as conn:
                    conn.execute(update(live_recordings).where(live_recordings.c.live_id == live_id)
                                 .values(error=f"{take.name}: {type(error).__name__}: {str(error)[:300]}"))
                return stored
        with self.hub.engine.begin() as conn:
            row = _row(conn, live_id, lock=True)
            left = [p for p in folder.glob("take-*") if p.is_dir() and not (p / "done").exists()]
            if row is not None and not left:
                conn.execute(update(live_recordings).where(live_recordings.c.live_id == live_id)
                             .values(pending=False, error=""))
        return stored

    def _process_take(self, live_id: str, take: Path) -> int:
        out = take / "out"
        out.mkdir(exist_ok=True)
        made = 0
        for user, segments in group_segments(take).items():
            document_id = recording_id(live_id, take.name, user)
            with self.hub.engine.begin() as conn:
                if conn.execute(select(resources.c.id).where(resources.c.type == "DocumentReference",
                                                             resources.c.id == document_id)).first():
                    continue  # stored before a restart
            result = render_participant(segments, out / f"user-{_safe(user)}")
            if result is None:
                continue
            path, start, end, video = result
            with self.hub.engine.begin() as conn:
                if store_recording(conn, self.hub, live_id, take.name, user, path, start, end, video):
                    made += 1
        return made


def _void(holder: str) -> bool:
    """A claim by a worker of this machine that is no longer running (a crashed or restarted hub)."""
    host, _, rest = holder.partition(":")
    pid, _, _worker = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return holder not in _LIVE_WORKERS
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recording_id(live_id: str, take: str, user: str) -> str:
    """The DocumentReference id of one participant's recording in one take: fixed, so nothing is stored twice."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:diemcau:live-recording:{live_id}:{take}:{user}"))


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:80]


@dataclass(frozen=True)
class Segment:
    """One running stretch of one publisher: its audio and video .mjr (either may be missing)."""
    time_us: int
    audio: Path | None
    video: Path | None


def group_segments(take: Path) -> dict[str, list[Segment]]:
    """Janus participant id -> its segments in time order (a pause closes the files, a resume opens new ones)."""
    by_user: dict[str, list[tuple[int, str, Path]]] = {}
    for path in take.glob("*.mjr"):
        match = _MJR.fullmatch(path.name)
        if match is None or match["kind"] == "data":
            continue
        by_user.setdefault(match["user"], []).append((int(match["time"]), match["kind"], path))
    out: dict[str, list[Segment]] = {}
    for user, files in by_user.items():
        segments: list[dict] = []
        for stamp, kind, path in sorted(files):
            # audio and video of one stretch open within moments of each other
            if not segments or kind in segments[-1] or stamp - segments[-1]["time"] > 2_000_000:
                segments.append({"time": stamp})
            segments[-1][kind] = path
        out[user] = [Segment(s["time"], s.get("audio"), s.get("video")) for s in segments]
    return out


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=TOOL_TIMEOUT_S,
                          check=False)


def _codec(mjr: Path) -> str:
    answer = _run(["janus-pp-rec", "--json", str(mjr)])
    try:
        return str(json.loads(answer.stdout.strip().splitlines()[-1]).get("c", "")).lower()
    except (ValueError, IndexError, AttributeError):
        return ""


def _convert(mjr: Path, target: Path) -> Path | None:
    """janus-pp-rec: the .mjr's packets into a playable file; None when it held nothing usable."""
    answer = _run(["janus-pp-rec", str(mjr), str(target)])
    if answer.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        log.info("janus-pp-rec made nothing of %s: %s", mjr.name, answer.stderr[-300:])
        return None
    return target


def render_participant(segments: list[Segment], stem: Path) -> tuple[Path, datetime, datetime, bool] | None:
    """One file of the participant's audio and video over all their segments: (path, start, end, has video),
    or None when nothing of theirs was usable."""
    parts: list[Path] = []
    webm, seen_video = True, False
    for n, segment in enumerate(segments):
        audio = _convert(segment.audio, stem.with_name(f"{stem.name}-{n}-audio.opus")) if segment.audio else None
        video = None
        if segment.video is not None:
            codec = _codec(segment.video)
            webm = webm and codec in ("vp8", "vp9", "")
            suffix = ".webm" if codec in ("vp8", "vp9", "") else ".mkv"
            video = _convert(segment.video, stem.with_name(f"{stem.name}-{n}-video{suffix}"))
            seen_video = seen_video or video is not None
        inputs = [p for p in (video, audio) if p is not None]
        if not inputs:
            continue
        part = stem.with_name(f"{stem.name}-{n}.mkv")
        args = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y"]
        for p in inputs:
            args += ["-i", str(p)]
        for i in range(len(inputs)):
            args += ["-map", str(i)]
        answer = _run(args + ["-c", "copy", str(part)])
        if answer.returncode != 0:
            raise RuntimeError(f"ffmpeg could not mux {part.name}: {answer.stderr[-300:]}")
        parts.append(part)
    if not parts:
        return None
    target = stem.with_name(stem.name + (".webm" if webm else ".mkv"))
    listing = stem.with_name(stem.name + "-parts.txt")
    listing.write_text("".join(f"file '{p.name}'\n" for p in parts))
    answer = _run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i",
                   str(listing), "-c", "copy", str(target)])
    if answer.returncode != 0:
        raise RuntimeError(f"ffmpeg could not join {target.name}: {answer.stderr[-300:]}")
    start = datetime.fromtimestamp(segments[0].time_us / 1e6, timezone.utc)
    end = datetime.fromtimestamp(max(p.stat().st_mtime for p in parts), timezone.utc)
    for p in segments:
        for f in (p.audio, p.video):
            if f is not None:
                end = max(end, datetime.fromtimestamp(f.stat().st_mtime, timezone.utc))
    return target, start, end, seen_video


def store_recording(conn: Connection, hub, live_id: str, take: str, user: str, path: Path, start: datetime,
                    end: datetime, video: bool = True) -> bool:
    """`path` kept in the file store and described by a DocumentReference of the session's consultation."""
    import base64
    import hashlib

    from ..store import fhir_instant

    session = session_row(conn, live_id)
    if session is None:
        return False
    request = conn.execute(select(resources).where(resources.c.type == "ServiceRequest",
                                                   resources.c.id == session.request_id)).first()
    if request is None:
        return False
    t = _live_tables().live_attendance
    who = conn.execute(select(t.c.display, t.c.site).where(t.c.session_id == live_id, t.c.participant == user)
                       .order_by(t.c.joined_at)).first()
    display = who.display if who is not None else user
    if who is not None and who.site and who.site not in who.display:
        display = f"{who.display} ({who.site})"
    document_id = recording_id(live_id, take, user)
    webm = path.suffix == ".webm"
    filename = f"ghi-hinh-hoi-chan-{session.request_id}-{take}-{_safe(user)[:12]}{path.suffix}"
    upload = hub.files.keep_file(conn, WRITER_ID, request.facility, path,
                                 {"documentreference": document_id, "filename": filename})
    sha1 = hashlib.sha1()
    with path.open("rb") as f:
        while block := f.read(1024 * 1024):
            sha1.update(block)
    writer = Principal(client_id=WRITER_ID, kind="station", facility=request.facility, name="Điểm Cầu hub")
    reference = wire.recording_reference(
        document_id, request.id, (request.patient_id or ""), live_id, f"/files/{upload.id}",
        ("video/webm" if video else "audio/webm") if webm else "video/x-matroska", upload.length, base64.b64encode(sha1.digest()).decode(),
        upload.sha256, fhir_instant(_now()), f"Ghi hình hội chẩn trực tuyến — {display}", fhir_instant(start),
        fhir_instant(end), display)
    hub.store.put(conn, writer, reference, service=True)
    row = _row(conn, live_id, lock=True)
    if row is not None:
        conn.execute(update(live_recordings).where(live_recordings.c.live_id == live_id)
                     .values(documents=list(row.documents or []) + [document_id]))
    return True


def unprocessed(folder: Path) -> list[Path]:
    """Take folders not yet turned into stored recordings (for the operator's eyes)."""
    return sorted(p for p in folder.glob("take-*") if p.is_dir() and not (p / "done").exists())


def remove_work_files(take: Path) -> None:
    """The intermediate files of a processed take (the .mjr originals stay: nothing recorded is deleted)."""
    shutil.rmtree(take / "out", ignore_errors=True)


__all__ = ["OFF", "ON", "PAUSED", "WAITING", "Party", "RecordingWorker", "apply", "ask_recording", "consent_record",
           "give_consent",
           "live_recordings", "present",
           "presence_changed", "record_dir", "recording_view", "register", "request", "session_ended", "sync"]
