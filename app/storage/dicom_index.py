"""Which imaging attachments a case has, grouped by study and series."""

import json
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .models import DicomInstanceRow, KeyImageRow


@dataclass(frozen=True)
class IndexedInstance:
    attachment_id: str
    sha256: str
    study_uid: str
    series_uid: str
    sop_uid: str
    modality: str
    series_number: int | None
    instance_number: int | None
    slice_position: float | None
    frames: int
    info: dict


class DicomIndex:
    def add_many(self, session: Session, rows: list[tuple[str, str, dict]]) -> None:
        """Index (case id, attachment id, DicomInfo as a dict) of a whole import batch in one statement."""
        if not rows:
            return
        session.execute(insert(DicomInstanceRow), [
            {"attachment_id": attachment_id, "case_id": case_id, "study_uid": info["study_uid"],
             "series_uid": info["series_uid"], "sop_uid": info["sop_instance_uid"], "modality": info["modality"],
             "series_number": info["series_number"], "instance_number": info["instance_number"],
             "slice_position": info["slice_position"], "frames": info["frames"],
             "info": json.dumps(info, ensure_ascii=False)} for case_id, attachment_id, info in rows])

    def sop_uids(self, session: Session, case_id: str) -> set[str]:
        """The images (SOP Instance UIDs) the case already holds."""
        return set(session.scalars(select(DicomInstanceRow.sop_uid).where(DicomInstanceRow.case_id == case_id)))

    def for_case(self, session: Session, case_id: str) -> list[IndexedInstance]:
        from .models import AttachmentRow

        rows = session.execute(
            select(DicomInstanceRow, AttachmentRow.sha256).join(AttachmentRow,
                                                                AttachmentRow.id == DicomInstanceRow.attachment_id)
            .where(DicomInstanceRow.case_id == case_id))
        return [IndexedInstance(r.attachment_id, sha, r.study_uid, r.series_uid, r.sop_uid, r.modality,
                                r.series_number, r.instance_number, r.slice_position, r.frames, json.loads(r.info))
                for r, sha in rows]

    def key_images(self, session: Session, case_id: str) -> set[tuple[str, int]]:
        rows = session.execute(select(KeyImageRow.attachment_id, KeyImageRow.frame).where(KeyImageRow.case_id == case_id))
        return {(a, f) for a, f in rows}

    def set_key_image(self, session: Session, case_id: str, attachment_id: str, frame: int, on: bool) -> None:
        existing = session.get(KeyImageRow, (attachment_id, frame))
        if on and existing is None:
            session.add(KeyImageRow(attachment_id=attachment_id, frame=frame, case_id=case_id))
        elif not on and existing is not None:
            session.delete(existing)
