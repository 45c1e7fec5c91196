"""Importing evidence into a case: files, folders, a CD (DICOMDIR), ZIP archives.

Each file ends up imported, a duplicate, or refused with its reason; one bad
file never stops the rest, and nothing of a refused file stays in the store.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.attachment import Attachment, AttachmentKind
from app.domain.case import new_id, utcnow
from app.domain.dicom_patient import mismatches
from app.imaging.classify import classify
from app.imaging.dicom_files import RefusedFile, read_info
from app.imaging.photos import strip_jpeg_metadata
from app.imaging.sources import expand
from app.storage.blobs import StoredBlob
from app.storage.db import Database

from .attachments import AttachmentService
from .cases import CaseService

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ImportResult:
    name: str
    status: str                 # "imported", "duplicate" or "refused"
    code: str = ""              # why refused: see the interface's texts (import.*)
    detail: str = ""
    kind: AttachmentKind | None = None
    attachment_id: str | None = None


@dataclass(frozen=True)
class PatientWarning:
    study_uid: str
    dicom_name: str
    dicom_birth: str
    dicom_sex: str
    mismatches: tuple[str, ...]


@dataclass
class ImportReport:
    results: list[ImportResult] = field(default_factory=list)
    warnings: list[PatientWarning] = field(default_factory=list)
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


class ImportService:
    def __init__(self, db: Database, attachments: AttachmentService, cases: CaseService, clock=utcnow):
        self._db = db
        self._attachments = attachments
        self._blobs = attachments.blobs
        self._cases = cases
        self._clock = clock

    def import_paths(self, case_id: str, paths: list[Path], progress: Progress | None = None,
                     cancelled: Callable[[], bool] | None = None) -> ImportReport:
        case = self._cases.get_case(case_id)
        self._attachments.require_editable(case_id)
        candidates = list(expand([Path(p) for p in paths]))
        total = sum(c.size for c in candidates if c.refused is None) or 1
        done = 0
        report = ImportReport()
        known = {a.sha256 for a in self._attachments.list(case_id)}
        studies: dict[str, dict] = {}
        for candidate in candidates:
            if cancelled is not None and cancelled():
                report.cancelled = True
                break
            if progress is not None:
                progress(done / total, candidate.name)
            if candidate.refused is not None:
                report.results.append(ImportResult(candidate.name, "refused", candidate.refused.code,
                                                   candidate.refused.detail))
                continue
            start = done

            def step(read: int, base=start) -> None:
                if progress is not None:
                    progress(min(1.0, (base + read) / total), candidate.name)

            try:
                result = self._import_one(case_id, candidate, known, studies, step, cancelled)
            except InterruptedError:
                report.cancelled = True
                break
            report.results.append(result)
            done += candidate.size
        for study_uid, info in studies.items():
            found = mismatches(case.patient, info["patient_name"], info["patient_birth_date"], info["patient_sex"])
            if found:
                report.warnings.append(PatientWarning(study_uid, info["patient_name"], info["patient_birth_date"],
                                                      info["patient_sex"], tuple(found)))
        if progress is not None:
            progress(1.0, "")
        return report

    def _import_one(self, case_id, candidate, known, studies, step, cancelled) -> ImportResult:
        try:
            with candidate.open() as stream:
                stored = self._blobs.put_stream(stream, step, cancelled)
        except RefusedFile as refused:
            return ImportResult(candidate.name, "refused", refused.code, refused.detail)
        except OSError as error:
            return ImportResult(candidate.name, "refused", "file.unreadable", str(error))
        try:
            if stored.sha256 in known:
                return ImportResult(candidate.name, "duplicate")
            path = self._blobs.path(stored.sha256)
            with open(path, "rb") as f:
                head = f.read(132)
            kind, media_type = classify(head, candidate.name)
            details: dict = {}
            dicom = None
            if kind is AttachmentKind.IMAGING:
                info, _dataset = read_info(path)
                dicom = info.as_dict()
                details = {"modality": info.modality, "series": info.series_description,
                           "burned_in_annotation": info.burned_in_annotation}
            elif media_type == "image/jpeg":
                stored = self._strip_photo(stored)
                if stored.sha256 in known:
                    return ImportResult(candidate.name, "duplicate")
            attachment = self._record(case_id, stored, candidate.name, kind, media_type, details, dicom)
        except RefusedFile as refused:
            self._forget(stored)
            return ImportResult(candidate.name, "refused", refused.code, refused.detail)
        except _DuplicateInstance:
            self._forget(stored)
            return ImportResult(candidate.name, "duplicate")
        except BaseException:
            self._forget(stored)
            raise
        known.add(stored.sha256)
        if dicom is not None:
            studies.setdefault(dicom["study_uid"], dicom)
        return ImportResult(candidate.name, "imported", kind=kind, attachment_id=attachment.id)

    def _strip_photo(self, stored: StoredBlob) -> StoredBlob:
        data = self._blobs.path(stored.sha256).read_bytes()
        stripped = strip_jpeg_metadata(data)
        if stripped == data:
            return stored
        clean = self._blobs.put_bytes(stripped)
        self._forget(stored)
        return clean

    def _record(self, case_id, stored, name, kind, media_type, details, dicom) -> Attachment:
        from app.storage.attachments import AttachmentRepository
        from app.storage.dicom_index import DicomIndex

        attachment = Attachment(id=new_id(), case_id=case_id, sha256=stored.sha256, size=stored.size,
                                media_type=media_type, original_name=Path(name).name, kind=kind, details=details)
        with self._db.transaction() as session:
            index = DicomIndex()
            if dicom is not None and index.has_sop(session, case_id, dicom["sop_instance_uid"]):
                raise _DuplicateInstance()
            saved = AttachmentRepository().insert(session, attachment, self._clock())
            if dicom is not None:
                session.flush()
                index.add(session, case_id, attachment.id, dicom)
        return saved

    def _forget(self, stored: StoredBlob) -> None:
        """Take a refused file's content out of the store, unless something else uses it."""
        if not stored.is_new:
            return
        from app.storage.attachments import AttachmentRepository

        with self._db.transaction() as session:
            unused = AttachmentRepository().references(session, stored.sha256) == 0
        if unused:
            self._blobs.remove(stored.sha256)


class _DuplicateInstance(Exception):
    """The same image (SOP Instance UID) is already in the case, in other bytes."""
