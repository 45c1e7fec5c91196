"""Push from the hub: a listener that asks for a sync pass the moment the hub says there is news.

The hub's GET /events (Server-Sent Events) names what changed (kind, type, id, consultation) and
a cursor, never the content: the pass reads it through the API as it always does. The listener
remembers the last cursor (sync_state), so after a cut it resumes where it was; polling every
minute stays the fallback, so a dead hub or a cut link costs speed, never a record.

Two threads: one reads the stream (reconnecting with jittered backoff), one runs the passes
(one at a time; a burst of events during a pass makes one more pass after it, not one each).
Neither ever waits on the GUI, and `stop()` ends both.
"""

import json
import logging
import random
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import httpx

from app.storage.db import Database

from .hub_client import Credential, HubClient, HubError

log = logging.getLogger(__name__)

HEARTBEAT_S = 15.0          # the hub's; a stream silent for three of them is dead
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 60.0
NO_CREDENTIAL_WAIT_S = 30.0


@dataclass(frozen=True)
class HubEvent:
    cursor: int
    kind: str       # request, question, note, reply, status, conclusion, minutes, outcome, task
    type: str       # the record's resource type
    id: str
    request: str    # the consultation (ServiceRequest id)
    live: str = ""  # an invitation's live session
    sender: str = ""  # an invitation's inviting site, as the hub names it ("from")


def sse_messages(lines: Iterable[str]) -> Iterator[tuple[str | None, str, str]]:
    """(id or None, event name, data) of each message of a text/event-stream; comments skipped.

    A message with an id and no data moves the cursor only (the hub sends one at heartbeats).
    """
    event_id, name, data = None, "", []
    for line in lines:
        if line == "":
            if event_id is not None or data:
                yield event_id, name or "message", "\n".join(data)
            event_id, name, data = None, "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "id":
            event_id = value
        elif field == "event":
            name = value
        elif field == "data":
            data.append(value)


def hub_event(data: str) -> HubEvent | None:
    try:
        body = json.loads(data)
        return HubEvent(int(body["cursor"]), str(body["kind"]), str(body["type"]), str(body["id"]),
                        str(body.get("request") or ""), str(body.get("live") or ""), str(body.get("from") or ""))
    except (ValueError, KeyError, TypeError):
        return None


class PushListener:
    def __init__(self, credential: Callable[[], Credential | None], db: Database, on_event: Callable[[], object],
                 heartbeat_s: float = HEARTBEAT_S, on_hub_event: Callable[[HubEvent], object] | None = None):
        """`credential()`: the station's current one (None: not enrolled; asked again at each connection).
        `on_event()`: runs a sync pass (on the listener's own pass thread, never two at once).
        `on_hub_event(event)`: each event as it comes (on the stream's thread; must not block), for what a
        pass does not carry: an invitation to a live consultation."""
        self._credential = credential
        self._db = db
        self._on_event = on_event
        self._on_hub_event = on_hub_event
        self._read_timeout_s = 3 * heartbeat_s
        self._stopping = threading.Event()
        self._wanted = threading.Condition()
        self._pass_due = False
        self._response = None
        self._response_lock = threading.Lock()
        self.connected = threading.Event()  # set while a stream is open (for the status line and tests)
        self.events_seen = 0
        self._threads = [threading.Thread(target=self._listen, name="push-listener", daemon=True),
                         threading.Thread(target=self._passes, name="push-passes", daemon=True)]

    def start(self) -> "PushListener":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> bool:
        """End both threads; True when they have ended (a pass in progress is waited for)."""
        self._stopping.set()
        with self._response_lock:
            if self._response is not None:
                interrupt(self._response)
        with self._wanted:
            self._wanted.notify_all()
        for thread in self._threads:
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join(timeout_s)
        return not any(t.is_alive() for t in self._threads)

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    # -- passes --------------------------------------------------------------------------------

    def request_pass(self) -> None:
        with self._wanted:
            self._pass_due = True
            self._wanted.notify()

    def _passes(self) -> None:
        while True:
            with self._wanted:
                while not self._pass_due and not self._stopping.is_set():
                    self._wanted.wait()
                if self._stopping.is_set():
                    return
                self._pass_due = False  # events from here on make one more pass after this one
            try:
                self._on_event()
            except Exception:  # noqa: BLE001 (the pass reports its own failures; polling goes on regardless)
                log.exception("a sync pass asked for by push failed")

    # -- the stream ----------------------------------------------------------------------------

    def _listen(self) -> None:
        backoff, client, key = FIRST_BACKOFF_S, None, None
        try:
            while not self._stopping.is_set():
                credential = self._credential()
                if credential is None:
                    self._stopping.wait(NO_CREDENTIAL_WAIT_S)
                    continue
                if client is None or key != credential:
                    if client is not None:
                        client.close()
                    client, key = HubClient(credential, timeout=20.0), credential
                try:
                    if self._follow(client, credential):
                        backoff = FIRST_BACKOFF_S  # it was open: a cut link, a hub restart, a new token
                except (httpx.HTTPError, HubError, OSError) as error:
                    if not self._stopping.is_set():
                        log.info("push: no stream from the hub (%s); polling goes on", error)
                finally:
                    self.connected.clear()
                # Jitter: a hub restart does not bring every station back in the same second.
                self._stopping.wait(backoff * random.uniform(0.5, 1.5))
                backoff = min(backoff * 2, MAX_BACKOFF_S)
        finally:
            if client is not None:
                client.close()

    def _follow(self, client: HubClient, credential: Credential) -> bool:
        """Read one stream until it ends; True if it was open."""
        key = f"push_cursor:{credential.client_id}"  # cursors of another hub mean nothing here
        cursor = self._cursor(key)
        headers = {"Authorization": f"Bearer {client.token()}", "Accept": "text/event-stream"}
        timeout = httpx.Timeout(20.0, read=self._read_timeout_s)
        with httpx.Client(timeout=timeout) as http:
            with http.stream("GET", f"{client.base}/events", headers=headers,
                             params={"after": cursor} if cursor else None) as response:
                if response.status_code == 401:
                    client.forget_token()  # expired or revoked: a new one, or a refusal, next time
                if response.status_code != 200:
                    response.read()
                    log.info("push: the hub answered %s to GET /events", response.status_code)
                    return False
                with self._response_lock:
                    if self._stopping.is_set():
                        return True
                    self._response = response
                try:
                    self.connected.set()
                    for event_id, name, data in sse_messages(response.iter_lines()):
                        if name == "end":
                            client.forget_token()
                            break  # the hub cut the stream (the token ran out): reconnect with a new one
                        if event_id and event_id.isdigit():
                            self._save_cursor(key, event_id)
                        event = hub_event(data) if data else None
                        if event is not None:
                            self.events_seen += 1
                            self.request_pass()
                            if self._on_hub_event is not None:
                                try:
                                    self._on_hub_event(event)
                                except Exception:  # noqa: BLE001 (a listener's bug must not end the stream)
                                    log.exception("push: an event listener failed")
                finally:
                    with self._response_lock:
                        self._response = None
        return True

    def _cursor(self, key: str) -> str:
        from app.storage.outbox import SyncState  # the ORM: not at start-up (tests/unit/test_startup_imports.py)

        try:
            with self._db.transaction() as session:
                return SyncState().get(session, key)
        except Exception:  # noqa: BLE001 (a busy database: start from now; the pass after catches up)
            log.warning("push: the saved cursor could not be read", exc_info=True)
            return ""

    def _save_cursor(self, key: str, cursor: str) -> None:
        from app.storage.outbox import SyncState

        try:
            with self._db.transaction() as session:
                SyncState().set(session, key, cursor)
        except Exception:  # noqa: BLE001 (not saved: the next connection is told these events again)
            log.warning("push: the cursor could not be saved", exc_info=True)


def interrupt(response: httpx.Response) -> None:
    """Wake the thread blocked reading `response`: closing it from here would not (a blocked recv
    ignores another thread's close); shutting its socket down does."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # gone already
