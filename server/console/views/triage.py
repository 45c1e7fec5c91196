"""Triage: a coordinator assigns a request to an expert of the hospital, reassigns it, or declines it
with a reason the station sees; the expert it is routed to accepts it.

Each action is a POST form (CSRF-checked by the console) carrying the Task version the page showed:
if someone else moved the case first, the services refuse and the case page says so plainly.
"""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ... import consultation as services
from ...outcome import FhirError
from ..sessions import current_person, require_role
from . import common
from .case import assignees_for, show_case, task_version

router = APIRouter()
N_ = common.N_  # message ids the templates translate

MAX_REASON = 2000


def _act(request: Request, person, case_id: str, action, version: str, name: str = "", detail: str = "",
         **form_state):
    try:
        with common.transaction(request) as conn:
            # The page showed the Task at `version`: a case someone moved since is a conflict, not a
            # silent override (the services' If-Match then covers the race within this transaction).
            shown = task_version(services.thread(conn, person.principal, case_id))
            if version and version != shown:
                raise FhirError(412, "conflict", "the case changed since the page was shown")
            action(conn)
            common.audit(conn, person, name, "ServiceRequest", case_id, detail)
    except services.InvalidInput as error:
        return show_case(request, person, case_id, status=400, triage_errors={error.field: error.message},
                         **form_state)
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        if error.status in (409, 412):
            return show_case(request, person, case_id, status=409, conflict_code="conflict", **form_state)
        return show_case(request, person, case_id, status=error.status, conflict=error.diagnostics, **form_state)
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/accept")
def accept(case_id: str, request: Request, version: str = Form(""), person=Depends(current_person)):
    return _act(request, person, case_id,
                lambda conn: services.accept(conn, person.principal, case_id), version, name="accept")


@router.post("/cases/{case_id}/assign")
def assign(case_id: str, request: Request, assignee: str = Form(""), version: str = Form(""),
           person=Depends(require_role("coordinator", "admin"))):
    if not assignee:
        return show_case(request, person, case_id, status=400, triage_errors={"assignee": N_("Choose an expert.")})
    try:
        with common.transaction(request) as conn:
            thread = services.thread(conn, person.principal, case_id)
            choices = {str(common.field(p, "id")): p for p in assignees_for(conn, person, thread)}
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        raise
    chosen = choices.get(assignee)
    if chosen is None:
        return show_case(request, person, case_id, status=400,
                         triage_errors={"assignee": N_("Choose an expert of this hospital and specialty.")})
    name = " ".join(p for p in (common.field(chosen, "title", default=""), common.field(chosen, "name")) if p)
    return _act(request, person, case_id,
                lambda conn: services.assign(conn, person.principal, case_id,
                                   assignee_name=name, assignee_person_id=str(common.field(chosen, "id"))),
                version, name="assign", detail=f"person:{common.field(chosen, 'id')}")


@router.post("/cases/{case_id}/decline")
def decline(case_id: str, request: Request, reason: str = Form(""), version: str = Form(""),
            person=Depends(require_role("coordinator", "admin"))):
    reason = reason.strip()
    if not reason:
        return show_case(request, person, case_id, status=400,
                         triage_errors={"reason": N_("Give the reason: the requesting station will read it.")},
                         decline_reason=reason)
    if len(reason) > MAX_REASON:
        return show_case(request, person, case_id, status=400,
                         triage_errors={"reason": N_("The reason is too long (2,000 characters at most).")},
                         decline_reason=reason)
    return _act(request, person, case_id,
                lambda conn: services.decline(conn, person.principal, case_id, reason=reason),
                version, name="decline", decline_reason=reason)
