"""Waking one hub worker's subscribers when events may have committed.

PostgreSQL: one LISTEN connection per worker process, on a thread of its own, reconnecting with
backoff; the NOTIFY a writing transaction sends reaches every worker when it commits. SQLite (the
embedded hub, one process): the connection that wrote events wakes the subscribers when it goes
back to the pool (after its commit), and a once-a-second look at the newest id catches writes of
any other process on the same file.

A wake says only "look again": subscribers read the table from their own cursor, so a lost
notification (a reconnect, a restart) costs at most one heartbeat of delay, never an event.
"""

import asyncio
import logging
import random
import threading

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from .record import CHANNEL

log = logging.getLogger("diemcau.hub.events")

SQLITE_LOOK_S = 1.0
MAX_BACKOFF_S = 30.0


class Broker:
    def __init__(self, engine: Engine):
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._start_lock = asyncio.Lock()
        if not self._postgres:
            sa_event.listen(engine, "checkin", self._on_checkin)

    async def start(self) -> None:
        """Begin listening (once; from the worker's event loop), waiting a little for the first LISTEN."""
        async with self._start_lock:
            if self._thread is not None:
                return
            self._loop = asyncio.get_running_loop()
            self._changed = asyncio.Event()
            self._thread = threading.Thread(target=self._listen if self._postgres else self._look,
                                            name="hub-events", daemon=True)
            self._thread.start()
        # A subscriber reads the table after this: anything committed later is notified.
        await asyncio.to_thread(self._ready.wait, 5.0)

    def changed(self) -> asyncio.Event:
        """Set at the next wake: take it before reading, so a wake during the read is not lost."""
        return self._changed

    def wake(self) -> None:
        """From any thread."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._set)

    def _set(self) -> None:
        fired, self._changed = self._changed, asyncio.Event()
        fired.set()

    async def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5.0)

    # -- PostgreSQL ----------------------------------------------------------------------------

    def _listen(self) -> None:
        import psycopg

        conninfo = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    backoff = 0.5
                    self.wake()  # whatever committed while we were not listening
                    while not self._stop.is_set():
                        if any(True for _ in conn.notifies(timeout=1.0, stop_after=1)):
                            self.wake()
            except psycopg.Error as error:
                self._ready.set()  # subscribers go on at heartbeat pace meanwhile
                log.warning("events: LISTEN connection lost (%s); again in %.1f s", type(error).__name__, backoff)
                self._stop.wait(backoff * random.uniform(0.5, 1.0))
                backoff = min(backoff * 2, MAX_BACKOFF_S)

    # -- SQLite --------------------------------------------------------------------------------

    def _on_checkin(self, _dbapi, record) -> None:
        if record.info.pop("diemcau_events", False):
            self.wake()

    def _look(self) -> None:
        newest = None
        self._ready.set()
        while not self._stop.wait(SQLITE_LOOK_S):
            try:
                now = self._newest()
            except Exception as error:  # noqa: BLE001 (a busy or vanished file: look again next second)
                log.debug("events: looking at the newest id failed: %s", error)
                continue
            if newest is not None and now != newest:
                self.wake()
            newest = now

    def _newest(self):
        # The driver's connection: no transaction, so no BEGIN IMMEDIATE taking the write lock each second.
        raw = self._engine.raw_connection()
        try:
            return raw.cursor().execute("SELECT max(id) FROM events").fetchone()[0]
        finally:
            raw.close()
