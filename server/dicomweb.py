"""DICOMweb through the hub: stations send studies to the PACS (STOW-RS) and read them back (QIDO/WADO-RS).

The PACS (Orthanc with its DICOMweb plugin) stays inside the hub's network and knows nothing of
facilities. The hub checks the bearer token, records which facility sent which study for which
consultation, and lets a request through only on a study the client may see: the sending
station's own, or one whose consultation is routed to the expert. Bodies are streamed both ways,
so a large instance never sits in the hub's memory. For a consultation marked for an expert abroad,
every instance is checked to name no one before any is stored, and a foreign expert is served only
studies so checked (server/abroad_imaging.py).
"""

from datetime import datetime, timezone

import httpx
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from starlette.concurrency import run_in_threadpool
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect

from . import abroad_imaging, audit
from .dicomweb_paths import check_query, parse_path, uid as check_uid
from .outcome import FhirError, Found, forbidden, not_found
from .stow_body import Instance, boundary_of, chunks, instances, spool
from .tables import imaging_studies, imaging_uids

DICOM_JSON = "application/dicom+json"
FORWARDED_HEADERS = ("content-type", "content-length", "content-range", "content-encoding")


def add_dicomweb_routes(app, run, config, store) -> None:
    """`run(request, action, kind, id, work)` is the API's authenticated, audited transaction."""
    clients: list[httpx.AsyncClient] = []

    def pacs() -> httpx.AsyncClient:
        if not config.pacs_url:
            raise FhirError(404, "not-supported", "this hub has no PACS; DICOM files travel as DocumentReferences "
                            "(uploads at /files)")
        if not clients:
            # Long read timeout: the PACS writes a large study to disk before it answers.
            clients.append(httpx.AsyncClient(base_url=config.pacs_url.rstrip("/") + "/",
                                             timeout=httpx.Timeout(300.0, connect=5.0)))
            app.state.on_shutdown.append(clients[0].aclose)
        return clients[0]

    def public_root(request: Request) -> str:
        return (config.public_url or str(request.base_url).rstrip("/")) + "/dicomweb"

    def pacs_root() -> str:
        url = httpx.URL(config.pacs_url.rstrip("/"))
        port = f":{url.port}" if url.port else ""
        return f"{url.scheme}://{url.host}{port}{url.path}"

    async def answer(upstream: httpx.Response, request: Request) -> Response:
        """The PACS's answer as the hub's: its own addresses replaced by the hub's."""
        kind = upstream.headers.get("content-type", "")
        if upstream.status_code >= 500:
            await upstream.aclose()
            raise FhirError(502, "transient", f"the PACS answered {upstream.status_code}; try again later")
        if "json" in kind:
            body = (await upstream.aread()).replace(pacs_root().encode(), public_root(request).encode())
            await upstream.aclose()
            return Response(body, upstream.status_code, media_type=DICOM_JSON)
        headers = {k: v for k, v in upstream.headers.items() if k.lower() in FORWARDED_HEADERS}
        return StreamingResponse(upstream.aiter_raw(), upstream.status_code, headers=headers,
                                 background=BackgroundTask(upstream.aclose))

    async def send(method: str, path: str, **kwargs) -> httpx.Response:
        client = pacs()
        try:
            return await client.send(client.build_request(method, path, **kwargs), stream=True)
        except httpx.TransportError:
            raise FhirError(502, "transient", "the PACS does not answer; try again later") from None

    def reading(request: Request):
        """The transaction a read runs in: as the bearer token's client, or else as the console person signed in.

        A console session reads exactly as an expert client of the same hospital and specialty would
        (the same `may_read` over the same Principal rules); the audit names the person. Reads only: a
        cookie never stores a study, so no CSRF token is needed here.
        """
        from .console.sessions import COOKIE  # here: the console's modules import the hub's
        from .console.viewer import session_principal

        if request.headers.get("authorization") or COOKIE not in request.cookies or \
                request.method not in ("GET", "HEAD"):
            return run

        def run_as_person(request, action, kind, resource_id, work):
            def job():
                client_id = ""
                try:
                    with app.state.engine.begin() as conn:
                        who = session_principal(conn, request)  # 401 without a live session
                        client_id = who.client_id
                        response = work(conn, who)
                        if action:
                            audit.record(conn, client_id, action, response.status_code, kind, resource_id)
                        return response
                except FhirError as error:
                    with app.state.engine.begin() as conn:
                        audit.record(conn, client_id, action or "denied", error.status, kind, resource_id)
                    raise
            return run_in_threadpool(job)
        return run_as_person

    def may_read(conn, who, study: str) -> bool:
        rows = conn.execute(select(imaging_studies).where(imaging_studies.c.study_uid == study)).all()
        if who.is_station:
            return any(row.facility == who.facility for row in rows)
        if getattr(who, "foreign", False) and not all(row.deidentified for row in rows):
            return False  # some of it was taken without the check: it may name the patient
        for row in rows:
            try:
                store.read(conn, who, "ServiceRequest", row.request_id)  # routed to this expert?
                return True
            except FhirError:
                continue
        return False

    @app.get("/dicomweb")
    async def dicomweb_root(request: Request):
        pacs()
        return await run(request, None, "dicomweb", "", lambda conn, who: Response(
            f'{{"pacs":true,"stow":"{public_root(request)}/studies/{{StudyInstanceUID}}?request={{ServiceRequest id}}"}}',
            media_type="application/json"))

    @app.post("/dicomweb/studies/{study}")
    async def store_instances(study: str, request: Request):
        check_uid(study, "StudyInstanceUID")
        pacs()
        request_id = request.query_params.get("request", "")
        if not request_id:
            raise FhirError(400, "required", "say which consultation the study belongs to: ?request=<ServiceRequest id>")
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/related"):
            raise FhirError(415, "not-supported", "STOW-RS takes multipart/related; type=\"application/dicom\"")

        boundary = boundary_of(content_type)

        def may_send(conn, who):  # before a byte is spooled
            _check_sender(conn, who, store, request_id)
            return Found(abroad_imaging.check_for(conn, request_id))
        check = (await run(request, None, "ImagingStudy", study, may_send)).value
        try:
            spooled = await spool(request.stream(), config.files_dir / "stow-spool", config.max_upload_bytes)
        except ClientDisconnect:
            return Response(status_code=400)  # the station went away mid-body; nothing was claimed
        try:
            try:
                parts = await run_in_threadpool(instances, spooled, boundary, check.inspect if check.abroad else None)
            except FhirError as error:
                if error.status == 422:  # names the patient: audited as a refused STOW (nothing was claimed)
                    await run(request, "stow", "ImagingStudy", study, lambda conn, who: Response(status_code=422))
                raise
            if not parts:
                raise FhirError(400, "required", "the STOW-RS body holds no DICOM instance")
            claimed = await run(request, None, "ImagingStudy", study, lambda conn, who: Found(
                claim_study(conn, who, store, study, request_id, parts, check)))
            upstream = await send("POST", f"studies/{study}", content=chunks(spooled), headers={
                "Content-Type": content_type, "Accept": DICOM_JSON, "Content-Length": str(spooled.stat().st_size)})
            reply = await answer(upstream, request)
        finally:
            spooled.unlink(missing_ok=True)
        if claimed.value and b"00081199" not in getattr(reply, "body", b"00081199"):
            # The PACS stored none of it: the study is not this facility's after all.
            def withdraw(conn, who):
                conn.execute(delete(imaging_studies).where(imaging_studies.c.study_uid == study,
                                                           imaging_studies.c.request_id == request_id))
                return Response(status_code=200)
            await run(request, None, "ImagingStudy", study, withdraw)
        # Audited with the PACS's verdict (200 all stored, 202 some refused, 409 none).
        await run(request, "stow", "ImagingStudy", study, lambda conn, who: Response(status_code=reply.status_code))
        return reply

    @app.get("/dicomweb/{rest:path}")
    async def retrieve(request: Request, rest: str = ""):
        # Decided on the path as it arrived, before any decoding: see dicomweb_paths.
        read = reading(request)
        raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        asked = raw_path.removeprefix("/dicomweb/")[:4000]
        try:
            target = parse_path(raw_path)
            query = check_query(list(request.query_params.multi_items()))
        except FhirError as error:
            await read(request, None, "", "", _audit_read(error.status, "", "", asked))
            raise
        pacs()

        def check(conn, who):
            if not may_read(conn, who, target.study):
                raise not_found("study", target.study)
            return Response(status_code=200)
        level, uid = target.level
        try:
            await read(request, None, "ImagingStudy", target.study, check)
        except FhirError as error:
            await read(request, None, "", "", _audit_read(error.status, level, uid, asked))
            raise
        accept = request.headers.get("accept", DICOM_JSON)
        # The raw bytes are passed on, so the PACS may compress only as the caller accepts.
        encoding = request.headers.get("accept-encoding", "identity")
        upstream = await send("GET", target.path, params=query, headers={"Accept": accept,
                                                                          "Accept-Encoding": encoding})
        if upstream.status_code in (400, 404):
            await upstream.aclose()
            status = upstream.status_code
            await read(request, None, "", "", _audit_read(status, level, uid, target.path))
            raise FhirError(404, "not-found", f"the PACS has nothing at {target.path}")
        reply = await answer(upstream, request)
        await read(request, None, "", "", _audit_read(reply.status_code, level, uid, target.path))
        return reply


def _audit_read(status: int, level: str, uid: str, detail: str):
    """A DICOMweb read as audited: the path fetched, or for a refusal the path as asked (for whoever investigates)."""
    def work(conn, who):
        audit.record(conn, who.client_id, "dicomweb-read", status, level, uid, detail)
        return Response(status_code=status)
    return work


def _check_sender(conn, who, store, request_id: str) -> None:
    """Only a station sends images, and only for its own consultation (404 otherwise)."""
    if not who.is_station:
        raise forbidden("only a station sends images to the PACS")
    store.read(conn, who, "ServiceRequest", request_id)


def claim_study(conn, who, store, study: str, request_id: str, parts: list[Instance],
                checked: abroad_imaging.AbroadCheck = abroad_imaging.AbroadCheck()) -> bool:
    """Make `study` this facility's for consultation `request_id`; True when the claim is new.

    One claimant at a time per study (a lock on PostgreSQL; SQLite writes one at a time anyway), and
    every series and instance UID of the body is recorded under the study, or refused if another
    study has it already. `checked`: what the parts were checked against; the study stays one a
    foreign expert may read only while every body taken for it was checked against the consultation
    as it is now (marked abroad, the same patient).
    """
    _check_sender(conn, who, store, request_id)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"study:{study}"})
    rows = conn.execute(select(imaging_studies).where(imaging_studies.c.study_uid == study)).all()
    if any(row.facility != who.facility for row in rows):
        raise forbidden(f"study {study} was sent by another facility")
    ours = [p for p in parts if p.study == study]
    if not ours:
        return False  # every instance names another study: the PACS refuses them, nothing is claimed
    wanted = {p.series: "series" for p in ours} | {p.sop: "instance" for p in ours}
    insert_new = (postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert)(imaging_uids)
    conn.execute(insert_new.on_conflict_do_nothing(), [dict(uid=uid, level=level, study_uid=study)
                                                       for uid, level in sorted(wanted.items())])
    for row in conn.execute(select(imaging_uids).where(imaging_uids.c.uid.in_(sorted(wanted)))):
        if row.study_uid != study:
            name = "SeriesInstanceUID" if row.level == "series" else "SOPInstanceUID"
            raise FhirError(409, "conflict", f"{name} {row.uid} belongs to another study; an instance keeps its "
                            "study's UIDs", [name])
    clean = checked.abroad and abroad_imaging.check_for(conn, request_id) == checked
    if any(row.request_id == request_id for row in rows):
        if not clean:
            conn.execute(update(imaging_studies).where(imaging_studies.c.study_uid == study,
                                                       imaging_studies.c.request_id == request_id)
                         .values(deidentified=False))
        return False
    conn.execute(insert(imaging_studies).values(study_uid=study, request_id=request_id, facility=who.facility,
                                                created_at=datetime.now(timezone.utc), deidentified=clean))
    return True
