"""What the consultation services share: the store, the request row, the Task, input errors, the clock."""

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.wire import mapping, systems

from ..access import COORDINATOR, EXPERT, Principal
from ..outcome import FhirError, forbidden, not_found
from ..store import ResourceStore, fhir_instant, parse_instant
from ..tables import resources

store = ResourceStore()


class InvalidInput(ValueError):
    """A form value the service refuses: `field` names it, `message` says why (Vietnamese)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def now() -> datetime:
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def instant(moment: datetime) -> str:
    return fhir_instant(moment)


def parse_time(text: str) -> datetime | None:
    try:
        return parse_instant(text) if text else None
    except ValueError:
        return None


def request_row(conn: Connection, who: Principal, request_id: str):
    """The consultation's ServiceRequest row, if `who` may read it; 404 as the API answers otherwise."""
    row = conn.execute(select(resources).where(resources.c.type == "ServiceRequest", resources.c.id == request_id,
                                               who.read_filter("ServiceRequest"))).first()
    if row is None:
        raise not_found("ServiceRequest", request_id)
    return row


def task_of(conn: Connection, who: Principal, request_id: str) -> dict | None:
    tasks = store.select(conn, who, "Task", resources.c.request_id == request_id)
    return tasks[0] if tasks else None


def version_of(resource: dict) -> int:
    return int(resource["meta"]["versionId"])


def person_key(who: Principal) -> tuple[str, str]:
    """Who a person (or an expert client) is, as the hub writes it in "#author"."""
    return (systems.HUB_PERSON, who.person_id) if who.person_id else (systems.HUB_CLIENT, who.client_id)


def author_key(resource: dict) -> tuple[str, str]:
    for contained in resource.get("contained", []):
        if contained.get("id") == "author":
            idents = contained.get("identifier", [])
            for system in (systems.HUB_PERSON, systems.HUB_CLIENT):
                for ident in idents:
                    if ident.get("system") == system:
                        return system, ident.get("value", "")
    return "", ""


def assignee_of(task: dict | None) -> str:
    """The person a coordinator assigned the consultation to ("" when none)."""
    ident = (task or {}).get("owner", {}).get("identifier", {})
    return ident.get("value", "") if ident.get("system") == systems.HUB_PERSON else ""


def is_expert(who: Principal) -> bool:
    return not who.is_station and who.role in (EXPERT, "")


def check_may_conclude(who: Principal, row, task: dict | None) -> None:
    """A routed expert writes and signs the conclusion; once assigned, only the assignee."""
    if not (is_expert(who) and who.routed(row)):
        raise forbidden("only an expert of the hospital and specialty asked writes the conclusion "
                        "(chỉ chuyên gia được phân công viết kết luận)")
    assignee = assignee_of(task)
    if assignee and assignee != who.person_id:
        raise forbidden("this consultation is assigned to another expert (ca này đã được phân công cho chuyên "
                        "gia khác)")


def check_coordinator(who: Principal, row) -> None:
    if who.role != COORDINATOR or not who.routed(row):
        raise forbidden("only a coordinator of the hospital asked triages its consultations (chỉ điều phối viên "
                        "mới phân công hoặc từ chối ca)")


def patient_ref(request: dict) -> str:
    return mapping.patient_id_of(request) or ""


def conflict(text: str) -> FhirError:
    return FhirError(409, "business-rule", text)
