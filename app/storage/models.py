"""ORM tables of the station database. Changing them needs an Alembic migration."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def _text() -> Mapped[str]:
    return mapped_column(Text, nullable=False, default="")


class PatientRow(Base):
    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    full_name: Mapped[str] = _text()
    birth: Mapped[str] = _text()
    age: Mapped[str] = _text()
    sex: Mapped[str] = _text()
    cccd: Mapped[str] = _text()
    bhyt: Mapped[str] = _text()
    phone: Mapped[str] = _text()
    province_code: Mapped[str] = _text()
    commune_code: Mapped[str] = _text()
    address_line: Mapped[str] = _text()
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status", "status"),
        Index("ix_cases_urgency", "urgency"),
        Index("ix_cases_patient", "patient_id"),
    )

    # An explicit integer key: the search index refers to it, and SQLite may
    # renumber an implicit rowid on VACUUM.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), nullable=False)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    urgency: Mapped[str] = mapped_column(String(16), nullable=False)
    specialty: Mapped[str] = _text()
    hospital: Mapped[str] = _text()
    reason: Mapped[str] = _text()
    question: Mapped[str] = _text()
    history: Mapped[str] = _text()
    examination: Mapped[str] = _text()
    treatment: Mapped[str] = _text()
    diagnosis_code: Mapped[str] = _text()
    diagnosis_text: Mapped[str] = _text()
    pulse: Mapped[str] = _text()
    blood_pressure: Mapped[str] = _text()
    resp_rate: Mapped[str] = _text()
    spo2: Mapped[str] = _text()
    temperature: Mapped[str] = _text()
    weight: Mapped[str] = _text()
    foreign_expert: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class StatusChangeRow(Base):
    """Append-only history of a case's status."""

    __tablename__ = "case_status_changes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class AttachmentRow(Base):
    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    media_type: Mapped[str] = mapped_column(String(120), nullable=False)
    original_name: Mapped[str] = _text()
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    caption: Mapped[str] = _text()
    details: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class DicomInstanceRow(Base):
    __tablename__ = "dicom_instances"
    __table_args__ = (
        Index("ix_dicom_instances_case_series", "case_id", "series_uid"),
        Index("ix_dicom_instances_case_sop", "case_id", "sop_uid", unique=True),
    )

    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False)
    study_uid: Mapped[str] = mapped_column(String(64), nullable=False)
    series_uid: Mapped[str] = mapped_column(String(64), nullable=False)
    sop_uid: Mapped[str] = mapped_column(String(64), nullable=False)
    modality: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    series_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    instance_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    slice_position: Mapped[float | None] = mapped_column(Float, nullable=True)
    frames: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    info: Mapped[str] = mapped_column(Text, nullable=False)  # JSON of DicomInfo


class KeyImageRow(Base):
    __tablename__ = "key_images"

    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True)
    frame: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)


class CheckReportRow(Base):
    __tablename__ = "check_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[str] = mapped_column(String(40), nullable=False, index=True)  # ISO 8601 UTC
    fit: Mapped[bool] = mapped_column(Boolean, nullable=False)
    report: Mapped[str] = mapped_column(Text, nullable=False)  # JSON of CheckReport.as_dict()


# Full-text index of CaseRow.search_text-equivalent words; rowid = cases.seq.
# Created by the migration (SQLAlchemy has no FTS5 construct).
SEARCH_TABLE = "case_search"


class OutboxRow(Base):
    """Work for the hub, written in the same transaction as the local change (DESIGN.md convention 6).

    kind: "case" (the case's records as one transaction), "task" (its workflow Task, created once),
    "file" (an attachment: resumable upload, then its DocumentReference), "outgoing" (a de-identified
    copy for an expert abroad, named by ref_id), "status" (the Task's new status, in ref_id, sent
    with If-Match), "message" (a reply or outcome report of the doctor, by message id).
    Rows of one case go in `seq` order; a case whose row fails waits, the others go on.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "done_at", "case_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    ref_id: Mapped[str] = mapped_column(String(80), nullable=False, default="")  # attachment, message or file name
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str] = _text()
    upload_url: Mapped[str] = _text()      # a started resumable upload, kept across restarts
    done_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class MessageRow(Base):
    """Questions sent and answers received; appended, never edited."""

    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    direction: Mapped[str] = mapped_column(String(8), nullable=False)  # out | in
    kind: Mapped[str] = mapped_column(String(16), nullable=False)      # app.wire.consultation kinds, conclusion
    author: Mapped[str] = _text()
    text: Mapped[str] = _text()
    sent_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    read: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    author_detail: Mapped[str] = _text()  # an expert's title, hospital, specialty
    attachments: Mapped[str] = _text()    # JSON list of DocumentReference (attachment) ids
    change: Mapped[str] = _text()         # workflow change: accepted | assigned | declined
    assignee: Mapped[str] = _text()
    outcome: Mapped[str] = _text()        # JSON {code, date, referred_to} of an outcome report


class ConclusionRow(Base):
    """A signed conclusion (FHIR Composition) as the hub sent it; an amendment is a row of its own."""

    __tablename__ = "conclusions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    replaces: Mapped[str] = _text()
    signed_at: Mapped[str] = _text()  # FHIR instant, as signed
    content: Mapped[str] = _text()    # the Composition's JSON
    received_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class MinutesRow(Base):
    """The minutes (Biên bản hội chẩn) PDF of a conclusion; `blob` empty until its file is fetched."""

    __tablename__ = "minutes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the DocumentReference's id
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    composition_id: Mapped[str] = _text()
    url: Mapped[str] = _text()
    title: Mapped[str] = _text()
    sha256: Mapped[str] = _text()
    created: Mapped[str] = _text()
    blob: Mapped[str] = _text()        # sha256 of the fetched file in the blob store
    last_error: Mapped[str] = _text()
    received_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class SyncStateRow(Base):
    """Small facts about sync: the download cursor, the last success, the last problem."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = _text()


class RemoteTaskRow(Base):
    """The hub's Task of a case as the station last saw it: its version is what a status change
    sends as If-Match, so a change made meanwhile by the experts is never overwritten."""

    __tablename__ = "remote_tasks"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    content: Mapped[str] = _text()  # the Task's JSON
    seen_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
