"""The hub's HTTP API: FHIR R4 REST, enrollment and tokens, resumable uploads."""

import base64
import ipaddress
import json
import logging
import os
import re
import uuid
from collections import Counter
from contextlib import asynccontextmanager
from dataclasses import replace
from urllib.parse import parse_qs, urlencode

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from . import audit, auth
from .capability import capability_statement
from .config import HubConfig
from .db import make_engine, migrate
from .dicomweb import add_dicomweb_routes
from .fhirjson import dumps
from .openapi import openapi_document
from .outcome import FHIR_JSON, FhirError, Found, operation_outcome
from .store import (DEFAULT_COUNT, MAX_COUNT, ResourceStore, SearchParams, decode_page_token, etag, fhir_instant,
                    parse_instant)
from .uploads import (CHECKSUM_ALGORITHMS, OCTET_STREAM, TUS_VERSION, FileStore, check_upload_id, lock_file,
                      parse_checksum, parse_metadata)
from .validation import (SUPPORTED_TYPES, check_id, check_type, is_id, parse_json, parse_version_tag,
                         parse_whole_number, validate)

log = logging.getLogger("diemcau.hub")

# Route (endpoint) names as the audit trail calls what they do.
_ROUTE_ACTIONS = {"put": "update", "instance_history": "history", "tus_create": "upload", "tus_head": "upload-head",
                  "tus_patch": "upload-patch", "tus_options": "upload-options"}
_VERSION_ID = re.compile(r"[0-9]{1,9}")  # versions are counted from 1; more than 9 digits cannot exist
_COUNT = re.compile(r"[0-9]{1,9}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?")

SEARCH_CONTROL = {"_count", "_sort", "_page_token", "_format", "_pretty"}
SEARCH_PARAMS = {"_lastUpdated", "_id", "patient", "subject", "based-on"}
# How often one search may repeat a parameter, and all of them together: each becomes a condition
# in one SQL statement (a thousand made SQLite's expression tree too deep: a 500).
SEARCH_REPEATS = {"_lastUpdated": 4, "_id": 100}
SEARCH_REPEATS_OTHER = 10
SEARCH_ITEMS = 100
SEARCH_IDS = 100


def fhir_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(body), status_code=status, media_type=FHIR_JSON, headers=headers)


def error_response(error: FhirError) -> Response:
    return fhir_response(error.outcome(), error.status, error.headers)


def create_app(config: HubConfig, engine=None) -> FastAPI:
    engine = engine or make_engine(config.database_url)
    migrate(engine)
    store = ResourceStore()
    files = FileStore(config.files_dir)
    app = FastAPI(title="Điểm Cầu hub", docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  lifespan=_lifespan)
    description = openapi_document()  # by hand: these routes read the raw request, FastAPI cannot see what
    app.openapi = lambda: description
    app.state.engine = engine
    app.state.config = config
    app.state.on_shutdown = []

    # -- errors: always an OperationOutcome, never a bare 500 page -----------------------------

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
        await run_in_threadpool(audit_failure, request, error)
        return fhir_response(operation_outcome("exception", "internal error in the hub; it has been logged",
                                               severity="fatal"), 500)

    def audit_failure(request: Request, error: Exception) -> None:
        """A 500 is audited like any answer: who, which route and record, and the error's type (never its text)."""
        route = request.scope.get("route")
        name = getattr(route, "name", "") or "request"
        params = request.path_params
        kind = params.get("kind", "") if params.get("kind") in SUPPORTED_TYPES else ""
        record_id = next((v for k, v in params.items() if k in ("resource_id", "upload_id", "study")), "")
        detail = f"{request.method} {getattr(route, 'path', '?')}: {type(error).__name__}"
        try:
            with engine.begin() as conn:
                audit.record(conn, auth.client_of(request.headers.get("authorization"), config.secret),
                             _ROUTE_ACTIONS.get(name, name)[:16], 500, kind, record_id if is_id(record_id) else "",
                             detail)
        except Exception as failure:  # the database itself may be what failed
            log.error("the internal error could not be audited: %s", type(failure).__name__)

    # -- a request as one transaction, audited -----------------------------------------------

    def run(request: Request, action: str | None, kind: str, resource_id: str, work):
        """`work(conn, who)` in one transaction; audited under `action` (None: a step another call audits)."""
        authorization = request.headers.get("authorization")

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

    async def json_body(request: Request, what: str):
        declared = request.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > config.max_resource_bytes:
            raise FhirError(413, "too-costly", f"{what} is {declared} bytes; the limit is "
                            f"{config.max_resource_bytes}")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > config.max_resource_bytes:
                raise FhirError(413, "too-costly", f"{what} is larger than {config.max_resource_bytes} bytes")
        return parse_json(bytes(body), what)

    # -- open endpoints ----------------------------------------------------------------------

    def public_base(request: Request) -> str:
        """The hub's own address in what it writes (links, the token endpoint): the configured one."""
        return config.public_url or str(request.base_url).rstrip("/")

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

    @app.get("/metadata")
    async def metadata(request: Request):
        return fhir_response(capability_statement(public_base(request)))

    @app.post("/enroll")
    async def enroll(request: Request):
        body = await json_body(request, "the enrollment request")
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

    @app.post("/auth/token", name="token")
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

    # -- resumable uploads (tus) -------------------------------------------------------------

    tus_headers = {"Tus-Resumable": TUS_VERSION}

    def check_tus(request: Request):
        if request.headers.get("tus-resumable") != TUS_VERSION:
            raise FhirError(412, "not-supported", f"this hub speaks tus {TUS_VERSION}",
                            headers={"Tus-Version": TUS_VERSION})

    @app.options("/files")
    async def tus_options():
        return Response(status_code=204, headers={
            **tus_headers, "Tus-Version": TUS_VERSION, "Tus-Extension": "creation,checksum",
            "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS), "Tus-Max-Size": str(config.max_upload_bytes)})

    @app.post("/files")
    async def tus_create(request: Request):
        check_tus(request)
        length = parse_whole_number(request.headers.get("upload-length"), "Upload-Length")
        meta = parse_metadata(request.headers.get("upload-metadata"))

        def work(conn, who):
            upload = files.create(conn, who, length, meta, config.max_upload_bytes)
            if upload.length == 0 and not upload.complete:
                files.finish(conn, upload)
            return Response(status_code=201, headers={**tus_headers, "Location": f"/files/{upload.id}",
                                                      "Upload-Offset": str(upload.offset)})
        return await run(request, "upload", "file", "", work)

    @app.head("/files/{upload_id}")
    async def tus_head(upload_id: str, request: Request):
        check_tus(request)
        check_upload_id(upload_id)

        def work(conn, who):
            upload = files.get(conn, who, upload_id)
            offset = upload.length if upload.complete else upload.offset
            return Response(status_code=200, headers={**tus_headers, "Upload-Offset": str(offset),
                                                      "Upload-Length": str(upload.length),
                                                      "Cache-Control": "no-store"})
        return await run(request, "upload-head", "file", upload_id, work)

    @app.patch("/files/{upload_id}")
    async def tus_patch(upload_id: str, request: Request):
        check_tus(request)
        check_upload_id(upload_id)
        if request.headers.get("content-type", "").split(";")[0].strip() != OCTET_STREAM:
            raise FhirError(415, "not-supported", f"a PATCH must have Content-Type: {OCTET_STREAM}")
        offset = parse_whole_number(request.headers.get("upload-offset"), "Upload-Offset")
        checksum = parse_checksum(request.headers.get("upload-checksum"))
        found = await run(request, None, "file", upload_id,  # who may: before the file is touched
                          lambda conn, who: Found(files.get(conn, who, upload_id)))
        if found.value.complete:  # its partial file is gone (kept under its hash now)
            return Response(status_code=204, headers={**tus_headers, "Upload-Offset": str(found.value.length)})
        try:
            partial = files.partial(found.value.id).open("r+b")
        except FileNotFoundError:  # another PATCH finished it since (its file is kept under its hash now)
            raise FhirError(409, "conflict", "this upload was finished meanwhile: ask with HEAD") from None
        with partial as f:
            # One PATCH of an upload at a time, across worker processes: a killed station's bytes may
            # still be arriving when it restarts and PATCHes again. The lock is held until the commit.
            if not lock_file(f):
                raise FhirError(409, "conflict", "another PATCH of this upload is still arriving; ask with HEAD "
                                "and continue when it has ended")
            found = await run(request, None, "file", upload_id,  # the offset committed before we held the lock
                              lambda conn, who: Found(files.get(conn, who, upload_id)))
            upload = found.value
            if upload.complete:
                return Response(status_code=204, headers={**tus_headers, "Upload-Offset": str(upload.length)})
            if offset != upload.offset:
                raise FhirError(409, "conflict", f"Upload-Offset {offset} does not match the hub's {upload.offset}: "
                                "ask with HEAD and continue from there")
            digest = CHECKSUM_ALGORITHMS[checksum[0]]() if checksum else None
            received, cut = 0, False
            f.seek(upload.offset)
            f.truncate()  # what lies past the committed offset was never counted
            try:
                async for chunk in request.stream():
                    if upload.offset + received + len(chunk) > upload.length:
                        raise FhirError(400, "invalid", "the chunk goes past Upload-Length")
                    if received + len(chunk) > config.max_chunk_bytes:
                        raise FhirError(413, "too-costly", f"one PATCH may carry {config.max_chunk_bytes} bytes")
                    f.write(chunk)
                    received += len(chunk)
                    if digest:
                        digest.update(chunk)
            except ClientDisconnect:
                cut = True
            f.flush()
            os.fsync(f.fileno())
            if checksum and (cut or digest.digest() != checksum[1]):
                if cut:
                    return Response(status_code=400)  # nobody is listening; the bytes are not counted
                raise FhirError(460, "invalid", "Upload-Checksum does not match the chunk received; send it again")

            def commit(conn, who):
                files.advance(conn, upload, upload.offset + received)
                done = upload.offset + received == upload.length
                if done and not files.finish(conn, _moved(upload, received)):
                    return Response(status_code=460)  # the reset to 0 commits with this transaction
                return Response(status_code=204, headers={**tus_headers,
                                                          "Upload-Offset": str(upload.offset + received)})
            reply = await run(request, "upload-patch", "file", upload_id, commit)
        if reply.status_code == 460:
            raise FhirError(460, "invalid", "the whole file's SHA-256 does not match Upload-Metadata; "
                            "the upload starts again from 0: ask with HEAD")
        return reply

    @app.get("/files/{upload_id}")
    async def download(upload_id: str, request: Request):
        check_upload_id(upload_id)
        found = await run(request, "download", "file", upload_id,
                          lambda conn, who: Found(files.get(conn, who, upload_id, for_reading=True)))
        upload = found.value
        if not upload.complete:
            raise FhirError(409, "incomplete", f"upload {upload_id} is not finished yet")
        return FileResponse(files.path_of(upload), media_type="application/octet-stream",
                            headers={"Digest": "sha-256=" + _b64(bytes.fromhex(upload.sha256))})

    # -- imaging: DICOMweb to the PACS (before the FHIR routes, which would take /dicomweb as a type)

    add_dicomweb_routes(app, run, config, store)

    # -- FHIR REST ---------------------------------------------------------------------------

    @app.post("/")
    async def transaction(request: Request):
        bundle = await json_body(request, "the Bundle")
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise FhirError(400, "invalid", "POST to the base URL takes a Bundle")
        if bundle.get("type") != "transaction":
            raise FhirError(400, "not-supported", "only Bundle.type 'transaction' is supported")
        entries = bundle.get("entry", [])
        if not isinstance(entries, list) or len(entries) > 1000:
            raise FhirError(400, "invalid", "Bundle.entry must be a list of at most 1000 entries", ["Bundle.entry"])
        checked = [_transaction_entry(n, entry) for n, entry in enumerate(entries)]

        def work(conn, who):
            try:
                written = store.put_many(conn, who, checked)
            except FhirError as error:
                if getattr(error, "entry", None) is not None:
                    error.diagnostics = f"Bundle.entry[{error.entry}]: {error.diagnostics}"
                raise
            out = [{"response": {
                "status": "201 Created" if w.created else "200 OK",
                "location": f"{w.resource['resourceType']}/{w.resource['id']}/_history/{w.version}",
                "etag": etag(w.version), "lastModified": fhir_instant(w.last_updated)}} for w in written]
            return fhir_response({"resourceType": "Bundle", "type": "transaction-response", "entry": out})
        return await run(request, "transaction", "Bundle", "", work)

    @app.get("/{kind}")
    async def search(kind: str, request: Request):
        check_type(kind)
        params = _search_params(request)

        def work(conn, who):
            page = store.search(conn, who, kind, params)
            base = public_base(request)
            links = [{"relation": "self", "url": f"{base}/{kind}" + (f"?{request.url.query}" if request.url.query
                                                                      else "")}]
            if page.next_token:
                query = [(k, v) for k, v in request.query_params.multi_items() if k != "_page_token"]
                links.append({"relation": "next",
                              "url": f"{base}/{kind}?{urlencode(query + [('_page_token', page.next_token)])}"})
            return fhir_response({
                "resourceType": "Bundle", "type": "searchset", "link": links,
                "entry": [{"fullUrl": f"{base}/{kind}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                          for r in page.rows]})
        return await run(request, "search", kind, "", work)

    @app.post("/{kind}")
    async def create(kind: str, request: Request):
        check_type(kind)
        resource = await json_body(request, f"the {kind}")
        if isinstance(resource, dict):
            resource = {**resource, "id": str(uuid.uuid4())}  # create: the server names it
        validate(resource, kind)

        def work(conn, who):
            written = store.put(conn, who, resource, method="POST")
            return _written_response(written, 201)
        return await run(request, "create", kind, resource["id"], work)

    @app.get("/{kind}/{resource_id}")
    async def read(kind: str, resource_id: str, request: Request):
        check_type(kind)
        check_id(resource_id, f"{kind}.id")

        def work(conn, who):
            resource = store.read(conn, who, kind, resource_id)
            return fhir_response(resource, headers={"ETag": etag(int(resource["meta"]["versionId"])),
                                                    "Last-Modified": resource["meta"]["lastUpdated"]})
        return await run(request, "read", kind, resource_id, work)

    @app.put("/{kind}/{resource_id}")
    async def put(kind: str, resource_id: str, request: Request):
        check_type(kind)
        check_id(resource_id, f"{kind}.id")
        resource = validate(await json_body(request, f"the {kind}"), kind, resource_id)
        if_match = request.headers.get("if-match")
        version = parse_version_tag(if_match, "If-Match") if if_match else None
        if_none_match = request.headers.get("if-none-match")
        if if_none_match not in (None, "*"):
            raise FhirError(400, "not-supported", "If-None-Match supports '*' only (create if absent)")

        def work(conn, who):
            written = store.put(conn, who, resource, version, if_none_match=if_none_match == "*")
            return _written_response(written, 201 if written.created else 200)
        return await run(request, "update", kind, resource_id, work)

    @app.get("/{kind}/{resource_id}/_history")
    async def instance_history(kind: str, resource_id: str, request: Request):
        check_type(kind)
        check_id(resource_id, f"{kind}.id")

        def work(conn, who):
            versions = store.history(conn, who, kind, resource_id)
            base = public_base(request)
            return fhir_response({"resourceType": "Bundle", "type": "history", "entry": [
                {"fullUrl": f"{base}/{kind}/{resource_id}", "resource": v,
                 "request": {"method": "PUT", "url": f"{kind}/{resource_id}"},
                 "response": {"status": "200", "etag": etag(int(v["meta"]["versionId"]))}} for v in versions]})
        return await run(request, "history", kind, resource_id, work)

    @app.get("/{kind}/{resource_id}/_history/{version}")
    async def vread(kind: str, resource_id: str, version: str, request: Request):
        check_type(kind)
        check_id(resource_id, f"{kind}.id")
        if not _VERSION_ID.fullmatch(version):
            raise FhirError(404, "not-found", f"version '{version[:20]}' is not a version number of this hub")

        def work(conn, who):
            resource = store.history(conn, who, kind, resource_id, int(version))[0]
            return fhir_response(resource, headers={"ETag": etag(int(version))})
        return await run(request, "vread", kind, resource_id, work)

    return app


@asynccontextmanager
async def _lifespan(app: FastAPI):
    # Few threads: the work is mostly Python holding the GIL; forty threads fighting for it
    # (the default) served fewer requests per second than eight, each waiting longer.
    to_thread.current_default_thread_limiter().total_tokens = app.state.config.threads
    yield
    for close in app.state.on_shutdown:
        await close()


def app_from_environment() -> FastAPI:
    """For uvicorn's worker processes: the hub `diemcau-hub serve --workers N` described in the environment."""
    from pathlib import Path

    return create_app(HubConfig.in_folder(Path(os.environ["DIEMCAU_HUB_DATA"]),
                                          os.environ.get("DIEMCAU_HUB_DATABASE") or None))


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address((host or "").strip("[]")).is_loopback
    except ValueError:
        return False


def _moved(upload, received):
    return replace(upload, offset=upload.offset + received)


def _written_response(written, status: int) -> Response:
    resource = written.resource
    return fhir_response(resource, status, {
        "ETag": etag(written.version), "Last-Modified": fhir_instant(written.last_updated),
        "Location": f"{resource['resourceType']}/{resource['id']}/_history/{written.version}"})


def _transaction_entry(n: int, entry) -> tuple[dict, int | None]:
    where, field = f"Bundle.entry[{n}]: ", f"Bundle.entry[{n}]"
    if not isinstance(entry, dict):
        raise FhirError(400, "structure", f"{field} is not an object", [field])
    request, resource = entry.get("request"), entry.get("resource")
    if not isinstance(request, dict):
        raise FhirError(400, "structure", f"{field}.request must be an object with method and url",
                        [f"{field}.request"])
    if request.get("method") != "PUT":
        raise FhirError(400, "not-supported", f"{field}.request.method: only PUT entries (create-or-update by id) "
                        "are supported", [f"{field}.request.method"])
    url, if_match = request.get("url"), request.get("ifMatch")
    if not isinstance(url, str):
        raise FhirError(400, "structure", f"{field}.request.url must be 'Type/id'", [f"{field}.request.url"])
    kind, _, resource_id = url.partition("/")
    if kind not in SUPPORTED_TYPES:
        raise FhirError(400, "not-supported", f"{field}.request.url: resource type '{kind[:40]}' is not supported "
                        "by this server", [f"{field}.request.url"])
    validate(resource, kind, resource_id, where)
    if if_match is None:
        return resource, None
    return resource, parse_version_tag(if_match, f"{field}.request.ifMatch")


def _search_params(request: Request) -> SearchParams:
    items = request.query_params.multi_items()
    keys = Counter(k for k, _ in items)
    unknown = sorted(set(keys) - SEARCH_CONTROL - SEARCH_PARAMS)
    if unknown:
        shown = ", ".join(k[:40] for k in unknown[:10])
        raise FhirError(400, "not-supported", f"search parameter(s) not supported: {shown} (see /metadata)")
    for key, times in keys.items():
        limit = SEARCH_REPEATS.get(key, SEARCH_REPEATS_OTHER)
        if times > limit:
            raise FhirError(400, "too-costly", f"too many search parameters: '{key}' {times} times (at most {limit})",
                            [key])
    if len(items) > SEARCH_ITEMS:
        raise FhirError(400, "too-costly", f"too many search parameters: {len(items)} (at most {SEARCH_ITEMS})")
    values: dict = {"last_updated": [], "ids": []}
    for key, value in items:
        if key == "_lastUpdated":
            op, moment = (value[:2], value[2:]) if value[:2] in ("gt", "ge", "lt", "le", "eq") else ("eq", value)
            try:
                if _DATE_TIME.fullmatch(moment) is None:
                    raise ValueError(moment)
                values["last_updated"].append((op, parse_instant(moment)))
            except ValueError:
                raise FhirError(400, "invalid", f"_lastUpdated '{value[:40]}' is not a date-time",
                                ["_lastUpdated"]) from None
            except OverflowError:  # 0001-01-01T00:00+05:00 is before the first instant a UTC clock can show
                raise FhirError(400, "invalid", f"_lastUpdated '{value[:40]}' is out of range once in UTC",
                                ["_lastUpdated"]) from None
        elif key == "_id":
            values["ids"] += [check_id(v, "_id") for v in value.split(",") if v]
            if len(values["ids"]) > SEARCH_IDS:
                raise FhirError(400, "too-costly", f"_id: at most {SEARCH_IDS} ids in one search", ["_id"])
        elif key in ("patient", "subject"):
            values["patient"] = check_id(value.removeprefix("Patient/"), key)
        elif key == "based-on":
            values["request"] = check_id(value.removeprefix("ServiceRequest/"), key)
        elif key == "_sort":
            if value not in ("_lastUpdated", "-_lastUpdated"):
                raise FhirError(400, "not-supported", "_sort supports _lastUpdated and -_lastUpdated", ["_sort"])
            values["sort"] = value
        elif key == "_count":
            if _COUNT.fullmatch(value) is None:
                raise FhirError(400, "invalid", "_count must be a whole number (0-9)", ["_count"])
            values["count"] = max(1, min(int(value), MAX_COUNT))
        elif key == "_page_token":
            values["after"] = decode_page_token(value)
            if not is_id(values["after"][1]):
                raise FhirError(400, "invalid", "the paging token '_page_token' is damaged; start the search again",
                                ["_page_token"])
    return SearchParams(last_updated=tuple(values.pop("last_updated")), ids=tuple(values.pop("ids")),
                        **{"count": DEFAULT_COUNT, **values})


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()

