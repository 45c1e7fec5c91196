"""GET /events: Server-Sent Events of what the subscriber may read, from a cursor on.

Each event names its kind, the record's type and id, the consultation and its cursor; never
content: the client reads the record through the ordinary, access-checked API. Whether a
subscriber may have an event is decided when it is delivered, by the same rule as a read
(Principal.read_filter on the record's current row, so a re-routed consultation's events go to
its new experts and no longer to the old ones). The subscriber's credential is checked again at
every delivery and every heartbeat: a revoked client is cut within one heartbeat.
"""

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from .. import audit, auth
from ..access import Principal
from ..outcome import FhirError, unauthorized
from ..tables import resources
from .broker import Broker
from .record import events

BATCH = 500          # events read per look; a subscriber far behind catches up look by look
MAX_CURSOR_DIGITS = 18


class Subscribers:
    """How many streams each client has open in this worker process (bounded: a looping client
    cannot hold the worker's connections)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._open = Counter()

    def take(self, client_id: str) -> bool:
        if self._open[client_id] >= self.limit:
            return False
        self._open[client_id] += 1
        return True

    def give_back(self, client_id: str) -> None:
        self._open[client_id] -= 1
        if self._open[client_id] <= 0:
            del self._open[client_id]


def deliverable(conn: Connection, who: Principal, after: int) -> tuple[list, int]:
    """(events after cursor `after` that `who` may have now, the cursor to go on from)."""
    rows = conn.execute(select(events).where(events.c.id > after).order_by(events.c.id).limit(BATCH)).all()
    if not rows:
        return [], after
    wanted: dict[str, set[str]] = {}
    for row in rows:
        if row.client_id != who.client_id:  # not told of its own writes
            wanted.setdefault(row.resource_type, set()).add(row.resource_id)
    readable = set()
    invitations = {}
    for kind, ids in wanted.items():
        if kind == INVITATION:
            # Not a record: delivered to the invited facility's stations and the invited person only,
            # whoever may read the case (server/live/service.py).
            from ..live.service import invitations_for

            invitations = invitations_for(conn, who, sorted(ids))
            readable.update((kind, i) for i in invitations)
            continue
        query = select(resources.c.id).where(resources.c.type == kind, resources.c.id.in_(sorted(ids)),
                                             who.read_filter(kind))
        readable.update((kind, i) for i in conn.execute(query).scalars())
    out = [r for r in rows if (r.resource_type, r.resource_id) in readable and r.client_id != who.client_id]
    return [Invitation(r, *invitations[r.resource_id]) if r.resource_type == INVITATION else r for r in out], \
        rows[-1].id


INVITATION = "LiveInvitation"


class Invitation:
    """An invitation event as delivered: the live session it invites to and who invites (their site)."""

    def __init__(self, row, live: str, sender: str):
        self.id, self.kind, self.request_id, self.live, self.sender = row.id, row.kind, row.request_id, live, sender
        self.resource_type, self.resource_id, self.client_id = "LiveSession", live, row.client_id


def newest(conn: Connection) -> int:
    return conn.execute(select(func.max(events.c.id))).scalar() or 0


def frame(row) -> str:
    data = {"cursor": row.id, "kind": row.kind, "type": row.resource_type, "id": row.resource_id,
            "request": row.request_id}
    if isinstance(row, Invitation):
        data.update({"live": row.live, "from": row.sender})
    return f"id: {row.id}\nevent: {row.kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def requested_cursor(request: Request) -> int | None:
    """The cursor to resume after: Last-Event-ID (an EventSource reconnecting) or ?after=; None: from now."""
    given = request.headers.get("last-event-id") or request.query_params.get("after")
    if given is None or given == "":
        return None
    if not (given.isascii() and given.isdigit() and len(given) <= MAX_CURSOR_DIGITS):
        raise FhirError(400, "invalid", "the event cursor (Last-Event-ID or after) must be a number the hub gave",
                        ["after"])
    return int(given)


class _EventStream(StreamingResponse):
    """Always watches for the client going away (ends the stream at once, freeing its slot)."""

    async def __call__(self, scope, receive, send) -> None:
        scope = {**scope, "asgi": {**scope.get("asgi", {}), "spec_version": "2.0"}}
        await super().__call__(scope, receive, send)


class EventStreams:
    """One per hub app: its broker, its subscriber bounds, its heartbeat."""

    def __init__(self, engine, broker: Broker, per_client: int, heartbeat_s: float):
        self.engine, self.broker, self.heartbeat_s = engine, broker, heartbeat_s
        self.subscribers = Subscribers(per_client)

    async def open(self, request: Request, identify: Callable[[Connection], Principal]) -> StreamingResponse:
        """A stream for whoever `identify(conn)` says is asking (FhirError 401 when nobody, or no longer)."""
        after = requested_cursor(request)
        who, after = await run_in_threadpool(self._begin, identify, after)
        if not self.subscribers.take(who.client_id):
            raise FhirError(429, "throttled", f"this client has {self.subscribers.limit} event streams open "
                            "already; close one first", headers={"Retry-After": "30"})
        try:
            await self.broker.start()
        except BaseException:
            self.subscribers.give_back(who.client_id)
            raise
        return _EventStream(self._events(identify, who, after), media_type="text/event-stream",
                            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    def _begin(self, identify, after: int | None) -> tuple[Principal, int]:
        client_id = ""
        try:
            with self.engine.begin() as conn:
                who = identify(conn)
                client_id = who.client_id
                audit.record(conn, who.client_id, "subscribe", 200, "", "")
                return who, newest(conn) if after is None else after
        except FhirError as error:
            with self.engine.begin() as conn:
                audit.record(conn, client_id, "subscribe", error.status, "", "")
            raise

    def _look(self, identify, after: int) -> tuple[list, int]:
        with self.engine.begin() as conn:
            who = identify(conn)  # revoked, expired, signed out: ends the stream
            return deliverable(conn, who, after)

    async def _events(self, identify, who: Principal, after: int):
        sent = after
        try:
            yield "retry: 5000\n: connected\n\n"
            beat = time.monotonic() + self.heartbeat_s
            while True:
                changed = self.broker.changed()
                try:
                    batch, after = await run_in_threadpool(self._look, identify, after)
                except FhirError:
                    yield "event: end\ndata: {\"reason\": \"unauthorized\"}\n\n"
                    return
                for row in batch:
                    yield frame(row)
                    sent = row.id
                if batch:
                    continue
                try:
                    await asyncio.wait_for(changed.wait(), max(0.0, beat - time.monotonic()))
                except TimeoutError:
                    # The cursor moves on past what this subscriber may not see, so a reconnect
                    # does not re-read it; told only at heartbeats, not as each event passes.
                    yield ": ping\n" + (f"id: {after}\n" if after > sent else "") + "\n"
                    sent = max(sent, after)
                    beat = time.monotonic() + self.heartbeat_s
        finally:
            self.subscribers.give_back(who.client_id)


def console_principal(token: str | None) -> Callable[[Connection], Principal]:
    """Who a console session is, checked again at each look: signed out, idle, disabled ends the stream.

    The stream itself does not keep the session alive (an open inbox is not someone at the screen).
    """
    def identify(conn: Connection) -> Principal:
        from ..console import sessions

        session = sessions.lookup(conn, token, touch=False)
        if session is None:
            raise unauthorized("the console session has ended: sign in again")
        return session.person.principal
    return identify


def events_router(hub, on_shutdown: list) -> APIRouter:
    """GET /events for bearer-token clients (stations, expert API clients), GET /console/events for
    console sessions (the cookie). `on_shutdown`: the app's list of closers; the broker's joins it."""
    broker = Broker(hub.engine)
    on_shutdown.append(broker.close)
    streams = EventStreams(hub.engine, broker, hub.config.events_per_client, hub.config.events_heartbeat_s)
    router = APIRouter()
    router.streams = streams

    @router.get("/events")
    async def subscribe(request: Request):
        authorization = request.headers.get("authorization")
        return await streams.open(request, lambda conn: auth.principal(conn, authorization, hub.config.secret))

    @router.get("/console/events", include_in_schema=False)  # the console's pages, not the API
    async def console_subscribe(request: Request):
        from ..console.sessions import COOKIE

        return await streams.open(request, console_principal(request.cookies.get(COOKIE)))
    return router
