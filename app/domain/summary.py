"""The few fields the case list shows, read without loading whole cases."""

from dataclasses import dataclass
from datetime import datetime

from .lifecycle import Status, Urgency


@dataclass(frozen=True)
class CaseSummary:
    id: str
    number: int
    full_name: str
    birth: str
    age: str
    sex: str
    status: Status
    urgency: Urgency
    specialty: str
    hospital: str
    updated_at: datetime


@dataclass(frozen=True)
class CaseQuery:
    text: str = ""
    statuses: frozenset[Status] = frozenset()   # empty: any
    urgencies: frozenset[Urgency] = frozenset()  # empty: any
    limit: int = 500


@dataclass(frozen=True)
class CasePage:
    items: list[CaseSummary]
    total: int
