"""Live consultations over the bearer-token API (stations, expert API clients): /live...

The console calls the same services (server/live/service.py) under /console/live. Refusals are
OperationOutcomes like every other answer of the hub, with a machine `code` beside them
(sfu-unavailable, not-invited, ended, not-host). Janus posts its events to /live/janus-events with
HTTP basic auth (the secret it shares with the hub), not a bearer token.
"""

import base64
import binascii
import hmac
import json
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from .. import audit
from ..live import service
from ..outcome import FhirError, unauthorized
from ..validation import check_id
from .common import Hub

log = logging.getLogger("diemcau.hub.live")
KIND = "LiveSession"
MAX_EVENTS_BYTES = 4 * 1024 * 1024  # one grouped post of Janus's event handler
MAX_BODY_BYTES = 64 * 1024  # a start or invitations: a few hundred ids at most


def presence_changed(hub: Hub, live_ids, ended: bool = False) -> None:
    """Tell recording (server/live/recording.py) that who is present changed, or that the session ended;
    never fails the caller."""
    try:
        from ..live import recording
    except ImportError:
        return
    changed = getattr(recording, "session_ended", None) if ended else None
    changed = changed or getattr(recording, "presence_changed", None)
    if changed is None:
        return
    for live_id in sorted(live_ids):
        try:
            changed(hub, live_id)
        except Exception as error:  # noqa: BLE001 (attendance is recorded whatever recording makes of it)
            log.error("recording: presence_changed failed for a live session: %s", type(error).__name__)


def live_router(hub: Hub) -> APIRouter:
    router = APIRouter()
    config = hub.config

    def answer(body: dict, status: int = 200) -> Response:
        return JSONResponse(body, status_code=status)

    def need_sfu() -> None:
        if config.janus is None:
            raise service.sfu_unavailable("no video server is configured on this hub")

    async def body_of(request: Request, what: str) -> dict:
        """Plain JSON (not FHIR's rules: an empty `invite` is fine), bounded like every body the hub reads."""
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY_BYTES:
                raise FhirError(413, "too-costly", f"{what} is larger than {MAX_BODY_BYTES} bytes")
        try:
            body = json.loads(bytes(raw) or b"{}")
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep (a 500 before)
            raise FhirError(400, "invalid", f"{what} is not JSON") from None
        if not isinstance(body, dict):
            raise FhirError(400, "invalid", f"{what} must be a JSON object")
        return body

    def after(live_id: str) -> dict:
        """The session as it is once recording has followed a leave or the end (the actor was checked already)."""
        with hub.engine.begin() as conn:
            return service.session_json(conn, live_id)

    @router.post("/live/janus-events", include_in_schema=False)
    async def janus_events(request: Request):
        """Janus's sampleevh: a JSON array (grouped) or one event, with HTTP basic auth."""
        settings = config.janus
        if settings is None or not settings.events_password or not _basic_ok(request, settings):
            await run_in_threadpool(_audit, hub, "janus", "live-events", 401)
            raise unauthorized("Janus's events need the hub's events user and password")
        raw = await request.body()
        if len(raw) > MAX_EVENTS_BYTES:
            raise FhirError(413, "too-costly", "the event post is too large")
        try:
            events = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            raise FhirError(400, "invalid", "Janus's events must be JSON") from None
        impostors: list = []

        def work():
            with hub.engine.begin() as conn:
                changed = service.record_janus_events(conn, events, impostors)
            service.remove_impostors(config, impostors)  # once the attendance that names them is committed
            return changed
        changed = await run_in_threadpool(work)
        if changed:
            await run_in_threadpool(presence_changed, hub, changed)
        return Response(status_code=200)

    @router.post("/live")
    async def start(request: Request):
        need_sfu()
        body = await body_of(request, "the live consultation")
        request_id = body.get("request")

        def work(conn, who):
            view, created = service.start(conn, who, config, request_id if isinstance(request_id, str) else "",
                                          body.get("invite") or {}, body.get("title") or "")
            return answer(view, 201 if created else 200)
        return await hub.run(request, "live-start", "ServiceRequest",
                             request_id if isinstance(request_id, str) else "", work)

    @router.get("/live")
    async def sessions(request: Request):
        need_sfu()
        return await hub.run(request, "live-list", KIND, "",
                             lambda conn, who: answer({"sessions": service.sessions_for(conn, who)}))

    async def on_session(request: Request, live_id: str, action: str, work) -> Response:
        """`work(conn, who)`'s JSON, in one transaction audited as `action`, once Janus and the id are checked."""
        need_sfu()
        check_id(live_id, "the live session id")
        return await hub.run(request, action, KIND, live_id, lambda conn, who: answer(work(conn, who)))

    @router.get("/live/{live_id}")
    async def session(live_id: str, request: Request):
        return await on_session(request, live_id, "live-read",
                                lambda conn, who: service.session_view(conn, who, live_id))

    @router.post("/live/{live_id}/invitations")
    async def invitations(live_id: str, request: Request):
        need_sfu()
        check_id(live_id, "the live session id")
        body = await body_of(request, "the invitations")
        return await hub.run(request, "live-invite", KIND, live_id,
                             lambda conn, who: answer(service.invite(conn, who, live_id, body)))

    @router.post("/live/{live_id}/join")
    async def join(live_id: str, request: Request):
        response = await on_session(request, live_id, "live-join",
                                    lambda conn, who: service.join_details(conn, who, config, live_id))
        await run_in_threadpool(presence_changed, hub, {live_id})  # someone on their way in
        return response

    @router.post("/live/{live_id}/leave")
    async def leave(live_id: str, request: Request):
        need_sfu()
        join = (await body_of(request, "the leave")).get("join", "")  # {"join": opaque id}: that join only
        await on_session(request, live_id, "live-leave",
                         lambda conn, who: service.leave(conn, who, config, live_id, join))
        await run_in_threadpool(presence_changed, hub, {live_id})
        return answer(await run_in_threadpool(after, live_id))

    @router.post("/live/{live_id}/end")
    async def end(live_id: str, request: Request):
        await on_session(request, live_id, "live-end", lambda conn, who: service.end(conn, who, config, live_id))
        await run_in_threadpool(presence_changed, hub, {live_id}, True)
        return answer(await run_in_threadpool(after, live_id))

    @router.get("/live/{live_id}/attendance")
    async def attendance(live_id: str, request: Request):
        return await on_session(request, live_id, "live-attendance",
                                lambda conn, who: service.attendance(conn, who, live_id))
    return router


def _basic_ok(request: Request, settings) -> bool:
    given = request.headers.get("authorization", "")
    if not given.lower().startswith("basic "):
        return False
    try:
        user, _, password = base64.b64decode(given[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    # Both compared, always, in constant time: the answer does not tell which was wrong.
    user_ok = hmac.compare_digest(user.encode(), settings.events_user.encode())
    return hmac.compare_digest(password.encode(), settings.events_password.encode()) and user_ok


def _audit(hub: Hub, client: str, action: str, status: int) -> None:
    with hub.engine.begin() as conn:
        audit.record(conn, client, action, status, KIND, "")
