"""Attaching evidence to a case: photos, clips and recordings from the station, files."""

import mimetypes
from pathlib import Path

from app.domain.attachment import Attachment, AttachmentKind
from app.domain.case import new_id, utcnow
from app.domain.lifecycle import EDITABLE
from app.storage.blobs import BlobStore, StoredBlob
from app.storage.db import Database

from .cases import CaseNotEditable, CaseNotFound


class AttachmentService:
    def __init__(self, db: Database, blobs: BlobStore, clock=utcnow):
        self._db = db
        self.blobs = blobs
        self._clock = clock
        self._repository = None

    @property
    def _repo(self):
        if self._repository is None:  # the ORM loads off the start-up path (see storage/db.py)
            from app.storage.attachments import AttachmentRepository

            self._repository = AttachmentRepository()
        return self._repository

    def add_bytes(self, case_id: str, data: bytes, name: str, kind: AttachmentKind, media_type: str | None = None,
                  caption: str = "", details: dict | None = None) -> Attachment:
        self.require_editable(case_id)
        return self._record(case_id, self.blobs.put_bytes(data), name, kind, media_type, caption, details)

    def add_file(self, case_id: str, path: Path, kind: AttachmentKind, media_type: str | None = None,
                 caption: str = "", details: dict | None = None, name: str | None = None,
                 progress=None, cancelled=None) -> Attachment:
        """Stream a file into the store (constant memory) and attach it."""
        self.require_editable(case_id)
        stored = self.blobs.put_file(Path(path), progress, cancelled)
        return self._record(case_id, stored, name or Path(path).name, kind, media_type, caption, details)

    def list(self, case_id: str) -> list[Attachment]:
        with self._db.transaction() as session:
            return self._repo.for_case(session, case_id)

    def path(self, attachment: Attachment) -> Path:
        return self.blobs.path(attachment.sha256)

    def remove(self, attachment_id: str) -> None:
        """Detach; the file itself goes when no other attachment uses the same content."""
        with self._db.transaction() as session:
            attachment = self._repo.get(session, attachment_id)
            if attachment is None:
                return
            self.require_editable(attachment.case_id, session)
            sha256 = self._repo.delete(session, attachment_id)
            session.flush()
            unused = self._repo.references(session, sha256) == 0
        if unused:
            self.blobs.remove(sha256)

    def collect_garbage(self, older_than_s: float = 3600) -> int:
        """Delete stored files no attachment refers to: left by a crash between writing a file and
        recording it. Only old ones, so an import running at this moment is never touched."""
        import time

        from app.storage.consultation import MinutesFiles

        with self._db.transaction() as session:
            used = self._repo.all_hashes(session) | MinutesFiles().blobs(session)  # minutes PDFs are kept too
        cutoff, removed = time.time() - older_than_s, 0
        for sha256 in self.blobs.hashes():
            path = self.blobs.path(sha256)
            if sha256 not in used and path.stat().st_mtime < cutoff:
                self.blobs.remove(sha256)
                removed += 1
        return removed

    def _record(self, case_id, stored: StoredBlob, name, kind, media_type, caption, details) -> Attachment:
        media_type = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        attachment = Attachment(id=new_id(), case_id=case_id, sha256=stored.sha256, size=stored.size,
                                media_type=media_type, original_name=name, kind=kind, caption=caption,
                                details=details or {})
        try:
            with self._db.transaction() as session:
                return self._repo.insert(session, attachment, self._clock())
        except BaseException:
            if stored.is_new:  # nothing partial stays in the store
                self.blobs.remove(stored.sha256)
            raise

    def require_editable(self, case_id: str, session=None) -> None:
        """Evidence is added to, or taken from, a draft only: a sent case does not change."""
        from app.storage.repository import CaseRepository

        if session is None:
            with self._db.transaction() as session:
                case = CaseRepository().get(session, case_id)
        else:
            case = CaseRepository().get(session, case_id)
        if case is None:
            raise CaseNotFound(case_id)
        if case.status not in EDITABLE:
            raise CaseNotEditable(case.status)
