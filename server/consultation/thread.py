"""Reading a consultation: its whole thread (the case page), and the inbox of those waiting for answers."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.wire import consultation as wire
from app.wire import mapping, systems

from ..access import Principal
from ..outcome import FhirError
from ..redaction import age_band
from ..tables import clients, resources
from .common import now, parse_time, store

NO_FEEDBACK_AFTER = timedelta(days=30)  # "chưa có phản hồi": signed a month ago, no outcome since
URGENCY_ORDER = {"stat": 0, "asap": 0, "urgent": 1, "routine": 2}
_FAR = datetime.max.replace(tzinfo=timezone.utc)  # a message without a readable time sorts last


@dataclass
class Thread:
    request: dict
    patient: dict | None                 # de-identified for a foreign expert
    task: dict | None
    messages: list[wire.ThreadMessage]   # in time order
    conclusions: list[wire.Conclusion]   # every version the caller may see (drafts: the routed experts only)
    current: wire.Conclusion | None      # the signed one standing
    minutes: list[dict]                  # DocumentReference (category minutes)
    attachments: list[dict]              # the station's DocumentReferences
    outcome: wire.ThreadMessage | None   # the latest the station reported
    waited: timedelta
    no_feedback: bool
    compositions: dict[str, dict] = field(default_factory=dict)  # the Composition resources, by id


@dataclass(frozen=True)
class InboxRow:
    request_id: str
    case_number: str
    facility: str
    facility_name: str
    hospital: str
    specialty: str
    urgency: str                  # stat | urgent | routine (ServiceRequest.priority)
    status: str                   # the Task's status
    waited: timedelta
    sex: str                      # male | female | other | ""
    age: int | None               # None for a foreign expert (who gets the band) or an unknown birth date
    age_band: str
    patient_name: str             # "" for a foreign expert
    reason: str
    concluded: bool               # a final conclusion exists
    no_feedback: bool


def thread(conn: Connection, who: Principal, request_id: str, *, at: datetime | None = None) -> Thread:
    """The consultation as `who` may see it; 404 (FhirError) when it is not theirs to see."""
    at = at or now()
    request = store.read(conn, who, "ServiceRequest", request_id)
    patient = _patient(conn, who, request)
    task = next(iter(store.select(conn, who, "Task", resources.c.request_id == request_id)), None)
    messages = _messages(store.select(conn, who, "Communication", resources.c.request_id == request_id))
    compositions = store.select(conn, who, "Composition", resources.c.request_id == request_id)
    conclusions = sorted((c for c in map(wire.read_conclusion, compositions) if c),
                         key=lambda c: (c.signed_at or "~", c.id))
    documents = store.select(conn, who, "DocumentReference", resources.c.request_id == request_id)
    current = wire.current_conclusion(conclusions)
    outcome = _latest_outcome(messages)
    return Thread(
        request=request, patient=patient, task=task, messages=messages, conclusions=conclusions, current=current,
        minutes=[d for d in documents if wire.is_minutes(d)],
        attachments=[d for d in documents if not wire.is_minutes(d)],
        outcome=outcome, waited=at - requested_at(request), no_feedback=no_feedback(current, outcome, at),
        compositions={c["id"]: c for c in compositions})


def inbox(conn: Connection, who: Principal, *, status=None, specialty: str | None = None, facility: str | None = None,
          waiting_hours: float | None = None, limit: int = 200, at: datetime | None = None) -> list[InboxRow]:
    """The consultations routed to `who`, most urgent first, then the longest waiting.

    `status`: a Task status or several (e.g. ("requested", "accepted")); `waiting_hours`: only those
    waiting longer.
    """
    at = at or now()
    wanted = {status} if isinstance(status, str) else set(status or ())
    where = []
    if specialty:
        where.append(resources.c.specialty == specialty)
    if facility:
        where.append(resources.c.facility == facility)
    requests = store.select(conn, who, "ServiceRequest", *where)
    ids = [r["id"] for r in requests]
    tasks = _by_request(_chunked(conn, who, "Task", ids))
    finals = _by_request_all([c for c in map(wire.read_conclusion, _chunked(conn, who, "Composition", ids)) if c],
                             key=lambda c: c.case_id)
    concluded = [i for i in ids if wire.current_conclusion(finals.get(i, []))]  # only these can lack feedback
    outcomes = _by_request_all([m for m in _messages(_chunked(conn, who, "Communication", concluded))
                                if m.kind == wire.OUTCOME], key=lambda m: m.case_id)
    patient_ids = sorted({mapping.patient_id_of(r) for r in requests} - {None})
    patients = {p["id"]: p for p in _chunked(conn, who, "Patient", patient_ids, column=resources.c.id)}
    names = _facility_names(conn, {_requester(r) for r in requests})
    rows = []
    for request in requests:
        task = tasks.get(request["id"], {})
        task_status = task.get("status", "requested")
        waited = at - requested_at(request)
        if wanted and task_status not in wanted:
            continue
        if waiting_hours is not None and waited <= timedelta(hours=waiting_hours):
            continue
        current = wire.current_conclusion(finals.get(request["id"], []))
        outcome = _latest_outcome(outcomes.get(request["id"], []))
        patient = patients.get(mapping.patient_id_of(request) or "", {})
        code = _requester(request)
        hospital, spec = mapping.routing_of(request)
        rows.append(InboxRow(
            request_id=request["id"], case_number=_case_number(request), facility=code,
            facility_name=names.get(code, ""), hospital=hospital, specialty=spec,
            urgency=request.get("priority", "routine"), status=task_status, waited=waited,
            sex=patient.get("gender", ""), age=_age(patient, at), age_band=_band(patient),
            patient_name=(patient.get("name") or [{}])[0].get("text", ""), reason=_reason(request),
            concluded=current is not None, no_feedback=no_feedback(current, outcome, at)))
    rows.sort(key=lambda r: (URGENCY_ORDER.get(r.urgency, 2), -r.waited.total_seconds(), r.request_id))
    return rows[:limit]


def requested_at(request: dict) -> datetime:
    """When the station asked (authoredOn), else when the hub first stored it."""
    return parse_time(request.get("authoredOn", "")) or parse_time(request.get("meta", {}).get("lastUpdated", "")) \
        or now()


def no_feedback(current: wire.Conclusion | None, outcome: wire.ThreadMessage | None, at: datetime) -> bool:
    signed = parse_time(current.signed_at) if current else None
    if signed is None or at - signed <= NO_FEEDBACK_AFTER:
        return False
    return outcome is None or (parse_time(outcome.sent) or signed) < signed


# -- helpers -------------------------------------------------------------------------------------

def _patient(conn: Connection, who: Principal, request: dict) -> dict | None:
    patient_id = mapping.patient_id_of(request)
    if not patient_id:
        return None
    try:
        return store.read(conn, who, "Patient", patient_id)
    except FhirError:
        return None


def _messages(communications: list[dict]) -> list[wire.ThreadMessage]:
    messages = [m for m in map(wire.read_message, communications) if m]
    # FHIR instants from different clocks and offsets: compared as times, not as text.
    return sorted(messages, key=lambda m: (parse_time(m.sent) or _FAR, m.id))


def _latest_outcome(messages: list[wire.ThreadMessage]) -> wire.ThreadMessage | None:
    outcomes = [m for m in messages if m.kind == wire.OUTCOME and m.outcome is not None]
    return max(outcomes, key=lambda m: (parse_time(m.sent) or _FAR, m.id), default=None)


def _chunked(conn: Connection, who: Principal, kind: str, ids: list[str], column=None) -> list[dict]:
    column = resources.c.request_id if column is None else column
    out = []
    for start in range(0, len(ids), 500):
        out += store.select(conn, who, kind, column.in_(ids[start:start + 500]))
    return out


def _by_request(items: list[dict]) -> dict[str, dict]:
    return {mapping.request_id_of(i): i for i in items}


def _by_request_all(items, key) -> dict[str, list]:
    out: dict[str, list] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def _requester(request: dict) -> str:
    ident = request.get("requester", {}).get("identifier", {})
    return ident.get("value", "") if ident.get("system") == systems.FACILITY else ""


def _facility_names(conn: Connection, codes: set[str]) -> dict[str, str]:
    """Facility code -> the name its station was registered under (the hub's directory of stations)."""
    codes = {c for c in codes if c}
    if not codes:
        return {}
    rows = conn.execute(select(clients.c.facility, clients.c.name).where(
        clients.c.kind == "station", clients.c.facility.in_(sorted(codes))).order_by(clients.c.created_at))
    names: dict[str, str] = {}
    for row in rows:
        names.setdefault(row.facility, row.name)
    return names


def _case_number(request: dict) -> str:
    for ident in request.get("identifier", []):
        if ident.get("system") == systems.CASE_NUMBER:
            return ident.get("value", "")
    return ""


def _reason(request: dict) -> str:
    texts = [c.get("text", "") for c in request.get("reasonCode", [])] + [n.get("text", "") for n in
                                                                          request.get("note", [])[:1]]
    return next((t for t in texts if t), "")


def _age(patient: dict, at: datetime) -> int | None:
    stated = mapping.stated_age(patient)
    if stated is not None:  # its birthDate is only a year estimated from this age: the age is what is known
        return stated
    birth = patient.get("birthDate", "")
    if len(birth) < 4 or not birth[:4].isdigit():
        return None
    year = int(birth[:4])
    month = int(birth[5:7]) if len(birth) >= 7 else 1
    day = int(birth[8:10]) if len(birth) >= 10 else 1
    return at.year - year - ((at.month, at.day) < (month, day))


def _band(patient: dict) -> str:
    for extension in patient.get("extension", []):
        if extension.get("url") == systems.AGE_BAND_EXTENSION:
            return extension.get("valueString", "")
    return age_band(patient.get("birthDate", ""))
