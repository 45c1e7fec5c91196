"""Reading and writing whole cases through the ORM; keeps the search index in step.

The case list's queries live in case_search.py (plain SQL, no ORM: start-up speed).
"""

from dataclasses import fields
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.domain.case import ConsultationCase, Patient, new_id
from app.domain.lifecycle import Status, Urgency
from app.domain.vitals import Vitals

from .models import CaseRow, PatientRow, StatusChangeRow
from .stamps import from_db as _aware
from .stamps import to_db as _naive_utc

_PATIENT_FIELDS = [f.name for f in fields(Patient)]
_VITAL_FIELDS = [f.name for f in fields(Vitals)]
_CASE_TEXT_FIELDS = ["specialty", "hospital", "reason", "question", "history", "examination", "treatment",
                     "diagnosis_code", "diagnosis_text"]


class CaseRepository:
    """All queries take the caller's session: the service owns the transaction."""

    def insert(self, session: Session, case: ConsultationCase, now: datetime) -> ConsultationCase:
        stamp = _naive_utc(now)
        patient = session.get(PatientRow, case.patient.id)
        if patient is None:
            patient = PatientRow(id=case.patient.id, created_at=stamp, updated_at=stamp)
            session.add(patient)
        self._copy_patient(case.patient, patient, stamp)
        session.flush()  # no ORM relationships, so parents are flushed first by hand
        row = CaseRow(id=case.id, patient_id=case.patient.id, parent_id=case.parent_id, created_at=stamp)
        self._copy_case(case, row, stamp)
        session.add(row)
        session.flush()  # assigns row.seq
        self._index(session, row.seq, case)
        self.record_status(session, case.id, None, case.status, now)
        return self._to_domain(row, patient)

    def update(self, session: Session, case: ConsultationCase, now: datetime) -> ConsultationCase:
        stamp = _naive_utc(now)
        row = self._row(session, case.id)
        patient = session.get(PatientRow, row.patient_id)
        self._copy_patient(case.patient, patient, stamp)
        self._copy_case(case, row, stamp)
        self._index(session, row.seq, case)
        return self._to_domain(row, patient)

    def get(self, session: Session, case_id: str) -> ConsultationCase | None:
        row = session.scalar(select(CaseRow).where(CaseRow.id == case_id))
        if row is None:
            return None
        return self._to_domain(row, session.get(PatientRow, row.patient_id))

    def set_status(self, session: Session, case_id: str, status: Status, now: datetime) -> None:
        row = self._row(session, case_id)
        self.record_status(session, case_id, Status(row.status), status, now)
        row.status = status.value
        row.updated_at = _naive_utc(now)

    def record_status(self, session: Session, case_id: str, old: Status | None, new: Status, now: datetime):
        session.add(StatusChangeRow(id=new_id(), case_id=case_id, from_status=old.value if old else None,
                                    to_status=new.value, at=_naive_utc(now)))

    def status_history(self, session: Session, case_id: str) -> list[tuple[Status | None, Status, datetime]]:
        rows = session.scalars(select(StatusChangeRow).where(StatusChangeRow.case_id == case_id)
                               .order_by(StatusChangeRow.at, StatusChangeRow.id))
        return [(Status(r.from_status) if r.from_status else None, Status(r.to_status), _aware(r.at)) for r in rows]

    # -- mapping ---------------------------------------------------------------

    def _row(self, session: Session, case_id: str) -> CaseRow:
        row = session.scalar(select(CaseRow).where(CaseRow.id == case_id))
        if row is None:
            raise KeyError(case_id)
        return row

    def _index(self, session: Session, seq: int, case: ConsultationCase) -> None:
        session.execute(text("DELETE FROM case_search WHERE rowid = :seq"), {"seq": seq})
        session.execute(text("INSERT INTO case_search(rowid, words) VALUES (:seq, :words)"),
                        {"seq": seq, "words": case.search_text()})

    @staticmethod
    def _copy_patient(patient: Patient, row: PatientRow, stamp: datetime) -> None:
        for name in _PATIENT_FIELDS:
            if name != "id":
                setattr(row, name, getattr(patient, name))
        row.updated_at = stamp

    @staticmethod
    def _copy_case(case: ConsultationCase, row: CaseRow, stamp: datetime) -> None:
        for name in _CASE_TEXT_FIELDS:
            setattr(row, name, getattr(case, name))
        for name in _VITAL_FIELDS:
            setattr(row, name, getattr(case.vitals, name))
        row.status = case.status.value
        row.urgency = case.urgency.value
        row.foreign_expert = case.foreign_expert
        row.updated_at = stamp

    @staticmethod
    def _to_domain(row: CaseRow, patient: PatientRow) -> ConsultationCase:
        return ConsultationCase(
            id=row.id,
            patient=Patient(**{name: getattr(patient, name) for name in _PATIENT_FIELDS}),
            status=Status(row.status),
            urgency=Urgency(row.urgency),
            vitals=Vitals(**{name: getattr(row, name) for name in _VITAL_FIELDS}),
            parent_id=row.parent_id,
            foreign_expert=bool(row.foreign_expert),
            number=row.seq,
            created_at=_aware(row.created_at),
            updated_at=_aware(row.updated_at),
            **{name: getattr(row, name) for name in _CASE_TEXT_FIELDS},
        )
