"""The audit trail: who did what to which record, and how it ended. Never the content."""

from datetime import datetime, timezone

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from .tables import audit


def record(conn: Connection, client_id: str, action: str, outcome: int, resource_type: str = "",
           resource_id: str = "", detail: str = "") -> None:
    """`detail`: what exactly was asked or fetched (a DICOMweb path), never patient data."""
    conn.execute(insert(audit).values(at=datetime.now(timezone.utc), client_id=client_id or "-", action=action,
                                      resource_type=resource_type, resource_id=resource_id[:64], outcome=outcome,
                                      detail=detail[:2000]))


def events(conn: Connection, client_id: str | None = None, limit: int = 1000) -> list[dict]:
    query = select(audit).order_by(audit.c.seq.desc()).limit(limit)
    if client_id:
        query = query.where(audit.c.client_id == client_id)
    return [dict(r._mapping) for r in conn.execute(query)]
