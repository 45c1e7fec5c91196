"""Exporting a case's imaging without the patient's identity (for experts abroad)."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .attachments import AttachmentService
from .imaging import ImagingService


@dataclass
class DeidExport:
    folder: Path
    files: int = 0
    burned_in: list[str] = field(default_factory=list)  # exported files whose pixels may show identity
    failed: list[tuple[str, str]] = field(default_factory=list)


class DeidentificationService:
    def __init__(self, attachments: AttachmentService, imaging: ImagingService):
        self._attachments = attachments
        self._imaging = imaging

    def export(self, case_id: str, folder: Path, progress: Callable[[float, str], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> DeidExport:
        import pydicom

        from app.imaging.deid import deidentify, make_anonymizer

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.dcm"):  # a new export replaces the last one (images may have changed)
            old.unlink()
        anonymizer = make_anonymizer(case_id)
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
                ds = pydicom.dcmread(image.path)
                deid = deidentify(ds, anonymizer)
                target = folder / f"{ds.SOPInstanceUID}.dcm"
                ds.save_as(target, enforce_file_format=True)
            except Exception as error:  # one bad file must not stop the export; it is listed
                result.failed.append((image.attachment_id, f"{type(error).__name__}: {error}"))
                continue
            result.files += 1
            if deid.burned_in:
                result.burned_in.append(target.name)
        (folder / "deidentification.json").write_text(json.dumps(
            {"files": result.files, "burned_in_annotation_to_review": result.burned_in,
             "failed": result.failed}, ensure_ascii=False, indent=2), encoding="utf-8")
        if progress is not None:
            progress(1.0, "")
        return result
