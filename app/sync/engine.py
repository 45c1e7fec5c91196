"""One sync pass: download the experts' replies, then send what the outbox holds.

Exactly once: every record has the station's own id, so a PUT repeated after a cut or a crash
updates the same record; a file continues from the offset the hub reports. A row is marked done
only after the hub has answered, in a transaction of its own.
"""

import base64
import hashlib
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from app.domain.case import utcnow
from app.domain.lifecycle import Status
from app.storage.attachments import AttachmentRepository
from app.storage.consultation import Conclusions, MinutesFiles
from app.storage.db import Database
from app.storage.dicom_index import DicomIndex
from app.storage.outbox import Message, Messages, Outbox, OutboxItem, RemoteTasks, SyncState, parse_status_change
from app.storage.repository import CaseRepository
from app.wire import consultation, mapping

from .hub_client import HubBusy, HubClient, HubConflict, HubError, HubFailed, HubRejected, HubUnreachable
from .pacs import (DicomRow, PacsSender, batches, deidentified_keys_first, has_key_object, make_key_objects,
                   place_key_objects, read_row)

log = logging.getLogger(__name__)

CHUNK = 4 * 1024 * 1024          # a cut costs at most one chunk; larger chunks waste less time on round trips
OVERLAP = timedelta(minutes=2)   # downloads re-read a margin: a record committed late is not missed
BACKOFF_BASE_S = 5.0
BACKOFF_MAX_S = 30 * 60.0
REJECTED_RETRY_S = 6 * 3600.0    # a refusal needs a person; try again now and then (rules may change)
CONFLICT_WAIT_S = 100 * 365 * 86400.0  # a conflict waits for the doctor's decision (SyncService.resend)
FAILED_TRIES = 3                 # a row the hub fails on (500) this many times running is refused by the hub
_FAILED_MARK = re.compile(r"^hub failed \((\d+) of \d+\)")  # how a row's error counts those tries
_FAILED_REFUSAL = "refused by the hub: it failed on this case"
FORCE_HORIZON = timedelta(days=365)  # "sync now" tries what waits for the link, not what waits for a person


@dataclass
class SyncReport:
    online: bool = True
    sent_rows: int = 0
    synced_cases: list[str] = field(default_factory=list)
    new_answers: list[str] = field(default_factory=list)      # case ids with new expert messages
    failed_cases: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, str] = field(default_factory=dict)
    error: str = ""


ProgressFn = Callable[[str, int, int], None]  # (case id, bytes sent, bytes in all) for the file being sent


class SyncEngine:
    def __init__(self, db: Database, client: HubClient, file_path: Callable[[OutboxItem], Path],
                 clock=utcnow, rng: random.Random | None = None, blobs=None):
        """`file_path(item)` says where the bytes of a "file" or "outgoing" row are; `blobs` (a BlobStore)
        keeps the minutes PDFs fetched from the hub (none: they are not fetched)."""
        self._db = db
        self._blobs = blobs
        self._conclusions, self._minutes = Conclusions(), MinutesFiles()
        self._client = client
        self._file_path = file_path
        self._clock = clock
        self._rng = rng or random.Random()
        self._outbox, self._messages, self._state, self._tasks = Outbox(), Messages(), SyncState(), RemoteTasks()
        self._cases, self._attachments = CaseRepository(), AttachmentRepository()
        self._pacs = PacsSender(db, client, clock)
        self._pacs_present: bool | None = None  # asked once per engine, when a case has images

    @property
    def facility(self) -> str:
        return self._client.credential.facility

    def run_once(self, progress: ProgressFn | None = None, force: bool = False) -> SyncReport:
        """`force`: try every unsent row now, backoff or not (the doctor pressed "sync now", the link came back)."""
        report = SyncReport()
        with self._db.transaction() as session:
            was_offline = self._state.get(session, "offline") == "1"
        with self._db.transaction() as session:
            self.settle(session)  # whatever a cut or a kill left half-done in an earlier pass
        try:
            try:
                self.download(report)
            except HubFailed as error:  # the link works: what waits to be sent still goes
                report.error = f"replies not fetched: {error}"
            # The link is back: what waited for it goes now, not when each row's backoff ends.
            self.upload(report, progress, force or was_offline)
        except HubUnreachable as error:
            report.online, report.error = False, str(error)
        with self._db.transaction() as session:
            self._state.set(session, "offline", "0" if report.online else "1")
            if report.online:
                self._state.set(session, "last_success", self._clock().isoformat())
        _log_pass(report)
        return report

    # -- download ----------------------------------------------------------------------------

    def download(self, report: SyncReport) -> None:
        """The experts' messages, the Tasks they moved on, signed conclusions and their minutes, each
        from its own cursor; then the minutes' PDFs not fetched yet."""
        self._download("Communication", "download_cursor", lambda r: self._receive(r, report))
        self._download("Task", "task_cursor", self._task_seen)
        self._download_optional("Composition", "conclusion_cursor", lambda r: self._receive_conclusion(r, report))
        self._download("DocumentReference", "document_cursor", self._receive_minutes)
        self._fetch_minutes()

    def _download_optional(self, kind: str, cursor_key: str, receive: Callable[[dict], None]) -> None:
        """A type an older hub does not serve (404, 400): nothing of it to fetch, the pass goes on."""
        try:
            self._download(kind, cursor_key, receive)
        except HubRejected as error:
            if error.status not in (400, 404):
                raise
            log.info("the hub serves no %s yet: %s", kind, error.diagnostics)

    def _download(self, kind: str, cursor_key: str, receive: Callable[[dict], None]) -> None:
        with self._db.transaction() as session:
            cursor = self._state.get(session, cursor_key)
        since = (datetime.fromisoformat(cursor) - OVERLAP) if cursor else None
        params = {"_sort": "_lastUpdated", "_count": "200"}
        if since is not None:
            params["_lastUpdated"] = "ge" + since.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
        newest = cursor
        for resource in self._client.search(kind, params):
            receive(resource)
            newest = max(newest or "", _last_updated(resource))
        if newest and newest != cursor:
            with self._db.transaction() as session:
                self._state.set(session, cursor_key, newest)

    def _task_seen(self, task: dict) -> None:
        case_id = mapping.request_id_of(task)
        with self._db.transaction() as session:
            if case_id and self._cases.get(session, case_id) is not None:
                self._tasks.seen(session, case_id, task, self._clock())

    def _receive(self, resource: dict, report: SyncReport) -> None:
        case_id = mapping.request_id_of(resource)
        if case_id is None:
            return
        kind = mapping.message_kind(resource) or "answer"
        thread = consultation.read_message(resource)
        # The station's own reply or outcome read back (written here, or before a restore): not news.
        own = kind in consultation.STATION_KINDS
        outcome = thread.outcome if thread else None
        with self._db.transaction() as session:
            if self._cases.get(session, case_id) is None:
                return  # not a case of this station (a reply to a case deleted here)
            added = self._messages.add(session, Message(
                id=resource["id"], case_id=case_id, direction="out" if own else "in", kind=kind,
                author=(thread.author if thread else "") or mapping.sender_name(resource),
                text=mapping.message_text(resource), sent_at=_moment(resource.get("sent")) or self._clock(),
                read=own, author_detail=thread.author_detail if thread else "",
                attachments=thread.attachments if thread else (), change=thread.change if thread else "",
                assignee=thread.assignee if thread else "",
                outcome={"code": outcome.code, "date": outcome.on.isoformat(), "referred_to": outcome.referred_to}
                if outcome else None))
            self._settle(session, case_id)  # with the message, so no cut or kill separates them
        if added and not own:
            report.new_answers.append(case_id)

    def _receive_conclusion(self, resource: dict, report: SyncReport) -> None:
        """A signed conclusion (a draft never shows, should a hub ever send one): kept whole, and a
        "conclusion" message for it, which the case list counts as news and settles the case by."""
        found = consultation.read_conclusion(resource)
        if found is None or found.status != "final":
            return
        with self._db.transaction() as session:
            if self._cases.get(session, found.case_id) is None:
                return
            added = self._conclusions.add(session, resource, found.case_id, self._clock())
            if added:
                self._messages.add(session, Message(
                    id=found.id, case_id=found.case_id, direction="in", kind="conclusion", author=found.signed_by,
                    text="", sent_at=_moment(found.signed_at) or self._clock(), read=False,
                    author_detail=found.signer_detail))
            self._settle(session, found.case_id)
        if added:
            report.new_answers.append(found.case_id)

    def _receive_minutes(self, resource: dict) -> None:
        if not consultation.is_minutes(resource):
            return  # the station's own attachments come back by this search too
        case_id = mapping.request_id_of(resource)
        with self._db.transaction() as session:
            if case_id and self._cases.get(session, case_id) is not None:
                self._minutes.add(session, resource, case_id, consultation.minutes_composition(resource),
                                  self._clock())

    def _fetch_minutes(self) -> None:
        """Each minutes PDF not fetched yet, into the blob store; one that fails waits for the next pass
        and holds up nothing else."""
        if self._blobs is None:
            return
        with self._db.transaction() as session:
            waiting = self._minutes.unfetched(session)
        for minutes in waiting:
            target = self._blobs.root / "incoming" / f"minutes-{minutes.id}.part"  # a crash leaves it to clean_incoming
            try:
                self._client.download(minutes.url, target)
                stored = self._blobs.put_file(target)
                if minutes.sha256 and stored.sha256 != minutes.sha256:
                    raise OSError(f"the minutes file arrived damaged (sha256 {stored.sha256})")
            except (HubError, OSError) as error:
                with self._db.transaction() as session:
                    self._minutes.failed(session, minutes.id, str(error))
                log.warning("minutes %s of case %s not fetched: %s", minutes.id, minutes.case_id, error)
                if isinstance(error, HubUnreachable):
                    return
                continue
            finally:
                target.unlink(missing_ok=True)
            with self._db.transaction() as session:
                self._minutes.fetched(session, minutes.id, stored.sha256)

    def settle(self, session) -> None:
        """Every case in the state the database implies: all rows sent -> synced; an answer -> answered."""
        # Only cases a step behind: what is settled already is not read again every pass.
        behind = self._outbox.sent_cases(session, Status.SUBMITTED.value)
        behind += self._messages.answered_cases(session, Status.SYNCED.value)
        for case_id in dict.fromkeys(behind):
            self._settle(session, case_id)

    def _settle(self, session, case_id: str, report: SyncReport | None = None) -> None:
        """A submitted case with nothing left to send is synced; a synced case with an answer is answered."""
        case = self._cases.get(session, case_id)
        if case is None:
            return
        if case.status == Status.SUBMITTED and not self._outbox.has_pending(session, case_id):
            self._cases.set_status(session, case_id, Status.SYNCED, self._clock())
            case = self._cases.get(session, case_id)
            if report is not None:
                report.synced_cases.append(case_id)
        if case.status == Status.SYNCED and self._messages.has_answer(session, case_id):
            self._cases.set_status(session, case_id, Status.ANSWERED, self._clock())

    # -- upload ------------------------------------------------------------------------------

    def upload(self, report: SyncReport, progress: ProgressFn | None = None, force: bool = False) -> None:
        with self._db.transaction() as session:
            due = self._outbox.due_cases(session, self._clock() + FORCE_HORIZON if force else self._clock())
        for case_id in due:
            with self._db.transaction() as session:
                items = self._outbox.pending(session, case_id)
                case = self._cases.get(session, case_id)
            if not self._upload_case(case, items, report, progress):
                continue  # this case waits for a person or a retry; the next case goes on
            with self._db.transaction() as session:  # rows the PACS step marked done in transactions of its own
                self._settle(session, case_id, report)

    def _upload_case(self, case, items: list[OutboxItem], report: SyncReport, progress: ProgressFn | None) -> bool:
        """Send a case's rows in order; False when one failed (the case waits). The link down raises."""
        dicom = self._dicom_rows(case, items)
        stowed = {seq for seq, row in dicom.items() if row.stowed}
        total = sum(row.size for row in dicom.values() if not row.stowed)
        sent = 0
        for kind, rows in _plan(items, dicom):
            if kind == "confirm":
                rows = [dicom[seq] for seq in sorted(stowed)]
                if not rows:
                    continue
            first = rows[0].item if kind != "send" else rows[0]
            try:
                if kind == "send":
                    self._send(case, first, progress)
                    with self._db.transaction() as session:  # the last row and the case's new state together
                        self._outbox.done(session, first.seq, self._clock())
                        self._settle(session, case.id, report)
                    report.sent_rows += 1
                elif kind == "stow":
                    taken, refusal = self._pacs.stow(case, rows)
                    stowed.update(row.item.seq for row in taken)
                    if refusal:
                        raise HubRejected(409, refusal)
                    sent += sum(row.size for row in rows)
                    if progress is not None:
                        progress(case.id, sent, total)
                else:
                    for study in sorted({row.study_uid for row in rows}):
                        in_study = [row for row in rows if row.study_uid == study]
                        missing = self._pacs.confirm(case, study, in_study)
                        stowed.difference_update(row.item.seq for row in in_study)
                        report.sent_rows += len(in_study) - len(missing)
                        if missing:
                            self._backoff(missing[0].item, f"the PACS does not list {len(missing)} image(s) it "
                                          "took; they will be sent again", report=None)
                            return False
            except HubFailed as error:
                # The hub answered: the link works, so the other cases go on. Repeated, it is the hub
                # refusing this case, shown with its reason like any refusal.
                tries = _failed_tries(first) + 1
                if tries < FAILED_TRIES:
                    self._backoff(first, f"hub failed ({tries} of {FAILED_TRIES}) {error.status}: "
                                  f"{error.diagnostics}", report=None)
                    return False
                why = f"{_FAILED_REFUSAL} {min(tries, FAILED_TRIES)} times ({error.status}): {error.diagnostics}"
                report.failed_cases[case.id] = why
                self._backoff(first, why, report, rejected=True)
                return False
            except HubUnreachable as error:
                self._backoff(first, str(error), report=None)
                raise  # the link is down: no use trying the other cases now
            except HubBusy as error:
                self._backoff(first, f"the hub is busy with it: {error}", report=None)
                return False
            except HubConflict as error:
                report.conflicts[case.id] = error.diagnostics
                self._backoff(first, f"conflict: {error.diagnostics}", report, wait=CONFLICT_WAIT_S)
                return False
            except HubRejected as error:
                report.failed_cases[case.id] = error.diagnostics
                self._backoff(first, f"{error.status}: {error.diagnostics}", report, rejected=True)
                return False
            except OSError as error:  # the local file is unreadable
                report.failed_cases[case.id] = str(error)
                self._backoff(first, f"local file: {error}", report, rejected=True)
                return False
        return True

    def _dicom_rows(self, case, items: list[OutboxItem]) -> dict[int, DicomRow]:
        """The rows that go to the PACS (none when the hub has no PACS), by outbox seq. A case with key
        images gets its Key Object Selection row(s) here, once, put into `items` after the images."""
        with self._db.transaction() as session:
            key_frames = DicomIndex().key_images(session, case.id)
            keys = {attachment_id for attachment_id, _ in key_frames}
            candidates = [item for item in items if item.kind == "outgoing" or (
                item.kind == "file" and _is_dicom(self._attachments.get(session, item.ref_id)))]
            make_ko = bool(key_frames) and not has_key_object(session, case.id)
        if not candidates or not self._has_pacs():
            return {}
        if make_ko:
            made = make_key_objects(self._db, case, key_frames, self._file_path, self._clock())
            items += made
            candidates += made
        rows = {}
        for item in candidates:
            try:
                rows[item.seq] = read_row(item, self._file_path(item), item.ref_id in keys)
            except (OSError, ValueError, HubRejected):
                continue  # not readable as DICOM after all: it travels as a plain file
        if case.foreign_expert and key_frames:
            deidentified_keys_first(case, key_frames, self._file_path, items, rows)
        place_key_objects(items, rows)
        return rows

    def _has_pacs(self) -> bool:
        if self._pacs_present is None:
            self._pacs_present = self._client.has_pacs()
        return self._pacs_present

    def _send(self, case, item: OutboxItem, progress: ProgressFn | None) -> None:
        if item.kind == "case":
            self._client.transaction(mapping.case_resources(case, self.facility))
        elif item.kind == "task":
            try:
                task = self._client.put(mapping.task_resource(case, self.facility), create_only=True)
            except HubConflict:
                # Created by an earlier try whose answer was lost; the experts may have moved it on.
                task = self._client.read("Task", mapping.task_id(case.id))
            self._task_seen(task)
        elif item.kind == "status":
            self._send_status(case, item.ref_id)
        elif item.kind in ("file", "outgoing"):
            self._send_file(case, item, progress)
        elif item.kind == "message":
            self._send_message(case, item.ref_id)
        else:
            raise HubRejected(0, f"unknown outbox row kind {item.kind!r}")

    def _send_status(self, case, change: str) -> None:
        """The Task with its new status, If-Match the version the doctor decided against: a change the
        experts made since answers 412, which the doctor sees; nothing is overwritten silently."""
        status, decided_on, seen = parse_status_change(change)
        with self._db.transaction() as session:
            known = self._tasks.get(session, case.id)
        if known is None:
            self._task_seen(self._client.read("Task", mapping.task_id(case.id)))
            with self._db.transaction() as session:
                known = self._tasks.get(session, case.id)
            decided_on = decided_on or known.version  # the station had never seen it: nothing to overtake
        if known.status == status:
            return
        wanted = {k: v for k, v in known.content.items() if k != "meta"}
        try:
            self._task_seen(self._client.put({**wanted, "status": status}, if_match=f'W/"{decided_on}"'))
        except HubConflict:
            current = self._client.read("Task", mapping.task_id(case.id))
            self._task_seen(current)
            raise HubConflict(412, f"task-changed:{seen}:{current.get('status', '')}") from None

    def _send_message(self, case, message_id: str) -> None:
        """The doctor's reply or outcome report, under the station's own id. Built from the stored row
        alone, so a resend is identical, which the hub takes as done; a 409 "sent already" is read back
        and counts as done when what the hub holds is this message."""
        with self._db.transaction() as session:
            message = self._messages.get(session, message_id)
        if message is None:
            raise HubRejected(0, f"message {message_id} is gone from this station")
        resource = outgoing_message(message, case.patient.id)
        try:
            self._client.put(resource)
        except HubRejected as error:
            if error.status != 409 or isinstance(error, HubConflict):
                raise
            if not _same_message(self._client.read("Communication", message_id), resource):
                raise

    def _send_file(self, case, item: OutboxItem, progress: ProgressFn | None) -> None:
        path = self._file_path(item)
        sha256, sha1 = _digests(path)  # one read of the file for both
        attachment = self._document_subject(case, item, path, sha256)
        size = path.stat().st_size
        url = item.upload_url
        if not url:
            url = self._client.create_upload(size, attachment.sha256, {
                "filename": attachment.original_name, "documentreference": attachment.id,
                "contenttype": attachment.media_type})
            with self._db.transaction() as session:  # kept at once: a restart continues this upload
                self._outbox.set_upload_url(session, item.seq, url)
        offset = self._client.upload_offset(url)
        detours = 0  # the hub's answers that mean "ask where I am and go on", at most a few a pass
        with path.open("rb") as f:
            while offset < size:
                f.seek(offset)
                try:
                    offset = self._client.upload_chunk(url, offset, f.read(CHUNK))
                except HubRejected as error:
                    if error.status not in (409, 460) or detours >= 3:
                        raise
                    detours += 1
                    # 409: the offset moved, or another PATCH of it is still arriving (a killed pass's);
                    # 460: the hub found the file damaged and started it again from 0.
                    sent, offset = offset, self._client.upload_offset(url)
                    if error.status == 409 and offset == sent:
                        raise HubBusy(error.diagnostics) from None
                    if error.status == 460 and detours > 1:
                        raise  # damaged twice: the file on this station is what is wrong
                if progress is not None:
                    progress(case.id, offset, size)
        self._client.put(mapping.document_reference(case, attachment, url, sha1))

    def _document_subject(self, case, item: OutboxItem, path: Path, sha256: str):
        if item.kind == "file":
            with self._db.transaction() as session:
                attachment = self._attachments.get(session, item.ref_id)
            if attachment is None:
                raise HubRejected(0, f"attachment {item.ref_id} was removed before it was sent")
            return attachment
        from app.domain.attachment import Attachment, AttachmentKind

        return Attachment(id=mapping.derived_id(case.id, f"deid:{item.ref_id}"), case_id=case.id,
                          sha256=sha256, size=path.stat().st_size, media_type="application/dicom",
                          original_name=item.ref_id, kind=AttachmentKind.IMAGING, caption="de-identified",
                          created_at=self._clock())

    def _backoff(self, item: OutboxItem, error: str, report: SyncReport | None, rejected: bool = False,
                 wait: float | None = None) -> None:
        if wait is not None:
            delay = wait
        elif rejected:
            delay = REJECTED_RETRY_S
        else:
            # Exponential with full jitter: 2,000 stations coming back at once do not knock together.
            delay = self._rng.uniform(0.5, 1.0) * min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** item.attempts)
        with self._db.transaction() as session:
            self._outbox.failed(session, item.seq, error, self._clock() + timedelta(seconds=delay))
        # Ids and the hub's reason only: never a name or a file name (the file row's ref is an id).
        log.warning("case %s: %s row %s not sent (try %d): %s; next try in %.0f s", item.case_id, item.kind,
                    item.seq, item.attempts + 1, error, delay)


def outgoing_message(message: Message, patient_id: str) -> dict:
    """The Communication of a reply or outcome report written on this station."""
    outcome = None
    if message.outcome:
        outcome = consultation.Outcome(message.outcome["code"], date.fromisoformat(message.outcome["date"]),
                                       message.outcome.get("referred_to", ""))
    return consultation.message(message.id, message.case_id, patient_id, message.kind, message.text,
                                mapping.instant(message.sent_at), attachments=message.attachments, outcome=outcome)


def _same_message(stored: dict, sent: dict) -> bool:
    """What the station wrote (the hub adds the sender and its meta)."""
    keys = ("basedOn", "category", "sent", "payload", "extension")
    return all(stored.get(k) == sent.get(k) for k in keys)


def _moment(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None


def _failed_tries(item: OutboxItem) -> int:
    """How many times running the hub has failed on this row (its last error says; another error resets it)."""
    if (item.last_error or "").startswith(_FAILED_REFUSAL):
        return FAILED_TRIES  # refused already: failing again keeps it refused
    match = _FAILED_MARK.match(item.last_error or "")
    return int(match.group(1)) if match else 0


def _log_pass(report: SyncReport) -> None:
    if not report.online:
        log.info("sync pass: hub unreachable (%s); sent %d row(s) before", report.error, report.sent_rows)
        return
    log.info("sync pass: sent %d row(s); on the hub now: %s; new answers: %s; waiting for a person: %s",
             report.sent_rows, ", ".join(report.synced_cases) or "-", ", ".join(sorted(set(report.new_answers))) or "-",
             ", ".join(report.failed_cases) or "-")


def _last_updated(resource: dict) -> str:
    stamp = resource.get("meta", {}).get("lastUpdated", "")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).isoformat() if stamp else ""


def _digests(path: Path) -> tuple[str, str]:
    """(SHA-256 hex, for the hub's check; SHA-1 base64, FHIR's Attachment.hash)."""
    sha256, sha1 = hashlib.sha256(), hashlib.sha1()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            sha256.update(block)
            sha1.update(block)
    return sha256.hexdigest(), base64.b64encode(sha1.digest()).decode()


def _is_dicom(attachment) -> bool:
    return attachment is not None and attachment.media_type == "application/dicom"


def _plan(items: list[OutboxItem], dicom: dict[int, DicomRow]) -> list[tuple[str, list]]:
    """The steps of a case's pass: ("send", [row]), ("stow", [dicom rows]) and ("confirm", []).

    The queue's order is kept (parents, small files and key images, then the rest of the series);
    images are confirmed once the key images are in, so the experts can start, and at the end.
    """
    steps: list[tuple[str, list]] = []
    run: list[DicomRow] = []
    after_key = False
    for item in items:
        row = dicom.get(item.seq)
        if row is None:
            steps += [("stow", batch) for batch in batches(run)]
            run = []
            steps.append(("send", [item]))
            continue
        if after_key and not row.key:
            steps += [("stow", batch) for batch in batches(run)] + [("confirm", [])]
            run = []
        after_key = row.key
        run.append(row)
    steps += [("stow", batch) for batch in batches(run)]
    return steps + [("confirm", [])]
