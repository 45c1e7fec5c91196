"""What the inbox, case, triage and conclusion views share: labels, waiting times, calls into the services.

Labels are message ids (English); templates translate them with _() in the person's language.

Views never query tables: they open one transaction, call server/consultation.py with the person's
Principal, and turn its FhirError into a page (404 as 404: nobody learns what exists elsewhere; a
conflict as a plain message).
"""

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from fastapi import Request


def N_(message: str) -> str:
    """Marks a message id the page translates (the views hand ids, the templates call _())."""
    return message


# ServiceRequest.priority, most urgent first (the station writes stat for an emergency).
URGENCY_ORDER = {"stat": 0, "asap": 0, "urgent": 1, "routine": 2}
NO_FEEDBACK_AFTER = timedelta(days=30)


def urgency_label(priority: str) -> str:
    return {"stat": N_("Emergency"), "asap": N_("Emergency"), "urgent": N_("Urgent")}.get(priority or "routine",
                                                                                       N_("Routine"))


def status_label(status: str) -> str:
    return {
        "requested": N_("New"), "received": N_("New"), "accepted": N_("Accepted"), "in-progress": N_("In progress"),
        "completed": N_("Concluded"), "rejected": N_("Declined"), "cancelled": N_("Cancelled"),
        "on-hold": N_("On hold"), "ready": N_("Assigned"),
    }.get(status or "", status or "—")


def case_state(task_status: str, concluded: bool) -> str:
    """The consultation's state as people read it: concluded ("completed") once a final conclusion is signed,
    whatever the Task says; else the Task's status (declined: "rejected"). status_label() names it."""
    if concluded:
        return "completed"
    return task_status or "requested"


def sex_label(sex: str) -> str:
    return {"male": N_("Male"), "female": N_("Female"), "other": N_("Other")}.get(sex or "", N_("Unknown"))


def outcome_label(code: str) -> str:
    return {"improved": N_("Improved"), "stable": N_("Stable"), "worse": N_("Worse"), "referred": N_("Referred up"),
            "died": N_("Died"), "lost": N_("Lost to follow-up")}.get(code or "", code or "—")


def kind_label(kind: str) -> str:
    return {"question": N_("Question"), "note": N_("Note"), "reply": N_("Reply"), "status": N_("Status change"),
            "outcome": N_("Outcome"), "answer": N_("Answer")}.get(kind or "", kind or "—")


def change_label(change: str) -> str:
    return {"accepted": N_("Accepted"), "assigned": N_("Assigned"), "declined": N_("Declined")}.get(
        change or "", change or "—")


def waited_text(waited) -> tuple[str, dict]:
    """("waiting %(hours)d h %(minutes)d min", {...}): the page translates it, "chờ 3 giờ 20 phút"."""
    if waited is None:
        return "", {}
    seconds = int(waited.total_seconds() if isinstance(waited, timedelta) else waited)
    minutes = max(seconds, 0) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return N_("waiting %(days)d d %(hours)d h"), {"days": days, "hours": hours}
    if hours:
        return N_("waiting %(hours)d h %(minutes)d min"), {"hours": hours, "minutes": minutes}
    return N_("waiting %(minutes)d min"), {"minutes": minutes}


def _vietnam_time(value):
    """A FHIR instant (text) or datetime in Vietnam's time (UTC+7); text that is no instant comes back as it is."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone(timedelta(hours=7)))


def instant_text(value) -> str:
    """A FHIR instant or datetime as the console shows it: 29/11/2026 14:05 (UTC+7, Vietnam's time)."""
    if not value:
        return ""
    local = _vietnam_time(value)
    return local if isinstance(local, str) else local.strftime("%d/%m/%Y %H:%M")


_INSTANT_PATTERNS = {"vi": "dd/MM/yyyy HH:mm", "fr": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}


def instant_for(language: str):
    """instant_text for a page in `language`: 29/11/2026 14:05 (vi, fr), 29 Nov 2026, 14:05 (en), Vietnam's time."""
    from babel.dates import format_datetime

    def when(value) -> str:
        if not value:
            return ""
        local = _vietnam_time(value)
        if isinstance(local, str):
            return local
        return format_datetime(local, _INSTANT_PATTERNS.get(language, _INSTANT_PATTERNS["vi"]), locale=language)
    return when


def signed_parts(thread) -> dict:
    """The signed conclusion standing, the earlier signed versions (newest first), its minutes (DocumentReference
    ids) and its content hash: what the case page and the editor show of it."""
    from ... import consultation as services

    signed = thread.current
    earlier = [c for c in thread.conclusions if c.status == "final" and signed is not None and c.id != signed.id]
    minutes = [d.get("id", "") for d in thread.minutes if signed and signed.id in str(d.get("context", {}))]
    composition = thread.compositions.get(signed.id) if signed else None
    return dict(signed=signed, earlier=list(reversed(earlier)), signed_minutes=minutes,
                content_hash=services.content_hash(composition) if composition else "")


def engine_of(request: Request):
    return request.app.state.engine


@contextmanager
def transaction(request: Request):
    with engine_of(request).begin() as conn:
        yield conn


def audit(conn, person, action: str, kind: str, record_id: str, detail: str = "") -> None:
    """What a person did beyond the page request the console audits anyway (never patient data)."""
    from ... import audit as trail

    trail.record(conn, person.client_id, action, 200, kind, record_id, detail)


def not_found_page(request: Request, person):
    from ..templating import render

    return render(request, "case_missing.html", status=404, person=person)


def field(obj, *names, default=None):
    """The first attribute (or key) of `obj` among `names`: the services' rows read either way."""
    for name in names:
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return default
