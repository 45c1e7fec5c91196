"""Files: resumable uploads (tus 1.0 with creation and checksum) and their downloads."""

import base64
import os
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.requests import ClientDisconnect

from .. import abroad_imaging
from ..outcome import FhirError, Found
from ..uploads import CHECKSUM_ALGORITHMS, OCTET_STREAM, TUS_VERSION, check_upload_id, lock_file, parse_checksum, \
    parse_metadata
from ..validation import parse_whole_number
from .common import Hub


def files_router(hub: Hub) -> APIRouter:
    router = APIRouter()
    config, files = hub.config, hub.files

    tus_headers = {"Tus-Resumable": TUS_VERSION}

    def check_tus(request: Request):
        if request.headers.get("tus-resumable") != TUS_VERSION:
            raise FhirError(412, "not-supported", f"this hub speaks tus {TUS_VERSION}",
                            headers={"Tus-Version": TUS_VERSION})

    @router.options("/files")
    async def tus_options():
        return Response(status_code=204, headers={
            **tus_headers, "Tus-Version": TUS_VERSION, "Tus-Extension": "creation,checksum",
            "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS), "Tus-Max-Size": str(config.max_upload_bytes)})

    @router.post("/files")
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
        return await hub.run(request, "upload", "file", "", work)

    @router.head("/files/{upload_id}")
    async def tus_head(upload_id: str, request: Request):
        check_tus(request)
        check_upload_id(upload_id)

        def work(conn, who):
            upload = files.get(conn, who, upload_id)
            offset = upload.length if upload.complete else upload.offset
            return Response(status_code=200, headers={**tus_headers, "Upload-Offset": str(offset),
                                                      "Upload-Length": str(upload.length),
                                                      "Cache-Control": "no-store"})
        return await hub.run(request, "upload-head", "file", upload_id, work)

    @router.patch("/files/{upload_id}")
    async def tus_patch(upload_id: str, request: Request):
        check_tus(request)
        check_upload_id(upload_id)
        if request.headers.get("content-type", "").split(";")[0].strip() != OCTET_STREAM:
            raise FhirError(415, "not-supported", f"a PATCH must have Content-Type: {OCTET_STREAM}")
        offset = parse_whole_number(request.headers.get("upload-offset"), "Upload-Offset")
        checksum = parse_checksum(request.headers.get("upload-checksum"))
        found = await hub.run(request, None, "file", upload_id,  # who may: before the file is touched
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
            found = await hub.run(request, None, "file", upload_id,  # the offset committed before we held the lock
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
            reply = await hub.run(request, "upload-patch", "file", upload_id, commit)
        if reply.status_code == 460:
            raise FhirError(460, "invalid", "the whole file's SHA-256 does not match Upload-Metadata; "
                            "the upload starts again from 0: ask with HEAD")
        return reply

    @router.get("/files/{upload_id}")
    async def download(upload_id: str, request: Request):
        check_upload_id(upload_id)
        def readable(conn, who):
            upload = files.get(conn, who, upload_id, for_reading=True)
            # Abroad, a DICOM file only de-identified and checked (a hub without a PACS took the originals too).
            if who.foreign and upload.complete and not abroad_imaging.file_readable_abroad(
                    conn, upload.metadata.get("documentreference", ""), files.path_of(upload)):
                raise FhirError(404, "not-found", f"upload {upload_id} is not known")
            return Found(upload)
        upload = (await hub.run(request, "download", "file", upload_id, readable)).value
        if not upload.complete:
            raise FhirError(409, "incomplete", f"upload {upload_id} is not finished yet")
        return FileResponse(files.path_of(upload), media_type="application/octet-stream",
                            headers={"Digest": "sha-256=" + _b64(bytes.fromhex(upload.sha256))})

    return router


def _moved(upload, received):
    return replace(upload, offset=upload.offset + received)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
