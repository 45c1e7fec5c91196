"""Revoked clients and disabled console accounts still sitting in a live room are taken out by the running hub.

`diemcau-hub revoke` and `diemcau-hub user disable` run in a process of their own that knows neither the hub's
Janus nor its workers; revocation only stopped the next request and the next join, while a stolen station
already in the room went on seeing and hearing the case until the session ended. So each hub worker looks every
few seconds (one query on the open sessions, by index; nothing found when no session is open) for open
attendance whose client is revoked or whose person is disabled, has Janus withdraw its tickets and kick it
(`service.withdraw`, `service.remove_impostors`), then closes its attendance. Several workers may sweep at once
(PostgreSQL): the Janus requests are then asked twice (the second finds nobody), the attendance closed once.
A Janus that does not answer leaves the attendance open: the next sweep asks again.
"""

import logging
import threading
from datetime import UTC, datetime

from sqlalchemy import and_, exists, func, or_, select, update

from .. import audit
from ..console.tables import people
from ..tables import clients
from . import recording, service
from .tables import live_attendance, live_sessions

log = logging.getLogger(__name__)

SWEEP_S = 3.0
PERSON = "person:"


def _gone_in_rooms(conn) -> list:
    """Open attendance rows of open sessions whose client is revoked or whose console account is disabled."""
    who = live_attendance.c.who
    revoked = exists().where(clients.c.id == who, clients.c.revoked_at.is_not(None))
    disabled = and_(who.startswith(PERSON), exists().where(
        people.c.id == func.substr(who, len(PERSON) + 1), people.c.disabled_at.is_not(None)))
    return conn.execute(select(live_attendance.c.id, who, live_attendance.c.session_id).join(
        live_sessions, live_sessions.c.id == live_attendance.c.session_id).where(
        live_sessions.c.state == service.OPEN, live_attendance.c.left_at.is_(None), or_(revoked, disabled))).all()


def sweep(hub) -> int:
    """One pass: the attendance rows closed by this worker (0 when nobody revoked sits in a room)."""
    if hub.config.janus is None:
        return 0
    with hub.engine.begin() as conn:
        found = _gone_in_rooms(conn)
    closed = 0
    for who in sorted({row.who for row in found}):
        with hub.engine.begin() as conn:
            followups = service.withdraw(conn, who)
        if not service.remove_impostors(hub.config, followups):
            log.warning("live sweep: Janus did not answer; a revoked participant is taken out at the next pass")
            continue
        rows = [row for row in found if row.who == who]
        with hub.engine.begin() as conn:
            # Conditional: a worker sweeping at the same time, or Janus's own `kicked` event, may have closed it.
            done = conn.execute(update(live_attendance).where(
                live_attendance.c.id.in_([row.id for row in rows]), live_attendance.c.left_at.is_(None))
                .values(left_at=datetime.now(UTC))).rowcount
            if done:
                for session_id in sorted({row.session_id for row in rows}):
                    audit.record(conn, who, "live-withdrawn", 200, "LiveSession", session_id)
        closed += done
        for session_id in sorted({row.session_id for row in rows}) if done else ():
            recording.presence_changed(hub, session_id)  # someone who had not agreed to recording may be gone
    return closed


class Sweeper:
    """`sweep` every `period_s` in a thread of its own, until `stop`; `wake` for a pass at once."""

    def __init__(self, hub, period_s: float = SWEEP_S):
        self.hub, self.period_s = hub, period_s
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-sweep", daemon=True)

    def start(self) -> "Sweeper":
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sweep(self.hub)
            except Exception as error:  # noqa: BLE001  (the database or Janus busy: the next pass tries again)
                log.error("live sweep failed: %s", type(error).__name__, exc_info=error)
            self._wake.wait(self.period_s)
            self._wake.clear()


def start(app) -> None:
    """Sweep in this hub worker while its app runs (nothing without a Janus); stopped with the app."""
    hub = app.state.hub
    if hub.config.janus is None:
        return
    sweeper = app.state.live_sweeper = Sweeper(hub).start()

    async def stop():
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(sweeper.stop)
    app.state.on_shutdown.append(stop)


def now(app) -> None:
    """Sweep at once (an account just disabled on the admin page, in this worker); never fails the caller: the
    periodic sweep tries again."""
    try:
        sweep(app.state.hub)
    except Exception as error:  # noqa: BLE001
        log.error("live sweep failed: %s", type(error).__name__, exc_info=error)
