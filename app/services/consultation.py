"""The consultation as the doctor follows it: the thread, the signed conclusion, the minutes, the outcome.

Every action here is a local write with its outbox row in the same transaction (DESIGN.md 6): a reply
or an outcome report is on the thread at once, offline or not, and the sync pass sends it.
"""

import mimetypes
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.domain.attachment import Attachment, AttachmentKind
from app.domain.case import ConsultationCase, new_id, utcnow
from app.domain.lifecycle import Status
from app.storage.blobs import BlobStore
from app.storage.db import Database
from app.wire import consultation as wire

from .cases import CaseNotFound

REFERRED = "referred"
SENT_STATUSES = (Status.SUBMITTED, Status.SYNCED, Status.ANSWERED, Status.CLOSED)


class ConsultationError(Exception):
    """A request the doctor can correct: `field` names what is wrong, `reason` says what (a code the UI words)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class ThreadEntry:
    """One message of the thread; `waiting`: written here and not yet on the hub."""
    id: str
    direction: str           # in | out
    kind: str                # question | note | reply | status | outcome | answer | conclusion
    author: str
    author_detail: str
    text: str
    sent_at: datetime
    attachments: tuple[Attachment | str, ...]  # this station's attachment, or the id of one it does not hold
    change: str = ""
    assignee: str = ""
    outcome: dict | None = None
    waiting: bool = False


@dataclass(frozen=True)
class MinutesState:
    available: bool
    title: str = ""
    composition_id: str = ""
    error: str = ""          # why the last fetch failed (the next pass tries again)


@dataclass(frozen=True)
class ConsultationView:
    case: ConsultationCase
    entries: tuple[ThreadEntry, ...]
    conclusion: wire.Conclusion | None        # the current signed one
    earlier: tuple[wire.Conclusion, ...]      # the versions it amended, newest first
    minutes: MinutesState
    unread: int


class ConsultationService:
    def __init__(self, db: Database, blobs: BlobStore, clock=utcnow, today=None):
        self._db = db
        self._blobs = blobs
        self._clock = clock
        self._today = today or (lambda: clock().astimezone().date())

    # -- reading -----------------------------------------------------------------------------

    def view(self, case_id: str) -> ConsultationView:
        from app.storage.attachments import AttachmentRepository
        from app.storage.consultation import Conclusions, MinutesFiles
        from app.storage.outbox import Messages, Outbox
        from app.storage.repository import CaseRepository

        with self._db.transaction() as session:
            case = CaseRepository().get(session, case_id)
            if case is None:
                raise CaseNotFound(case_id)
            messages = Messages().for_case(session, case_id)
            waiting = Outbox().pending_refs(session, case_id, "message")
            compositions = Conclusions().for_case(session, case_id)
            minutes = MinutesFiles().for_case(session, case_id)
            attachments = {a.id: a for a in AttachmentRepository().for_case(session, case_id)}
        conclusions = [c for c in (wire.read_conclusion(r) for r in compositions) if c is not None]
        current = wire.current_conclusion(conclusions)
        entries = tuple(ThreadEntry(
            id=m.id, direction=m.direction, kind=m.kind, author=m.author, author_detail=m.author_detail,
            text=m.text, sent_at=m.sent_at, attachments=tuple(attachments.get(a, a) for a in m.attachments),
            change=m.change, assignee=m.assignee, outcome=m.outcome, waiting=m.id in waiting)
            for m in messages if m.kind != "conclusion" or m.text)  # a Composition's marker has no text
        return ConsultationView(case=case, entries=entries, conclusion=current,
                                earlier=tuple(_earlier(current, conclusions)), minutes=_minutes_state(minutes, current),
                                unread=sum(1 for m in messages if m.direction == "in" and not m.read))

    def mark_read(self, case_id: str) -> None:
        """The doctor has the Hội chẩn tab of the case in front of them: nothing there is news any more."""
        from app.storage.outbox import Messages

        with self._db.transaction() as session:
            Messages().mark_read(session, case_id)

    def minutes_file(self, case_id: str) -> Path | None:
        """The minutes PDF of the current conclusion (or the latest fetched), on this station."""
        from app.storage.consultation import MinutesFiles

        with self._db.transaction() as session:
            minutes = [m for m in MinutesFiles().for_case(session, case_id) if m.blob]
        view_current = self.view(case_id).conclusion if minutes else None
        chosen = next((m for m in minutes if view_current and m.composition_id == view_current.id), None)
        chosen = chosen or (minutes[-1] if minutes else None)
        return self._blobs.path(chosen.blob) if chosen else None

    def attachment_path(self, attachment: Attachment) -> Path:
        return self._blobs.path(attachment.sha256)

    def save_minutes(self, case_id: str, target: Path) -> Path:
        source = self.minutes_file(case_id)
        if source is None:
            raise ConsultationError("minutes", "not-yet")
        target = Path(target)
        shutil.copyfile(source, target)
        return target

    # -- writing -----------------------------------------------------------------------------

    def reply(self, case_id: str, text: str, files: list[Path] = ()) -> ThreadEntry:
        """The doctor's reply, with new files (a photo, a lab result): each attachment goes out before
        the message that names it (the hub refuses a reference to what it has not got)."""
        text = text.strip()
        if not text and not files:
            raise ConsultationError("text", "empty")
        stored = [(Path(f), self._blobs.put_file(Path(f))) for f in files]
        attachments = [Attachment(id=new_id(), case_id=case_id, sha256=blob.sha256, size=blob.size,
                                  media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                                  original_name=path.name, kind=_kind_of(path), caption="")
                       for path, blob in stored]
        return self._write(case_id, wire.REPLY, text, attachments=attachments)

    def report_outcome(self, case_id: str, code: str, on: date, referred_to: str = "", note: str = "") -> ThreadEntry:
        """TT 49/2017: the requesting side reports what became of the patient; it goes to the experts."""
        if code not in wire.OUTCOMES:
            raise ConsultationError("outcome", "unknown")
        referred_to = referred_to.strip() if code == REFERRED else ""
        if code == REFERRED and not referred_to:
            raise ConsultationError("referred_to", "required")
        if on > self._today():
            raise ConsultationError("date", "future")
        requested = self._requested_on(case_id)
        if requested is not None and on < requested:
            raise ConsultationError("date", "before-request")
        return self._write(case_id, wire.OUTCOME, note.strip(),
                           outcome={"code": code, "date": on.isoformat(), "referred_to": referred_to})

    def _write(self, case_id: str, kind: str, text: str, attachments: list[Attachment] = (),
               outcome: dict | None = None) -> ThreadEntry:
        from app.storage.attachments import AttachmentRepository
        from app.storage.outbox import Message, Messages, Outbox
        from app.storage.repository import CaseRepository

        now = self._clock()
        message = Message(id=new_id(), case_id=case_id, direction="out", kind=kind, author="", text=text,
                          sent_at=now, read=True, attachments=tuple(a.id for a in attachments), outcome=outcome)
        with self._db.transaction() as session:
            case = CaseRepository().get(session, case_id)
            if case is None:
                raise CaseNotFound(case_id)
            if case.status not in SENT_STATUSES:
                raise ConsultationError("case", "not-sent")
            outbox, repository = Outbox(), AttachmentRepository()
            for attachment in attachments:  # parents first: the files, then the message naming them
                repository.insert(session, attachment, now)
                outbox.add(session, case_id, "file", now, ref_id=attachment.id)
            Messages().add(session, message)
            outbox.add(session, case_id, "message", now, ref_id=message.id)
        return ThreadEntry(id=message.id, direction="out", kind=kind, author="", author_detail="", text=text,
                           sent_at=now, attachments=tuple(attachments), outcome=outcome, waiting=True)

    def _requested_on(self, case_id: str) -> date | None:
        """The local day the case was sent (or created, for a case sent before that was recorded)."""
        from sqlalchemy import func, select

        from app.storage.models import CaseRow, StatusChangeRow
        from app.storage.stamps import from_db

        with self._db.transaction() as session:
            sent = session.scalar(select(func.min(StatusChangeRow.at)).where(
                StatusChangeRow.case_id == case_id, StatusChangeRow.to_status == Status.SUBMITTED.value))
            created = session.scalar(select(CaseRow.created_at).where(CaseRow.id == case_id))
        moment = from_db(sent or created)
        return moment.astimezone().date() if moment is not None else None


def _earlier(current: wire.Conclusion | None, conclusions: list[wire.Conclusion]) -> list[wire.Conclusion]:
    """The versions the current conclusion amended, following `replaces` back, newest first."""
    by_id = {c.id: c for c in conclusions}
    out, seen = [], set()
    step = by_id.get(current.replaces) if current else None
    while step is not None and step.id not in seen:
        out.append(step)
        seen.add(step.id)
        step = by_id.get(step.replaces)
    return out


def _minutes_state(minutes, current: wire.Conclusion | None) -> MinutesState:
    if not minutes:
        return MinutesState(False)
    chosen = next((m for m in minutes if current and m.composition_id == current.id), minutes[-1])
    return MinutesState(bool(chosen.blob), chosen.title, chosen.composition_id, chosen.last_error)


def _kind_of(path: Path) -> AttachmentKind:
    media = mimetypes.guess_type(path.name)[0] or ""
    if media.startswith("image/"):
        return AttachmentKind.PHOTO
    if path.suffix.lower() == ".dcm":
        return AttachmentKind.IMAGING
    return AttachmentKind.DOCUMENT
