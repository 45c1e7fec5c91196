"""Stored pre-session check reports."""

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.check import CheckReport

from .models import CheckReportRow


class CheckReportRepository:
    def insert(self, session: Session, report: CheckReport) -> None:
        session.add(CheckReportRow(id=report.id, at=report.at, fit=report.fit,
                                   report=json.dumps(report.as_dict(), ensure_ascii=False)))

    def latest(self, session: Session, limit: int = 50) -> list[CheckReport]:
        rows = session.scalars(select(CheckReportRow).order_by(CheckReportRow.at.desc()).limit(limit))
        return [CheckReport.from_dict(json.loads(r.report)) for r in rows]
