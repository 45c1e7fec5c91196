"""Creating, editing, checking and sending consultation cases."""

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timezone

from app.domain import case as case_rules
from app.domain.case import ConsultationCase, Patient, utcnow
from app.domain.icd10 import Icd10Catalogue, catalogue
from app.domain.issues import Issue, errors
from app.domain.lifecycle import EDITABLE, Status, check_transition
from app.domain.summary import CasePage, CaseQuery
from app.storage.case_search import search_cases
from app.storage.db import Database


class CaseNotFound(LookupError):
    pass


class CaseNotEditable(Exception):
    def __init__(self, status: Status):
        super().__init__(f"a {status.value} case cannot be edited")
        self.status = status


class CaseIncomplete(Exception):
    """The case cannot move on until these issues are fixed."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(i.english() for i in issues))
        self.issues = issues


class ForeignExportFailed(Exception):
    """Some images could not be de-identified: the case cannot go abroad yet."""

    def __init__(self, failed: list):
        super().__init__(f"{len(failed)} image file(s) could not be de-identified")
        self.failed = failed


class BurnedInReview(Exception):
    """De-identified, but these images may show the patient's name in their pixels: a person must look."""

    def __init__(self, files: list[str], folder):
        super().__init__(f"{len(files)} image(s) to review in {folder}")
        self.files = files
        self.folder = folder


@dataclass(frozen=True)
class PatientMatch:
    """Another patient already holding an identifier typed for this case."""

    patient: Patient
    fields: tuple[str, ...]          # "cccd", "bhyt": which identifiers are the same
    case_numbers: tuple[int, ...]    # that patient's cases, newest first


class CaseService:
    def __init__(self, db: Database, icd: Icd10Catalogue | None = None, clock=utcnow, prepare_foreign=None,
                 remove_blob=None):
        """`prepare_foreign(case_id)` writes the de-identified imaging a case for an expert abroad sends;
        `remove_blob(sha256)` frees a stored file no attachment uses any more."""
        self._db = db
        self._prepare_foreign = prepare_foreign
        self._remove_blob = remove_blob
        self._repository = None
        self._icd = icd
        self._clock = clock

    @property
    def _repo(self):
        # The ORM is imported on first write, not at start-up (see app/storage/db.py).
        if self._repository is None:
            from app.storage.repository import CaseRepository

            self._repository = CaseRepository()
        return self._repository

    @property
    def icd(self) -> Icd10Catalogue:
        # Built on first use: it costs a quarter of a second, not worth paying at start-up.
        if self._icd is None:
            self._icd = catalogue()
        return self._icd

    def warm_up(self) -> None:
        """Pay the one-off costs (ICD-10 catalogue, SQLAlchemy import) before the user's first edit."""
        _ = self.icd, self._repo, self._db.engine

    def create_case(self, draft: ConsultationCase | None = None) -> ConsultationCase:
        draft = draft or ConsultationCase()
        with self._db.transaction() as session:
            return self._repo.insert(session, replace(draft, status=Status.DRAFT), self._clock())

    def get_case(self, case_id: str) -> ConsultationCase:
        with self._db.transaction() as session:
            found = self._repo.get(session, case_id)
        if found is None:
            raise CaseNotFound(case_id)
        return found

    def save_draft(self, edited: ConsultationCase) -> ConsultationCase:
        """Store the case as typed, valid or not. Only a draft may change."""
        with self._db.transaction() as session:
            stored = self._repo.get(session, edited.id)
            if stored is None:
                raise CaseNotFound(edited.id)
            if stored.status not in EDITABLE:
                raise CaseNotEditable(stored.status)
            return self._repo.update(session, replace(edited, status=stored.status,
                                                      parent_id=stored.parent_id), self._clock())

    def validate(self, case: ConsultationCase, complete: bool = False, today: date | None = None) -> list[Issue]:
        return case_rules.validate(case, self.icd, today or self._today(), complete=complete)

    def mark_ready(self, case_id: str) -> ConsultationCase:
        return self._move(case_id, Status.READY, require_complete=True)

    def back_to_draft(self, case_id: str) -> ConsultationCase:
        return self._move(case_id, Status.DRAFT)

    def submit(self, case_id: str, burned_in_checked: bool = False) -> ConsultationCase:
        """Queue a ready case for the hub (the sync engine sends it).

        A case for an expert abroad is de-identified first; images whose pixels may show the
        patient's name stop the submission until someone has checked them (`burned_in_checked`).
        """
        case = self.get_case(case_id)
        check_transition(case.status, Status.SUBMITTED)
        deidentified: list[str] = []
        if case.foreign_expert and self._prepare_foreign is not None:
            export = self._prepare_foreign(case_id)
            if export.failed:
                raise ForeignExportFailed(export.failed)
            if export.burned_in and not burned_in_checked:
                raise BurnedInReview(export.burned_in, export.folder)
            deidentified = sorted(p.name for p in export.folder.glob("*.dcm"))
        return self._move(case_id, Status.SUBMITTED, require_complete=True,
                          also=lambda session, now: self._queue_for_hub(session, case, deidentified, now))

    def _queue_for_hub(self, session, case: ConsultationCase, deidentified: list[str], now: datetime) -> None:
        """The outbox rows of a submitted case, in the status change's own transaction."""
        from app.domain.attachment import AttachmentKind
        from app.storage.attachments import AttachmentRepository
        from app.storage.dicom_index import DicomIndex
        from app.storage.outbox import Outbox

        outbox = Outbox()
        outbox.add(session, case.id, "case", now)
        outbox.add(session, case.id, "task", now)
        attachments = AttachmentRepository().for_case(session, case.id)
        keys = {attachment_id for attachment_id, _ in DicomIndex().key_images(session, case.id)}
        # Small files and key images first: the experts can start while the rest of a CT travels.
        order = lambda a: (a.kind == AttachmentKind.IMAGING and a.id not in keys, a.size)  # noqa: E731
        for attachment in sorted(attachments, key=order):
            if case.foreign_expert and attachment.kind == AttachmentKind.IMAGING:
                continue  # only the de-identified copies leave for abroad
            outbox.add(session, case.id, "file", now, ref_id=attachment.id)
        for name in deidentified:
            outbox.add(session, case.id, "outgoing", now, ref_id=name)

    def close(self, case_id: str) -> ConsultationCase:
        """Closed here, and on the hub: its Task becomes "completed", If-Match the version the doctor
        had seen when closing (a change the experts made since then is a conflict to show)."""
        from app.storage.outbox import Outbox, RemoteTasks, status_change

        def queue(session, now):
            seen = RemoteTasks().get(session, case_id)
            Outbox().add(session, case_id, "status", now, ref_id=status_change("completed", seen))
        return self._move(case_id, Status.CLOSED, also=queue)

    def record_status(self, case_id: str, status: Status) -> ConsultationCase:
        """For the sync engine: the hub has the case (synced) or answered it."""
        return self._move(case_id, status)

    def reopen(self, case_id: str) -> ConsultationCase:
        """A new draft linked to an answered or closed case; the old one stays as it was."""
        with self._db.transaction() as session:
            old = self._repo.get(session, case_id)
            if old is None:
                raise CaseNotFound(case_id)
            return self._repo.insert(session, case_rules.reopen(old), self._clock())

    def delete_draft(self, case_id: str) -> None:
        """A mistaken draft goes, with its attachments (their files too, unless another case uses them).
        Only a draft: a case that was marked ready or sent is kept."""
        from sqlalchemy import delete, func, select, text

        from app.storage.models import (AttachmentRow, CaseRow, DicomInstanceRow, KeyImageRow, MessageRow,
                                        OutboxRow, PatientRow, RemoteTaskRow, StatusChangeRow)

        with self._db.transaction() as session:
            row = session.scalar(select(CaseRow).where(CaseRow.id == case_id))
            if row is None:
                raise CaseNotFound(case_id)
            if Status(row.status) is not Status.DRAFT:
                raise CaseNotEditable(Status(row.status))
            hashes = set(session.scalars(select(AttachmentRow.sha256).where(AttachmentRow.case_id == case_id)))
            for table in (KeyImageRow, DicomInstanceRow, AttachmentRow, OutboxRow, MessageRow, RemoteTaskRow,
                          StatusChangeRow):
                session.execute(delete(table).where(table.case_id == case_id))
            session.execute(text("DELETE FROM case_search WHERE rowid = :seq"), {"seq": row.seq})
            patient_id = row.patient_id
            session.delete(row)
            session.flush()
            if not session.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.patient_id == patient_id)):
                session.execute(delete(PatientRow).where(PatientRow.id == patient_id))
            unused = {h for h in hashes
                      if not session.scalar(select(func.count()).select_from(AttachmentRow)
                                            .where(AttachmentRow.sha256 == h))}
        if self._remove_blob is not None:
            for sha256 in sorted(unused):
                self._remove_blob(sha256)

    def patients_sharing_identifiers(self, case: ConsultationCase) -> list[PatientMatch]:
        """Other patients with the CCCD or BHYT typed for this case (the same person, or a typing mistake)."""
        from sqlalchemy import or_, select

        from app.storage.models import CaseRow, PatientRow

        wanted = {name: getattr(case.patient, name).strip().upper() for name in ("cccd", "bhyt")}
        wanted = {name: value for name, value in wanted.items() if value}
        if not wanted:
            return []
        with self._db.transaction() as session:
            rows = session.scalars(select(PatientRow).where(
                PatientRow.id != case.patient.id,
                or_(*(getattr(PatientRow, name) == value for name, value in wanted.items())))).all()
            matches = []
            for row in rows:
                numbers = tuple(session.scalars(select(CaseRow.seq).where(CaseRow.patient_id == row.id)
                                                .order_by(CaseRow.seq.desc())))
                if not numbers:
                    continue
                patient = Patient(**{f.name: getattr(row, f.name) for f in fields(Patient)})
                same = tuple(name for name, value in wanted.items() if getattr(row, name) == value)
                matches.append(PatientMatch(patient, same, numbers))
        return sorted(matches, key=lambda m: m.case_numbers, reverse=True)

    def use_patient(self, case_id: str, patient_id: str) -> ConsultationCase:
        """This draft is about a patient already known here: link it to that patient's record
        (the identity typed so far is dropped; the clinical content stays)."""
        from sqlalchemy import delete, func, select

        from app.storage.models import CaseRow, PatientRow

        with self._db.transaction() as session:
            row = session.scalar(select(CaseRow).where(CaseRow.id == case_id))
            if row is None:
                raise CaseNotFound(case_id)
            if Status(row.status) not in EDITABLE:
                raise CaseNotEditable(Status(row.status))
            if session.get(PatientRow, patient_id) is None:
                raise CaseNotFound(patient_id)
            old = row.patient_id
            row.patient_id = patient_id
            row.updated_at = self._clock().astimezone(timezone.utc).replace(tzinfo=None)
            session.flush()
            if old != patient_id and not session.scalar(
                    select(func.count()).select_from(CaseRow).where(CaseRow.patient_id == old)):
                session.execute(delete(PatientRow).where(PatientRow.id == old))
            case = self._repo.get(session, case_id)
            self._repo.update(session, case, self._clock())  # the search index follows the new name
        return self.get_case(case_id)

    def search(self, query: CaseQuery) -> CasePage:
        return search_cases(self._db, query)

    def status_history(self, case_id: str) -> list[tuple[Status | None, Status, datetime]]:
        with self._db.transaction() as session:
            return self._repo.status_history(session, case_id)

    def _move(self, case_id: str, status: Status, require_complete: bool = False, also=None) -> ConsultationCase:
        with self._db.transaction() as session:
            current = self._repo.get(session, case_id)
            if current is None:
                raise CaseNotFound(case_id)
            check_transition(current.status, status)
            if require_complete:
                problems = errors(self.validate(current, complete=True))
                if problems:
                    raise CaseIncomplete(problems)
            now = self._clock()
            self._repo.set_status(session, case_id, status, now)
            if also is not None:
                also(session, now)
            return replace(current, status=status, updated_at=now)

    def _today(self) -> date:
        return self._clock().astimezone().date()
