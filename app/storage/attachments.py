"""Attachment rows: which blob belongs to which case."""

import json
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.domain.attachment import Attachment, AttachmentKind

from .models import AttachmentRow
from .stamps import from_db, to_db


def _columns(attachment: Attachment, stamp) -> dict:
    """An attachment as its row's column values."""
    return {"id": attachment.id, "case_id": attachment.case_id, "sha256": attachment.sha256, "size": attachment.size,
            "media_type": attachment.media_type, "original_name": attachment.original_name,
            "kind": attachment.kind.value, "caption": attachment.caption,
            "details": json.dumps(attachment.details, ensure_ascii=False), "created_at": stamp}


class AttachmentRepository:
    def insert(self, session: Session, attachment: Attachment, now: datetime) -> Attachment:
        stamp = to_db(now)
        session.add(AttachmentRow(**_columns(attachment, stamp)))
        return replace(attachment, created_at=from_db(stamp))

    def insert_many(self, session: Session, attachments: list[Attachment], now: datetime) -> None:
        """As insert, for a whole import batch in one statement (executemany)."""
        if not attachments:
            return
        stamp = to_db(now)
        session.execute(insert(AttachmentRow), [_columns(a, stamp) for a in attachments])

    def for_case(self, session: Session, case_id: str) -> list[Attachment]:
        rows = session.scalars(select(AttachmentRow).where(AttachmentRow.case_id == case_id)
                               .order_by(AttachmentRow.created_at, AttachmentRow.original_name, AttachmentRow.id))
        return [_to_domain(r) for r in rows]

    def get(self, session: Session, attachment_id: str) -> Attachment | None:
        row = session.get(AttachmentRow, attachment_id)
        return _to_domain(row) if row else None

    def delete(self, session: Session, attachment_id: str) -> str | None:
        """Delete the row; returns its blob's hash."""
        row = session.get(AttachmentRow, attachment_id)
        if row is None:
            return None
        session.delete(row)
        return row.sha256

    def all_hashes(self, session: Session) -> set[str]:
        return set(session.scalars(select(AttachmentRow.sha256).distinct()))

    def references(self, session: Session, sha256: str) -> int:
        return session.scalar(select(func.count()).select_from(AttachmentRow).where(AttachmentRow.sha256 == sha256))


def _to_domain(row: AttachmentRow) -> Attachment:
    return Attachment(id=row.id, case_id=row.case_id, sha256=row.sha256, size=row.size, media_type=row.media_type,
                      original_name=row.original_name, kind=AttachmentKind(row.kind), caption=row.caption,
                      details=json.loads(row.details or "{}"),
                      created_at=from_db(row.created_at))
