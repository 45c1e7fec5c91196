"""Consent to recording, and asking for it, over the bearer-token API: /live/{id}/consent, /live/{id}/recording.

The console calls the same functions (server/live/consent.py, server/live/recording.py) under /console/live.
Both answer the session JSON (server/live/service.py `session_view`), whose "recording" says what runs.
"""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..access import Principal
from ..live import consent, recording, service
from ..outcome import FhirError
from ..validation import check_id
from .common import Hub

KIND = "LiveSession"


def give_consent(conn, who: Principal, live_id: str, agreed: bool, hub) -> dict:
    """`who` agrees to (or refuses, or withdraws from) the recording of session `live_id`; the session JSON.

    Anyone who may join the session answers for themselves; the recording follows at once."""
    session, _ = service._joinable(conn, who, live_id, lock=True)
    if session.state != service.OPEN:
        raise service.ended()
    consent.record(conn, live_id, consent.participant_key(who), service.site_of(who), service.display_of(who),
                   agreed)
    _sync(conn, hub, live_id)
    return service.session_view(conn, who, live_id)


def ask_recording(conn, who: Principal, live_id: str, on: bool, hub) -> dict:
    """The starter or a coordinator asks for the recording (`on`, which is also their own agreement) or stops
    it; it runs only once everyone present has agreed. The session JSON."""
    session, request = service._joinable(conn, who, live_id, lock=True)
    if session.state != service.OPEN:
        raise service.ended()
    if not service.may_end(who, session, request):
        raise service.LiveError(403, "not-host", "only whoever started this live consultation, or a coordinator of "
                                "the case's routing, may start or stop its recording", "forbidden")
    if on:
        consent.record(conn, live_id, consent.participant_key(who), service.site_of(who), service.display_of(who),
                       True)
    recording.request(conn, live_id, consent.participant_key(who), on)
    _sync(conn, hub, live_id)
    return service.session_view(conn, who, live_id)


def _sync(conn, hub, live_id: str) -> None:
    # The worker is woken after the transaction, whatever this closed (a closed take waits for the commit).
    recording.sync(conn, recording.admin_of(hub), live_id, recording.record_dir(hub.config, live_id))


def live_recording_router(hub: Hub, on_shutdown: list) -> APIRouter:
    """The routes, and the hub's recording worker (post-processing), stopped with the app."""
    router = APIRouter()
    worker = recording.register(hub) if hub.config.janus is not None else None
    if worker is not None:
        async def stop():
            await run_in_threadpool(worker.stop)
        on_shutdown.append(stop)

    async def flag(request: Request, name: str) -> bool:
        body = await hub.json_body(request, "the request")
        if not isinstance(body, dict) or not isinstance(body.get(name), bool):
            raise FhirError(400, "invalid", f"the body must be {{\"{name}\": true}} or {{\"{name}\": false}}", [name])
        return body[name]

    def need_sfu() -> None:
        if hub.config.janus is None:
            raise service.sfu_unavailable("no video server is configured on this hub")

    @router.post("/live/{live_id}/consent")
    async def give(live_id: str, request: Request):
        need_sfu()
        check_id(live_id, "the live session id")
        agreed = await flag(request, "recording")
        response = await hub.run(request, "live-consent", KIND, live_id, lambda conn, who: JSONResponse(
            give_consent(conn, who, live_id, agreed, hub)))
        recording.wake(hub)
        return response

    @router.post("/live/{live_id}/recording")
    async def ask(live_id: str, request: Request):
        need_sfu()
        check_id(live_id, "the live session id")
        on = await flag(request, "on")
        response = await hub.run(request, "live-recording", KIND, live_id, lambda conn, who: JSONResponse(
            ask_recording(conn, who, live_id, on, hub)))
        recording.wake(hub)
        return response
    return router
