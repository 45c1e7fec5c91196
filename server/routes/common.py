"""What every route area shares: the hub's parts, one audited transaction per request, FHIR answers and errors."""

import logging
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from .. import audit, auth
from ..config import HubConfig
from ..fhirjson import dumps
from ..outcome import FHIR_JSON, FhirError, operation_outcome
from ..store import ResourceStore
from ..uploads import FileStore
from ..validation import SUPPORTED_TYPES, is_id, parse_json

log = logging.getLogger("diemcau.hub")

# Route (endpoint) names as the audit trail calls what they do.
_ROUTE_ACTIONS = {"put": "update", "instance_history": "history", "tus_create": "upload", "tus_head": "upload-head",
                  "tus_patch": "upload-patch", "tus_options": "upload-options"}


def fhir_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(body), status_code=status, media_type=FHIR_JSON, headers=headers)


def error_response(error: FhirError) -> Response:
    return fhir_response(error.outcome(), error.status, error.headers)


@dataclass(frozen=True)
class Hub:
    """The parts one hub's routes work with (one per create_app)."""
    engine: object
    config: HubConfig
    store: ResourceStore
    files: FileStore

    def run(self, request: Request, action: str | None, kind: str, resource_id: str, work):
        """`work(conn, who)` in one transaction; audited under `action` (None: a step another call audits)."""
        authorization = request.headers.get("authorization")
        engine, config = self.engine, self.config

        def job():
            client_id = ""
            try:
                with engine.begin() as conn:
                    who = auth.principal(conn, authorization, config.secret)
                    client_id = who.client_id
                    response = work(conn, who)
                    if action:
                        audit.record(conn, client_id, action, response.status_code, kind, resource_id)
                    return response
            except FhirError as error:
                with engine.begin() as conn:
                    audit.record(conn, client_id, action or "denied", error.status, kind, resource_id)
                raise
        return run_in_threadpool(job)

    async def json_body(self, request: Request, what: str):
        limit = self.config.max_resource_bytes
        declared = request.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise FhirError(413, "too-costly", f"{what} is {declared} bytes; the limit is {limit}")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise FhirError(413, "too-costly", f"{what} is larger than {limit} bytes")
        return parse_json(bytes(body), what)

    def public_base(self, request: Request) -> str:
        """The hub's own address in what it writes (links, the token endpoint): the configured one."""
        return self.config.public_url or str(request.base_url).rstrip("/")

    def audit_failure(self, request: Request, error: Exception) -> None:
        """A 500 is audited like any answer: who, which route and record, and the error's type (never its text)."""
        route = request.scope.get("route")
        name = getattr(route, "name", "") or "request"
        params = request.path_params
        kind = params.get("kind", "") if params.get("kind") in SUPPORTED_TYPES else ""
        record_id = next((v for k, v in params.items() if k in ("resource_id", "upload_id", "study")), "")
        detail = f"{request.method} {getattr(route, 'path', '?')}: {type(error).__name__}"
        try:
            with self.engine.begin() as conn:
                audit.record(conn, auth.client_of(request.headers.get("authorization"), self.config.secret),
                             _ROUTE_ACTIONS.get(name, name)[:16], 500, kind, record_id if is_id(record_id) else "",
                             detail)
        except Exception as failure:  # the database itself may be what failed
            log.error("the internal error could not be audited: %s", type(failure).__name__)


def add_error_handlers(app: FastAPI, hub: Hub) -> None:
    """Errors: always an OperationOutcome, never a bare 500 page."""

    @app.exception_handler(FhirError)
    async def on_fhir_error(_request, error: FhirError):
        return error_response(error)

    @app.exception_handler(HTTPException)
    async def on_http_error(_request, error: HTTPException):
        code = {404: "not-found", 405: "not-supported"}.get(error.status_code, "processing")
        text = "no such endpoint" if error.status_code == 404 else str(error.detail)
        return fhir_response(operation_outcome(code, text), error.status_code)

    @app.exception_handler(RequestValidationError)
    async def on_request_error(_request, error: RequestValidationError):
        return fhir_response(operation_outcome("invalid", str(error.errors()[:3])), 400)

    @app.exception_handler(ClientDisconnect)
    async def on_client_gone(request: Request, _error: ClientDisconnect):
        # A district link dropped mid-body: routine, and nobody is listening for the answer.
        log.info("client went away during %s %s", request.method, request.url.path)
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def on_bug(request: Request, error: Exception):
        # The type only: a message may quote patient data.
        log.error("internal error %s", type(error).__name__, exc_info=error)
        await run_in_threadpool(hub.audit_failure, request, error)
        return fhir_response(operation_outcome("exception", "internal error in the hub; it has been logged",
                                               severity="fatal"), 500)
