"""Importing evidence into a case: files, folders, a CD (DICOMDIR), ZIP archives.

Each file ends up imported, a duplicate, or refused with its reason; one bad
file never stops the rest, and nothing of a refused file stays in the store.
"""

import hashlib
import io
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.attachment import Attachment, AttachmentKind
from app.domain.case import new_id, utcnow
from app.domain.dicom_patient import mismatches
from app.imaging.classify import classify
from app.imaging.dicom_files import (
    RefusedFile,
    decodes_whole,
    fast_info,
    looks_like_dicom,
    read_info,
    syntax_of_encoding,
)
from app.imaging.photos import strip_jpeg_metadata
from app.imaging.sources import expand
from app.storage.blobs import StoredBlob
from app.storage.db import Database

from .attachments import AttachmentService
from .cases import CaseService

Progress = Callable[[float, str], None]
SMALL_FILE = 32 << 20  # read whole (one read, parsed from memory); larger files are streamed
BATCH_FILES = 1000     # files made durable (one flush) and recorded (one transaction) together
BATCH_BYTES = 512 << 20


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
        from app.storage.dicom_index import DicomIndex

        case = self._cases.get_case(case_id)
        self._attachments.require_editable(case_id)
        candidates = list(expand([Path(p) for p in paths]))
        total = sum(c.size for c in candidates if c.refused is None) or 1
        done = 0
        report = ImportReport()
        with self._db.transaction() as session:
            seen = _Seen({a.sha256 for a in self._attachments.list(case_id)},
                         DicomIndex().sop_uids(session, case_id))
        studies: dict[str, dict] = {}
        batch: list[tuple[Attachment, dict | None]] = []
        pipeline = _Pipeline(self._blobs, candidates)
        try:
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
                    result, record = self._import_one(case_id, candidate, seen, step, cancelled, pipeline)
                except InterruptedError:
                    report.cancelled = True
                    break
                report.results.append(result)
                done += candidate.size
                if record is not None:
                    batch.append(record)
                    if record[1] is not None:
                        studies.setdefault(record[1]["study_uid"], record[1])
                    if len(batch) >= BATCH_FILES or sum(a.size for a, _d in batch) >= BATCH_BYTES:
                        self._commit(batch, seen)
        finally:
            pipeline.close()
            if batch:
                self._commit(batch, seen)  # what was read before a cancel (or an error) is kept
        for study_uid, info in studies.items():
            found = mismatches(case.patient, info["patient_name"], info["patient_birth_date"], info["patient_sex"])
            if found:
                report.warnings.append(PatientWarning(study_uid, info["patient_name"], info["patient_birth_date"],
                                                      info["patient_sex"], tuple(found)))
        if progress is not None:
            progress(1.0, "")
        return report

    def _import_one(self, case_id, candidate, seen: "_Seen", step, cancelled, pipeline: "_Pipeline"):
        """(result, record to commit or None). Small files are read once, parsed from memory."""
        data = parsed = None
        try:
            copying = pipeline.copy_of(candidate)
            if copying is not None:  # a plain small file: copied by the kernel ahead, hashed and parsed from the copy
                tmp = copying.result()
                try:
                    data = tmp.read_bytes()
                    if cancelled is not None and cancelled():
                        raise InterruptedError("cancelled")
                    hashing = pipeline.hasher.submit(_sha256, data)  # hashlib lets go of the GIL: parsed meanwhile
                    try:
                        parsed = _parse(data, candidate.name)
                    finally:
                        digest = hashing.result()
                    stored = self._blobs.adopt(tmp, digest, len(data))
                except BaseException:
                    self._blobs.discard(tmp)
                    raise
                step(len(data))
            else:
                with candidate.open() as stream:
                    if candidate.size <= SMALL_FILE:
                        data = stream.read()
                        if cancelled is not None and cancelled():
                            raise InterruptedError("cancelled")
                        storing = pipeline.writer.submit(self._blobs.put_bytes_hashed_aside, data, pipeline.hasher)
                        try:
                            parsed = _parse(data, candidate.name)
                        finally:
                            stored = storing.result()
                        step(len(data))
                    else:
                        stored = self._blobs.put_stream_batched(stream, step, cancelled)
        except RefusedFile as refused:
            return ImportResult(candidate.name, "refused", refused.code, refused.detail), None
        except InterruptedError:
            raise
        except Exception as error:  # noqa: BLE001 - one file that cannot be read is that file's refusal
            return ImportResult(candidate.name, "refused", "file.unreadable", f"{type(error).__name__}: {error}"), None
        try:
            if stored.sha256 in seen.hashes:
                return ImportResult(candidate.name, "duplicate"), None
            if parsed is not None:  # small files are parsed from memory: one read from the disk
                if isinstance(parsed, BaseException):
                    raise parsed
                kind, media_type, info, ds = parsed
            else:
                with open(self._blobs.path(stored.sha256), "rb") as f:
                    kind, media_type = classify(f.read(132), candidate.name)
                source = self._blobs.path(stored.sha256)
                info, ds = read_info(source, decode=True) if kind is AttachmentKind.IMAGING else (None, None)
            details: dict = {}
            dicom = None
            if kind is AttachmentKind.IMAGING:
                if info.sop_instance_uid in seen.sops:
                    if ds is None:  # read without pydicom: now it is needed
                        ds = read_info(io.BytesIO(data))[1]
                    if not self._replaces_undecodable(case_id, info.sop_instance_uid, ds, seen):
                        self._forget(stored)
                        return ImportResult(candidate.name, "duplicate"), None
                if data is not None and not looks_like_dicom(data[:132]):
                    stored = self._with_part10_header(stored, ds)
                dicom = info.as_dict()
                details = {"modality": info.modality, "series": info.series_description,
                           "series_uid": info.series_uid, "burned_in_annotation": info.burned_in_annotation}
            elif media_type == "image/jpeg":
                stored = self._strip_photo(stored, data)
                if stored.sha256 in seen.hashes:
                    return ImportResult(candidate.name, "duplicate"), None
        except RefusedFile as refused:
            self._forget(stored)
            return ImportResult(candidate.name, "refused", refused.code, refused.detail), None
        except Exception as error:  # noqa: BLE001 - a file that breaks a reader is that file's refusal
            self._forget(stored)
            code = "dicom.unreadable" if data is not None and looks_like_dicom(data[:132]) else "file.unreadable"
            return ImportResult(candidate.name, "refused", code, f"{type(error).__name__}: {error}"), None
        except BaseException:
            self._forget(stored)
            raise
        seen.hashes.add(stored.sha256)
        if dicom is not None:
            seen.sops.add(dicom["sop_instance_uid"])
        attachment = Attachment(id=new_id(), case_id=case_id, sha256=stored.sha256, size=stored.size,
                                media_type=media_type, original_name=Path(candidate.name).name, kind=kind,
                                details=details)
        return ImportResult(candidate.name, "imported", kind=kind, attachment_id=attachment.id), (attachment, dicom)

    def _replaces_undecodable(self, case_id: str, sop_uid: str, ds, seen: "_Seen") -> bool:
        """A second copy of an image the case holds: it takes the place of the first when the first cannot be
        shown and this one can (the old one is detached once the new one is recorded)."""
        from pydicom import dcmread

        from app.storage.dicom_index import DicomIndex

        with self._db.transaction() as session:
            held = [i for i in DicomIndex().for_case(session, case_id) if i.sop_uid == sop_uid]
        if not held or not decodes_whole(ds):
            return False  # an image of this same import, or a copy no better than the one held
        for instance in held:
            try:
                if decodes_whole(dcmread(self._blobs.path(instance.sha256))):
                    return False
            except Exception:  # noqa: BLE001 - unreadable: this copy is better
                pass
        seen.replaced.extend(i.attachment_id for i in held)
        return True

    def _with_part10_header(self, stored: StoredBlob, ds) -> StoredBlob:
        """A dataset without its Part-10 header is stored with one (preamble, DICM, file meta)."""
        from pydicom.dataset import FileMetaDataset

        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = ds.SOPClassUID
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        meta.TransferSyntaxUID = syntax_of_encoding(*ds.original_encoding)
        ds.file_meta = meta
        ds.preamble = b"\0" * 128
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        whole = self._blobs.put_bytes(out.getvalue(), durable=False)
        self._forget(stored)
        return whole

    def _commit(self, batch: list, seen: "_Seen") -> None:
        """The batch's files are made durable, then recorded in one transaction (with the undecodable copies
        they replace taken out)."""
        from app.storage.attachments import AttachmentRepository
        from app.storage.dicom_index import DicomIndex

        self._blobs.sync()
        now = self._clock()
        freed = []
        with self._db.transaction() as session:
            repository, index = AttachmentRepository(), DicomIndex()
            for attachment_id in seen.replaced:
                freed.append(repository.delete(session, attachment_id))
            seen.replaced.clear()
            session.flush()
            repository.insert_many(session, [attachment for attachment, _dicom in batch], now)
            index.add_many(session, [(a.case_id, a.id, dicom) for a, dicom in batch if dicom is not None])
            unused = [sha for sha in freed if sha is not None and repository.references(session, sha) == 0]
        batch.clear()
        for sha256 in unused:
            self._blobs.remove(sha256)

    def _strip_photo(self, stored: StoredBlob, data: bytes | None) -> StoredBlob:
        if data is None:  # a large photo was streamed: read it back once
            data = self._blobs.path(stored.sha256).read_bytes()
        stripped = strip_jpeg_metadata(data)
        if stripped == data:
            return stored
        clean = self._blobs.put_bytes(stripped, durable=False)
        self._forget(stored)
        return clean

    def _forget(self, stored: StoredBlob) -> None:
        """Take a refused file's content out of the store, unless something else uses it."""
        if not stored.is_new:
            return
        from app.storage.attachments import AttachmentRepository

        with self._db.transaction() as session:
            unused = AttachmentRepository().references(session, stored.sha256) == 0
        if unused:
            self._blobs.remove(stored.sha256)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Pipeline:
    """The threads of one import: plain files are copied into the store by the kernel a few files ahead
    (the writer), hashed on another thread (the hasher) while the importing thread parses them."""

    AHEAD = 8

    def __init__(self, blobs, candidates: list):
        self._blobs = blobs
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="import-writer")
        self.hasher = ThreadPoolExecutor(1, thread_name_prefix="import-hasher")
        self._queue = [c for c in candidates if c.refused is None and c.path is not None and c.size <= SMALL_FILE]
        self._next = 0
        self._copies: dict[int, Future] = {}

    def copy_of(self, candidate) -> Future | None:
        """The copy of `candidate` under way (its temporary path), or None when it is not copied ahead."""
        self._fill()
        found = self._copies.pop(id(candidate), None)
        self._fill()
        return found

    def _fill(self) -> None:
        while self._next < len(self._queue) and len(self._copies) < self.AHEAD:
            ahead = self._queue[self._next]
            self._next += 1
            self._copies[id(ahead)] = self.writer.submit(self._blobs.copy_in, ahead.path)

    def close(self) -> None:
        """Stops the threads; copies made ahead and not used (a cancel, an error) are deleted."""
        for copying in self._copies.values():
            copying.cancel()
        self.writer.shutdown(wait=True)
        self.hasher.shutdown(wait=True)
        for copying in self._copies.values():
            if not copying.cancelled() and copying.exception() is None:
                self._blobs.discard(copying.result())
        self._copies.clear()


def _parse(data: bytes, name: str):
    """(kind, media type, DicomInfo or None, dataset or None) of a file read whole, or the exception that
    refuses it (handed back, to be raised once its content is stored and can be forgotten)."""
    try:
        kind, media_type = classify(data[:132], name)
        if kind is not AttachmentKind.IMAGING:
            return kind, media_type, None, None
        info = fast_info(data)  # the common case, without building pydicom's dataset
        if info is not None:
            return kind, media_type, info, None
        info, ds = read_info(io.BytesIO(data), decode=True)
        return kind, media_type, info, ds
    except Exception as error:  # noqa: BLE001 - raised again by the caller
        return error


@dataclass
class _Seen:
    """What the case already holds (and this import has added): content hashes and image UIDs."""

    hashes: set[str]
    sops: set[str]
    replaced: list[str] = field(default_factory=list)  # attachments a better copy of their image replaces
