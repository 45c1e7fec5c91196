"""Signed conclusions and their minutes as the station received them. Callers own the session."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import ConclusionRow, MinutesRow
from .stamps import to_db as _naive


class Conclusions:
    def add(self, session: Session, composition: dict, case_id: str, now: datetime) -> bool:
        """Keep a Composition; False when known already. Append-only: a signed one never changes."""
        if session.get(ConclusionRow, composition["id"]) is not None:
            return False
        relates = [r.get("targetReference", {}).get("reference", "") for r in composition.get("relatesTo", [])
                   if r.get("code") == "replaces"]
        signed_at = next((a.get("time", "") for a in composition.get("attester", []) if a.get("mode") == "legal"),
                         composition.get("date", ""))
        session.add(ConclusionRow(id=composition["id"], case_id=case_id, status=composition.get("status", ""),
                                  replaces=relates[0].removeprefix("Composition/") if relates else "",
                                  signed_at=signed_at, content=json.dumps(composition, ensure_ascii=False),
                                  received_at=_naive(now)))
        return True

    def for_case(self, session: Session, case_id: str) -> list[dict]:
        """The Compositions of a case, oldest signature first."""
        rows = session.scalars(select(ConclusionRow).where(ConclusionRow.case_id == case_id)
                               .order_by(ConclusionRow.signed_at, ConclusionRow.id))
        return [json.loads(r.content) for r in rows]


@dataclass(frozen=True)
class MinutesFile:
    id: str
    case_id: str
    composition_id: str
    url: str
    title: str
    sha256: str
    created: str
    blob: str          # empty until the PDF is fetched
    last_error: str


class MinutesFiles:
    def add(self, session: Session, document: dict, case_id: str, composition_id: str, now: datetime) -> bool:
        if session.get(MinutesRow, document["id"]) is not None:
            return False
        attachment = (document.get("content") or [{}])[0].get("attachment", {})
        sha256 = next((e.get("valueString", "") for e in attachment.get("extension", [])
                       if e.get("url", "").endswith("sha256")), "")
        session.add(MinutesRow(id=document["id"], case_id=case_id, composition_id=composition_id,
                               url=attachment.get("url", ""), title=attachment.get("title", ""), sha256=sha256,
                               created=attachment.get("creation") or document.get("date", ""),
                               received_at=_naive(now)))
        return True

    def for_case(self, session: Session, case_id: str) -> list[MinutesFile]:
        rows = session.scalars(select(MinutesRow).where(MinutesRow.case_id == case_id)
                               .order_by(MinutesRow.created, MinutesRow.id))
        return [_minutes(r) for r in rows]

    def unfetched(self, session: Session) -> list[MinutesFile]:
        return [_minutes(r) for r in session.scalars(select(MinutesRow).where(MinutesRow.blob == "")
                                                     .order_by(MinutesRow.received_at))]

    def fetched(self, session: Session, minutes_id: str, blob: str) -> None:
        session.execute(update(MinutesRow).where(MinutesRow.id == minutes_id).values(blob=blob, last_error=""))

    def blobs(self, session: Session) -> set[str]:
        """The stored files the minutes use (kept by the blob store's garbage collection)."""
        return set(session.scalars(select(MinutesRow.blob).where(MinutesRow.blob != "")))

    def failed(self, session: Session, minutes_id: str, error: str) -> None:
        session.execute(update(MinutesRow).where(MinutesRow.id == minutes_id).values(last_error=error[:500]))


def _minutes(r: MinutesRow) -> MinutesFile:
    return MinutesFile(r.id, r.case_id, r.composition_id, r.url, r.title, r.sha256, r.created, r.blob, r.last_error)
