"""DICOM to the PACS through the hub: STOW-RS in batches, QIDO-RS confirmation, then the ImagingStudy.

Exactly once comes from the PACS itself: an instance is keyed by its SOP Instance UID, so a batch
sent again after a cut stores nothing twice. A row is "stowed" once the PACS has said it took the
instance, and done only after a QIDO query lists it and the ImagingStudy naming it is on the hub.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from app.storage.db import Database
from app.storage.outbox import Outbox, OutboxItem
from app.wire.imaging import dicom_value, imaging_study

from .hub_client import DicomPart, HubClient, HubRejected

log = logging.getLogger(__name__)

STOWED = "pacs:"           # upload_url of a row the PACS took, waiting for QIDO's confirmation
BATCH_BYTES = 4 * 1024 * 1024  # like a file chunk: a cut costs at most one batch
PREAMBLE = 128


@dataclass(frozen=True)
class DicomRow:
    item: OutboxItem
    path: Path
    study_uid: str
    sop_uid: str
    size: int
    key: bool

    @property
    def stowed(self) -> bool:
        return self.item.upload_url.startswith(STOWED)


def read_row(item: OutboxItem, path: Path, key: bool) -> DicomRow:
    import pydicom

    header = pydicom.dcmread(path, stop_before_pixels=True, force=True,
                             specific_tags=["StudyInstanceUID", "SOPInstanceUID"])
    study, sop = str(header.get("StudyInstanceUID", "")), str(header.get("SOPInstanceUID", ""))
    if not study or not sop:
        raise HubRejected(0, f"{path.name}: the DICOM file has no Study or SOP Instance UID")
    return DicomRow(item, path, study, sop, path.stat().st_size, key)


def part_of(path: Path) -> DicomPart:
    """The file as it is when it has a Part 10 preamble; otherwise rewritten with one (a PACS needs it)."""
    with path.open("rb") as f:
        head = f.read(PREAMBLE + 4)
    if head[PREAMBLE:] == b"DICM":
        return DicomPart(path=path)
    import io

    import pydicom

    out = io.BytesIO()
    pydicom.dcmread(path, force=True).save_as(out, enforce_file_format=True)
    return DicomPart(data=out.getvalue())


def batches(rows: list[DicomRow]) -> list[list[DicomRow]]:
    """Rows not yet stowed, in order, cut where the study changes, a key image ends, or the size is reached."""
    out: list[list[DicomRow]] = []
    for row in rows:
        if row.stowed:
            continue
        last = out[-1] if out else None
        if (last is None or last[0].study_uid != row.study_uid or last[-1].key != row.key
                or sum(r.size for r in last) + row.size > BATCH_BYTES):
            out.append([row])
        else:
            last.append(row)
    return out


class PacsSender:
    def __init__(self, db: Database, client: HubClient, clock: Callable[[], datetime]):
        self._db, self._client, self._clock = db, client, clock
        self._outbox = Outbox()

    def stow(self, case, batch: list[DicomRow]) -> tuple[list[DicomRow], str]:
        """Send one batch: (the rows the PACS took, now stowed; why it refused the others, or "")."""
        study = batch[0].study_uid
        result = self._client.stow(study, case.id, [part_of(row.path) for row in batch])
        with self._db.transaction() as session:
            for row in batch:
                if row.sop_uid in result.stored:
                    self._outbox.set_upload_url(session, row.item.seq, STOWED + study)
        taken = [row for row in batch if row.sop_uid in result.stored]
        refused = [row for row in batch if row.sop_uid not in result.stored]
        if not refused:
            return taken, ""
        why = result.failed.get(refused[0].sop_uid, "no answer for it")
        return taken, f"the PACS refused {len(refused)} image(s), e.g. {refused[0].path.name}: {why}"

    def confirm(self, case, study: str, rows: list[DicomRow]) -> list[DicomRow]:
        """Ask the PACS what it holds; write the ImagingStudy; mark the confirmed rows done.

        Returns the rows the PACS does not list (they are sent again).
        """
        found = self._client.study_instances(study)
        held = {dicom_value(item, "00080018") for item in found}
        confirmed = [row for row in rows if row.sop_uid in held]
        missing = [row for row in rows if row.sop_uid not in held]
        if confirmed:
            # The record first, then the rows: a crash in between only repeats an identical PUT.
            self._client.put(imaging_study(case, study, found, f"{self._client.base}/dicomweb"))
        with self._db.transaction() as session:
            for row in confirmed:
                self._outbox.done(session, row.item.seq, self._clock())
            for row in missing:
                self._outbox.set_upload_url(session, row.item.seq, "")
        return missing


# The doctor's key images as a Key Object Selection document (app.imaging.key_objects).

def has_key_object(session, case_id: str) -> bool:
    """Whether the case's KO has an outbox row already, sent or not (made once per case)."""
    from sqlalchemy import select

    from app.imaging.key_objects import FILE_PREFIX
    from app.storage.models import OutboxRow

    return session.scalar(select(OutboxRow.seq).where(
        OutboxRow.case_id == case_id, OutboxRow.kind == "outgoing",
        OutboxRow.ref_id.startswith(FILE_PREFIX)).limit(1)) is not None


def make_key_objects(db: Database, case, key_frames: set[tuple[str, int]],
                     file_path: Callable[[OutboxItem], Path], now: datetime) -> list[OutboxItem]:
    """The case's KOs (one per study with key images) written beside its outgoing files, each queued
    as an "outgoing" row; [] when none can be made (logged: the images go without it).

    Made once, at the case's first pass with a PACS after submission: the key images as the doctor
    left them. For an expert abroad, from the de-identified copies, and scanned like them."""
    from app.imaging.key_objects import IdentityLeft, foreign_key_objects, key_objects, write

    probe = lambda kind, ref: OutboxItem(0, case.id, kind, ref, 0, "", "", None)  # noqa: E731
    try:
        frames: dict[Path, list[int]] = {}
        for attachment_id, frame in sorted(key_frames):
            frames.setdefault(file_path(probe("file", attachment_id)), []).append(frame)
        folder = file_path(probe("outgoing", "-")).parent
        if case.foreign_expert:
            built, needles = foreign_key_objects(case.id, frames, folder, _patient_needles(case))
        else:
            built, needles = key_objects(case.id, frames), None
        names = [write(ko, folder, needles).name for ko in built]
    except (OSError, ValueError, IdentityLeft) as error:  # IdentityLeft says where, never the value
        log.warning("case %s: no key object selection sent: %s", case.id, error)
        return []
    outbox = Outbox()
    with db.transaction() as session:
        for name in names:
            outbox.add(session, case.id, "outgoing", now, ref_id=name)
    with db.transaction() as session:
        return [item for item in outbox.pending(session, case.id) if item.ref_id in names]


def deidentified_keys_first(case, key_frames: set[tuple[str, int]], file_path: Callable[[OutboxItem], Path],
                            items: list[OutboxItem], rows: dict[int, DicomRow]) -> None:
    """Abroad, the copies' rows are named by their new UIDs, not by attachment: the copies of the key
    images are marked key and go first among the copies, as the key images do for a case sent home."""
    from app.imaging.key_objects import deidentified_uids

    copies = [n for n, item in enumerate(items) if item.kind == "outgoing" and item.seq in rows]
    if not copies:
        return
    try:
        paths = {file_path(OutboxItem(0, case.id, "file", a, 0, "", "", None)) for a, _ in key_frames}
        keys = set(deidentified_uids(case.id, paths).values())
    except (OSError, ValueError) as error:
        log.warning("case %s: the key images' copies not found (%s); they go in the usual order", case.id, error)
        return
    for seq, row in rows.items():
        if row.sop_uid in keys:
            rows[seq] = replace(row, key=True)
    ordered = sorted((items[n] for n in copies), key=lambda item: not rows[item.seq].key)  # stable
    for n, item in zip(copies, ordered):
        items[n] = item


def place_key_objects(items: list[OutboxItem], rows: dict[int, DicomRow]) -> None:
    """Parents first: each KO row moved to just after the last row still to send that it names (with
    the key images, so it is confirmed with them and the experts' viewer opens on them)."""
    from app.imaging.key_objects import is_key_object_file, referenced_sop_uids

    for ko in [i for i in items if i.kind == "outgoing" and is_key_object_file(i.ref_id) and i.seq in rows]:
        import pydicom

        refs = referenced_sop_uids(pydicom.dcmread(rows[ko.seq].path))
        items.remove(ko)
        named = [n for n, item in enumerate(items) if item.seq in rows and rows[item.seq].sop_uid in refs]
        at = named[-1] + 1 if named else len(items)
        items.insert(at, ko)
        rows[ko.seq] = replace(rows[ko.seq], key=bool(named) and rows[items[named[-1]].seq].key)


def _patient_needles(case):
    """The case record's patient as the de-identification scan looks for it (as app.services.deidentify)."""
    from app.domain.birth import parse_birth
    from app.imaging.deid import Needles

    patient = case.patient
    birth = parse_birth(patient.birth) if patient.birth else None
    return Needles.for_patient(name=patient.full_name, ids=[patient.cccd, patient.bhyt, patient.phone],
                               birth=birth.earliest() if birth is not None and birth.day else None)
