"""Open endpoints: the capability statement, enrollment with a one-time code, and access tokens."""

import ipaddress
import json
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from .. import audit, auth
from ..capability import capability_statement
from ..outcome import FhirError
from .common import Hub, fhir_response


def enroll_router(hub: Hub) -> APIRouter:
    router = APIRouter()
    engine, config = hub.engine, hub.config

    def token_audience(request: Request) -> str | None:
        """The `aud` a client assertion must carry; None when this request cannot have one.

        With a public URL, exactly <public URL>/auth/token, whatever the Host header says. Without
        one, the address the request came to, but only on this machine (sent from and to
        127.0.0.1/localhost: the embedded hub, tests): a Host header is the client's to write, and
        an assertion a fake hub collected would otherwise pass here with that hub's Host.
        """
        if config.public_url:
            return f"{config.public_url}/auth/token"
        if _loopback(request.url.hostname) and _loopback(request.client.host if request.client else None):
            return str(request.url_for("token"))
        return None

    @router.get("/metadata")
    async def metadata(request: Request):
        return fhir_response(capability_statement(hub.public_base(request)))

    @router.post("/enroll")
    async def enroll(request: Request):
        body = await hub.json_body(request, "the enrollment request")
        if not isinstance(body, dict) or not isinstance(body.get("code"), str) or not isinstance(body.get("jwk"), dict):
            raise FhirError(400, "required", "send {\"code\": \"the one-time code\", \"jwk\": {public key}}")

        def job():
            try:
                with engine.begin() as conn:
                    enrolled = auth.enroll(conn, body["code"], body["jwk"])
                    audit.record(conn, enrolled["client_id"], "enroll", 200)
                    return enrolled
            except FhirError as error:
                with engine.begin() as conn:
                    audit.record(conn, "", "enroll", error.status)
                raise
        enrolled = await run_in_threadpool(job)
        enrolled["token_endpoint"] = f"{config.public_url}/auth/token" if config.public_url \
            else str(request.url_for("token"))
        return Response(json.dumps(enrolled), media_type="application/json")

    @router.post("/auth/token", name="token")
    async def token(request: Request):
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != auth.ASSERTION_TYPE:
            return Response(json.dumps({"error": "unsupported_grant_type"}), 400, media_type="application/json")
        audience = token_audience(request)
        if audience is None:
            with engine.begin() as conn:
                audit.record(conn, "", "token", 401)
            return Response(json.dumps({"error": "invalid_client", "error_description": (
                "this hub has no public URL configured (diemcau-hub serve --public-url, DIEMCAU_HUB_PUBLIC_URL), "
                "so it gives tokens only to clients on its own machine")}), 401, media_type="application/json")

        def job():
            with engine.begin() as conn:
                client_id, answer = auth.issue_token(conn, form.get("client_assertion", ""), audience,
                                                     config.secret, config.token_lifetime)
                audit.record(conn, client_id, "token", 200)
                return answer
        try:
            answer = await run_in_threadpool(job)
        except FhirError as error:
            with engine.begin() as conn:
                audit.record(conn, "", "token", 401)
            return Response(json.dumps({"error": "invalid_client", "error_description": error.diagnostics}), 401,
                            media_type="application/json")
        return Response(json.dumps(answer), media_type="application/json", headers={"Cache-Control": "no-store"})

    return router


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address((host or "").strip("[]")).is_loopback
    except ValueError:
        return False
