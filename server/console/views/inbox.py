"""The inbox: the requests this person may see, most urgent first, then the longest waiting.

GET /console/ and /console/inbox render the page; /console/inbox/rows renders only the table's rows,
which the page polls every 20 s and which a push event can refresh at once: anything may dispatch
`inbox-changed` on document.body (the push script does on its SSE events), or
`hx-trigger="sse:request"` may be added when htmx's SSE extension is loaded.
"""

from dataclasses import dataclass, field as dc_field

from fastapi import APIRouter, Depends, Request

from ... import consultation as services
from .. import names
from ..sessions import current_person
from ..templating import language_of, render
from . import common

router = APIRouter()
N_ = common.N_  # message ids the templates translate

STATUSES = ("requested", "accepted", "in-progress", "completed", "rejected")
MAX_WAITING_HOURS = 24 * 365
ROWS_LIMIT = 200


@dataclass
class Filters:
    status: str = ""
    specialty: str = ""
    facility: str = ""
    waiting: str = ""  # hours, as typed
    errors: dict = dc_field(default_factory=dict)  # field -> message id (translated by the page)

    @property
    def waiting_hours(self) -> int | None:
        return int(self.waiting) if self.waiting and not self.errors.get("waiting") else None

    def query(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in (("status", self.status), ("specialty", self.specialty),
                                            ("facility", self.facility), ("waiting", self.waiting)) if v})


def read_filters(request: Request) -> Filters:
    params = request.query_params
    found = Filters(status=params.get("status", "").strip(), specialty=params.get("specialty", "").strip(),
                    facility=params.get("facility", "").strip().upper(), waiting=params.get("waiting", "").strip())
    if found.status and found.status not in STATUSES:
        found.errors["status"] = N_("Choose a status from the list.")
    if found.specialty and (len(found.specialty) > 40 or not all(c.isalnum() or c in "-_" for c in found.specialty)):
        found.errors["specialty"] = N_("A specialty code is letters, digits and dashes.")
    if found.facility and (len(found.facility) != 5 or not found.facility.isalnum()):
        found.errors["facility"] = N_("A facility code has 5 letters or digits.")
    if found.waiting:
        if not found.waiting.isdigit():
            found.errors["waiting"] = N_("Enter a whole number of hours (0 or more).")
        elif int(found.waiting) > MAX_WAITING_HOURS:
            found.errors["waiting"] = N_("Enter at most 8760 hours (a year).")
    return found


def sorted_rows(rows) -> list:
    """Urgency first (emergency, urgent, routine), then the longest waiting."""
    def key(row):
        priority = common.field(row, "priority", "urgency", default="routine")
        waited = common.field(row, "waited", default=None)
        seconds = waited.total_seconds() if hasattr(waited, "total_seconds") else float(waited or 0)
        return common.URGENCY_ORDER.get(priority or "routine", 2), -seconds
    return sorted(rows, key=key)


def inbox_rows(request: Request, person, filters: Filters) -> tuple[list, dict]:
    """(the rows, request id -> the question asked)."""
    if filters.errors:
        return [], {}
    with common.transaction(request) as conn:
        # The status filter is on the state the rows show (a concluded case is "completed" whatever its Task
        # says), so it is applied here, before the limit.
        rows = services.inbox(conn, person.principal, specialty=filters.specialty or None,
                              facility=filters.facility or None, waiting_hours=filters.waiting_hours,
                              limit=None if filters.status else ROWS_LIMIT)
        if filters.status:
            rows = [r for r in rows if common.case_state(r.status, r.concluded) == filters.status][:ROWS_LIMIT]
        questions = questions_of(conn, request, person, [common.field(r, "request_id", "id") for r in rows])
    return sorted_rows(rows), questions


def questions_of(conn, request: Request, person, ids: list[str]) -> dict[str, str]:
    """The question each request asks (its first note, as the station writes it), read through the hub's store
    with the person's Principal: the same access rules as services.inbox()."""
    from ...tables import resources

    store = request.app.state.hub.store
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        for found in store.select(conn, person.principal, "ServiceRequest", resources.c.id.in_(ids[start:start + 500])):
            notes = [n.get("text", "") for n in found.get("note", [])]
            out[found.get("id", "")] = notes[0] if notes else ""
    return out


def live_now(request: Request, person) -> list[dict]:
    """The open live sessions this person may join: above the rows, and "Đang hội chẩn trực tuyến" in their case's row."""
    from . import live

    with common.transaction(request) as conn:
        return live.open_sessions(conn, person)


def _context(request: Request, person, filters, rows, questions) -> dict:
    language = language_of(request, person)
    sessions = live_now(request, person)
    return dict(person=person, filters=filters, rows=rows, questions=questions, statuses=STATUSES, f=common.field,
                live_sessions=sessions, live_now={s["request"]: s["id"] for s in sessions},
                specialties=names.specialties(language), urgency_label=common.urgency_label,
                status_label=common.status_label, case_state=common.case_state, sex_label=common.sex_label,
                waited_text=common.waited_text)


@router.get("/")
@router.get("/inbox")
def inbox_page(request: Request, person=Depends(current_person)):
    filters = read_filters(request)
    rows, questions = inbox_rows(request, person, filters)
    return render(request, "inbox.html", status=400 if filters.errors else 200,
                  **_context(request, person, filters, rows, questions))


@router.get("/inbox/rows")
def inbox_table_rows(request: Request, person=Depends(current_person)):
    filters = read_filters(request)
    rows, questions = inbox_rows(request, person, filters)
    return render(request, "partials/inbox_rows.html", **_context(request, person, filters, rows, questions))
