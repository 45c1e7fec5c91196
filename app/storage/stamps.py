"""Timestamps in the station database: naive UTC in the columns, aware UTC everywhere else."""

from datetime import datetime, timezone


def to_db(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def from_db(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None else None
