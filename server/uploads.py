"""Resumable uploads, tus 1.0.0 (core, creation and checksum extensions).

A station sends a big file (a CT series, a clip) in chunks; after a cut it asks the offset (HEAD)
and goes on from there, even after a restart. The whole file's SHA-256, given when the upload is
created, is checked when the last byte arrives: a damaged file never becomes visible.
"""

import base64
import fcntl
import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from .access import Principal
from .outcome import FhirError
from .tables import resources, uploads
from .validation import is_id

TUS_VERSION = "1.0.0"
CHECKSUM_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}
OCTET_STREAM = "application/offset+octet-stream"
MAX_METADATA_VALUE = 1024
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
_METADATA_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Upload:
    id: str
    facility: str
    client_id: str
    length: int
    offset: int
    sha256: str
    metadata: dict
    complete: bool


def lock_file(f) -> bool:
    """An exclusive lock on an open file, without waiting; released when the file is closed."""
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def check_upload_id(upload_id: str) -> None:
    """Upload ids are the hub's own (32 hex digits): anything else is not known, and is not looked up."""
    if _UPLOAD_ID.fullmatch(upload_id) is None:
        raise FhirError(404, "not-found", f"upload '{_CONTROL.sub('?', upload_id[:40])}' is not known", ["upload"])


def parse_metadata(header: str | None) -> dict:
    """Upload-Metadata: comma-separated `key base64(value)` pairs; values are UTF-8 text without control
    characters, and `documentreference` (the record the file belongs to) a FHIR id."""
    out = {}
    for pair in (header or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, encoded = pair.partition(" ")
        if _METADATA_KEY.fullmatch(key) is None:
            raise FhirError(400, "invalid", f"Upload-Metadata: the key '{_CONTROL.sub('?', key[:40])}' is not "
                            "a name (letters, digits, '_', '.', '-')", ["Upload-Metadata"])
        try:
            value = base64.b64decode(encoded, validate=True).decode() if encoded else ""
        except Exception:
            raise FhirError(400, "invalid", f"Upload-Metadata: the value of '{key}' is not base64 of UTF-8 text",
                            [f"Upload-Metadata.{key}"]) from None
        if len(value) > MAX_METADATA_VALUE or _CONTROL.search(value):
            raise FhirError(400, "invalid", f"Upload-Metadata: the value of '{key}' is longer than "
                            f"{MAX_METADATA_VALUE} characters or holds control characters", [f"Upload-Metadata.{key}"])
        out[key] = value
    if "documentreference" in out and not is_id(out["documentreference"]):
        raise FhirError(400, "invalid", "Upload-Metadata: 'documentreference' must be the DocumentReference's id "
                        "(1 to 64 letters, digits, '-' or '.')", ["Upload-Metadata.documentreference"])
    return out


def parse_checksum(header: str | None):
    """(algorithm name, expected digest bytes) from Upload-Checksum, or None."""
    if not header:
        return None
    name, _, encoded = header.strip().partition(" ")
    if name not in CHECKSUM_ALGORITHMS:
        raise FhirError(400, "not-supported", f"Upload-Checksum algorithm '{name}' is not supported "
                        f"(use one of {', '.join(CHECKSUM_ALGORITHMS)})")
    try:
        return name, base64.b64decode(encoded, validate=True)
    except Exception:
        raise FhirError(400, "invalid", "Upload-Checksum: the digest is not base64") from None


class FileStore:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        (self.folder / "partial").mkdir(parents=True, exist_ok=True)

    def partial(self, upload_id: str) -> Path:
        return self.folder / "partial" / upload_id

    def final(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / sha256

    def create(self, conn: Connection, who: Principal, length: int, metadata: dict, limit: int) -> Upload:
        sha256 = metadata.get("sha256", "").lower()
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise FhirError(400, "required", "Upload-Metadata must carry the file's 'sha256' (64 hex digits)")
        if length > limit:
            raise FhirError(413, "too-costly", f"the file is {length} bytes; this hub takes at most {limit}")
        existing = conn.execute(select(uploads).where(uploads.c.client_id == who.client_id,
                                                      uploads.c.sha256 == sha256,
                                                      uploads.c.length == length)).first()
        if existing is not None:  # the same file again: continue (or reuse) the first upload
            return _upload(existing)
        upload_id = uuid.uuid4().hex
        self.partial(upload_id).touch()
        conn.execute(insert(uploads).values(id=upload_id, client_id=who.client_id, facility=who.facility,
                                            length=length, offset=0, sha256=sha256, metadata=metadata,
                                            complete=False, created_at=datetime.now(timezone.utc)))
        return Upload(upload_id, who.facility, who.client_id, length, 0, sha256, metadata, False)

    def get(self, conn: Connection, who: Principal, upload_id: str, for_reading: bool = False) -> Upload:
        row = conn.execute(select(uploads).where(uploads.c.id == upload_id)).first()
        if row is None:
            raise FhirError(404, "not-found", f"upload {upload_id} is not known")
        upload = _upload(row)
        if who.is_station and row.facility == who.facility and (for_reading or row.client_id == who.client_id):
            return upload
        if for_reading and not who.is_station and self._routed_to(conn, who, upload):
            return upload
        raise FhirError(404, "not-found", f"upload {upload_id} is not known")

    def advance(self, conn: Connection, upload: Upload, new_offset: int) -> None:
        result = conn.execute(update(uploads).where(uploads.c.id == upload.id, uploads.c.offset == upload.offset)
                              .values(offset=new_offset))
        if result.rowcount != 1:
            raise FhirError(409, "conflict", "another request changed this upload at the same time")

    def finish(self, conn: Connection, upload: Upload) -> bool:
        """Check the whole file; keep it under its hash when right, start over when damaged."""
        partial = self.partial(upload.id)
        digest = hashlib.sha256()
        with partial.open("rb") as f:
            while block := f.read(1024 * 1024):
                digest.update(block)
        if digest.hexdigest() != upload.sha256:
            partial.write_bytes(b"")
            conn.execute(update(uploads).where(uploads.c.id == upload.id).values(offset=0))
            return False
        target = self.final(upload.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)
        conn.execute(update(uploads).where(uploads.c.id == upload.id).values(complete=True))
        return True

    def keep(self, conn: Connection, client_id: str, facility: str, data: bytes, metadata: dict) -> Upload:
        """Bytes the hub makes itself (the minutes PDF), kept as a finished upload of `facility`'s.

        Readable as any of the facility's files: by its stations, and by the experts who may read the
        DocumentReference named in `metadata`.
        """
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.final(sha256)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = self.partial(uuid.uuid4().hex)
            partial.write_bytes(data)
            os.replace(partial, target)
        upload = Upload(uuid.uuid4().hex, facility, client_id, len(data), len(data), sha256, metadata, True)
        conn.execute(insert(uploads).values(id=upload.id, client_id=client_id, facility=facility, length=len(data),
                                            offset=len(data), sha256=sha256, metadata=metadata, complete=True,
                                            created_at=datetime.now(timezone.utc)))
        return upload

    def keep_file(self, conn: Connection, client_id: str, facility: str, path: Path, metadata: dict) -> Upload:
        """`keep` for a file the hub made on disk (a live session's recording): copied in without holding it
        all in memory; `path` itself is left where it is."""
        digest, length = hashlib.sha256(), 0
        partial = self.partial(uuid.uuid4().hex)
        with Path(path).open("rb") as source, partial.open("wb") as copy:
            while block := source.read(1024 * 1024):
                digest.update(block)
                copy.write(block)
                length += len(block)
            copy.flush()
            os.fsync(copy.fileno())
        sha256 = digest.hexdigest()
        target = self.final(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)
        upload = Upload(uuid.uuid4().hex, facility, client_id, length, length, sha256, metadata, True)
        conn.execute(insert(uploads).values(id=upload.id, client_id=client_id, facility=facility, length=length,
                                            offset=length, sha256=sha256, metadata=metadata, complete=True,
                                            created_at=datetime.now(timezone.utc)))
        return upload

    def path_of(self, upload: Upload) -> Path:
        return self.final(upload.sha256) if upload.complete else self.partial(upload.id)

    @staticmethod
    def _routed_to(conn: Connection, who: Principal, upload: Upload) -> bool:
        reference_id = upload.metadata.get("documentreference", "")
        # The one access rule: the expert may read the DocumentReference (its consultation's current routing).
        row = conn.execute(select(resources.c.id).where(
            resources.c.type == "DocumentReference", resources.c.id == reference_id,
            resources.c.facility == upload.facility, who.read_filter("DocumentReference"))).first()
        return row is not None


def _upload(row) -> Upload:
    return Upload(row.id, row.facility, row.client_id, row.length, row.offset, row.sha256, dict(row.metadata),
                  bool(row.complete))
