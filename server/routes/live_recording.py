"""Consent to recording, and asking for it, over the bearer-token API: /live/{id}/consent, /live/{id}/recording.

The console calls the same functions (server/live/recording.py `give_consent`, `ask_recording`) under /console/live.
Both answer the session JSON (server/live/service.py `session_view`), whose "recording" says what runs.
"""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..live import recording
from ..live.recording import ask_recording, give_consent  # noqa: F401  (re-exported: the console imported them here)
from ..outcome import FhirError
from ..validation import check_id
from .common import Hub

KIND = "LiveSession"


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

    def answered(path: str, action: str, name: str, service) -> None:
        """POST `path` {name: true|false}: `service(conn, who, live_id, value, hub)` answers the session JSON,
        then the recording worker looks again."""
        async def route(live_id: str, request: Request):
            check_id(live_id, "the live session id")
            value = await flag(request, name)
            response = await hub.run(request, action, KIND, live_id, lambda conn, who: JSONResponse(
                service(conn, who, live_id, value, hub)))
            recording.wake(hub)
            return response
        router.add_api_route(path, route, methods=["POST"], name=action)

    answered("/live/{live_id}/consent", "live-consent", "recording", recording.give_consent)
    answered("/live/{live_id}/recording", "live-recording", "on", recording.ask_recording)

    @router.get("/live/{live_id}/consents")
    async def consents(live_id: str, request: Request):
        check_id(live_id, "the live session id")
        return await hub.run(request, "live-consents", KIND, live_id, lambda conn, who: JSONResponse(
            recording.consent_record(conn, who, live_id)))
    return router
