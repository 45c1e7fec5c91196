"""Exporting a case's imaging without the patient's identity (for experts abroad).

Each file is de-identified (the PS3.15 Basic Profile, `app.imaging.deid`), written, read back and
scanned for the patient: the name, ids and birth date of the original file and of the case's record
(CCCD, BHYT, phone), and the original UIDs. A copy where any is still found is not kept: the file is
listed in `failed` with a reason starting with IDENTITY_LEFT and saying what was found where (never the
value itself), and the doctor is told to remove or replace it.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.storage.db import Database

from .attachments import AttachmentService
from .imaging import ImagingService

IDENTITY_LEFT = "still identifies the patient"  # how a refused file's reason starts
_PLACES_SHOWN = 5


@dataclass
class DeidExport:
    folder: Path
    files: int = 0
    burned_in: list[str] = field(default_factory=list)  # exported files whose pixels may show identity
    failed: list[tuple[str, str]] = field(default_factory=list)  # (attachment id, reason)


def identity_left_reason(findings) -> str:
    """The reason given for a refused file, e.g. "still identifies the patient: patient's name in
    (0008,0070) Manufacturer"."""
    places = [str(finding) for finding in findings[:_PLACES_SHOWN]]
    more = len(findings) - len(places)
    return f"{IDENTITY_LEFT}: " + "; ".join(places) + (f"; and {more} more" if more > 0 else "")


def places_left(reason: str) -> list[str]:
    """Where a refused file still identifies the patient ("(0008,0070) Manufacturer"), from its reason;
    [] for a file refused for another reason."""
    if not reason.startswith(IDENTITY_LEFT + ": "):
        return []
    parts = reason[len(IDENTITY_LEFT) + 2:].split("; ")
    return [part.split(" in ", 1)[1] for part in parts if " in " in part]


class DeidentificationService:
    def __init__(self, attachments: AttachmentService, imaging: ImagingService, db: Database):
        self._attachments = attachments
        self._imaging = imaging
        self._db = db  # the case's patient (the record's name, ids, birth date) is read from it

    def export(self, case_id: str, folder: Path, progress: Callable[[float, str], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> DeidExport:
        from app.imaging.deid import Deidentifier, export_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for old in [*folder.glob("*.dcm"), *folder.glob("*.dcm.part")]:  # a new export replaces the last one
            old.unlink()
        deidentifier = Deidentifier(case_id)
        patient = self._patient_needles(case_id)
        done_ids, result = set(), DeidExport(folder)
        images = [i for s in self._imaging.series(case_id) for i in s.images]
        for number, image in enumerate(images):
            if image.attachment_id in done_ids:  # the frames of one multi-frame file
                continue
            done_ids.add(image.attachment_id)
            if cancelled is not None and cancelled():
                break
            if progress is not None:
                progress(number / max(1, len(images)), image.info.get("series_description", ""))
            try:
                exported = export_file(image.path, folder, deidentifier, patient)
            except Exception as error:  # one bad file must not stop the export; it is listed
                result.failed.append((image.attachment_id, f"{type(error).__name__}: {error}"))
                continue
            if exported.path is None:  # the scan found the patient in the copy: it stays here
                result.failed.append((image.attachment_id, identity_left_reason(exported.findings)))
                continue
            result.files += 1
            if exported.burned_in:
                result.burned_in.append(exported.path.name)
        (folder / "deidentification.json").write_text(json.dumps(
            {"files": result.files, "burned_in_annotation_to_review": result.burned_in,
             "failed": result.failed}, ensure_ascii=False, indent=2), encoding="utf-8")
        if progress is not None:
            progress(1.0, "")
        return result

    def _patient_needles(self, case_id: str):
        """The case record's patient, as the scan looks for it: name, CCCD, BHYT, phone, birth date."""
        from app.domain.birth import parse_birth
        from app.imaging.deid import Needles
        from app.storage.repository import CaseRepository

        with self._db.transaction() as session:
            case = CaseRepository().get(session, case_id)
        if case is None:
            return Needles()
        patient = case.patient
        birth = parse_birth(patient.birth) if patient.birth else None
        return Needles.for_patient(name=patient.full_name, ids=[patient.cccd, patient.bhyt, patient.phone],
                                   birth=birth.earliest() if birth is not None and birth.day else None)
