"""The conclusion editor: one block per issue, the treatment direction, the follow-up advice.

GET  /console/cases/{id}/conclusion         the draft being written, or the signed conclusion read-only
POST /console/cases/{id}/conclusion         action=add | remove-N (blocks, nothing saved), save (a draft:
                                            a preliminary Composition the station never reads), sign (the
                                            password again, then the services sign the draft)
POST /console/cases/{id}/conclusion/amend   a new draft replacing the signed conclusion, which stays

A signed conclusion is never edited: a POST naming one is refused (409) before anything is written.
"""

import logging
from dataclasses import dataclass, field as dc_field
from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from app.wire import consultation as wire

from ... import consultation as services
from ...outcome import FhirError
from .. import accounts
from ..sessions import current_person
from ..templating import language_of, render
from . import case as case_view
from . import common

log = logging.getLogger("diemcau.console")

router = APIRouter()
N_ = common.N_  # message ids the templates translate

MAX_ISSUES = 20
MAX_TEXT = 20_000


@dataclass
class Draft:
    draft_id: str = ""
    issues: list = dc_field(default_factory=lambda: [wire.Issue("", "")])
    treatment: str = ""
    follow_up: str = ""
    errors: dict = dc_field(default_factory=dict)  # "issues", "issue-N", "treatment", "follow_up", "password"

    @classmethod
    def of(cls, conclusion) -> "Draft":
        return cls(conclusion.id, list(conclusion.issues) or [wire.Issue("", "")], conclusion.treatment,
                   conclusion.follow_up)

    def validate(self, signing: bool = False) -> bool:
        """Lengths always; what a signature needs (services' _check_signable, checked there again) only when
        signing: a draft keeps whatever is typed, half-written as it may be. Said here in the page's language, on
        its fields."""
        if signing and not any(i.conclusion.strip() for i in self.issues):
            self.errors["issues"] = N_("Write the conclusion of at least one issue.")
        for n, issue in enumerate(self.issues):
            if signing and issue.conclusion.strip() and not issue.title.strip():
                self.errors[f"issue-{n}"] = N_("Name the issue this conclusion answers.")
            elif signing and issue.title.strip() and not issue.conclusion.strip():
                self.errors[f"issue-{n}"] = N_("Write the conclusion on this issue before signing.")
            if len(issue.title) > 500 or len(issue.conclusion) > MAX_TEXT:
                self.errors[f"issue-{n}"] = N_("This block is too long.")
        if signing and not self.treatment.strip():
            self.errors["treatment"] = N_("The treatment direction is required.")
        elif len(self.treatment) > MAX_TEXT:
            self.errors["treatment"] = N_("The treatment direction is too long.")
        if len(self.follow_up) > MAX_TEXT:
            self.errors["follow_up"] = N_("The follow-up advice is too long.")
        return not self.errors

    def kept_issues(self) -> list:
        """The blocks worth saving (an empty block is a place to write, not an issue)."""
        return [wire.Issue(i.title.strip(), i.conclusion.strip()) for i in self.issues
                if i.title.strip() or i.conclusion.strip()]


def _state(request: Request, person, case_id: str, records: dict | None = None):
    """(thread, signed conclusion or None, the draft in progress or None); `records` (a dict) is filled with the
    case's clinical records (case.clinical_records) in the same transaction."""
    with common.transaction(request) as conn:
        thread = services.thread(conn, person.principal, case_id)
        if records is not None:
            records.update(case_view.clinical_records(conn, request, person, case_id))
    conclusions = list(thread.conclusions)
    drafts = [c for c in conclusions if c.status == "preliminary" and _mine(thread.compositions.get(c.id), person)]
    return thread, thread.current, (drafts[-1] if drafts else None), conclusions


def patient_age(patient: dict, today: date | None = None) -> str:
    """Whole years from the birth date the services gave, else the age band (experts abroad get only that)."""
    if patient.get("age"):  # the age the station was told, having no date of birth
        return patient["age"]
    birth = patient.get("birth", "")  # 12/03/1972, 03/1972 or 1972
    parts = birth.split("/")
    if birth and parts[-1].isdigit():
        today = today or date.today()
        year = int(parts[-1])
        month = int(parts[-2]) if len(parts) >= 2 and parts[-2].isdigit() else 1
        day = int(parts[-3]) if len(parts) >= 3 and parts[-3].isdigit() else 1
        return str(today.year - year - ((today.month, today.day) < (month, day)))
    return patient.get("age_band", "")


def _mine(composition: dict | None, person) -> bool:
    """A draft is its author's alone to edit (the services refuse anyone else's)."""
    for contained in (composition or {}).get("contained", []):
        if contained.get("id") == "author":
            return any(i.get("value") == person.principal.person_id for i in contained.get("identifier", []))
    return True


def _page(request: Request, person, case_id: str, draft: Draft | None = None, status: int = 200,
          form_only: bool = False, **extra):
    """The editor's page; `form_only`: the form alone (an htmx add/remove swaps it in place)."""
    records: dict = {}
    try:
        thread, signed, in_progress, conclusions = _state(request, person, case_id, records)
        if signed is not None and not any(wire.minutes_composition(d) == signed.id for d in thread.minutes) \
                and _make_minutes(request, person, signed.id):
            thread, signed, in_progress, conclusions = _state(request, person, case_id, records)
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        raise
    held = draft is None  # the form shows what the hub holds, not a post sent back (draft-keeper.js)
    if draft is None:
        draft = Draft.of(in_progress) if in_progress else (None if signed else Draft())
    patient = case_view.patient_summary(thread)
    return render(request, "partials/conclusion_form.html" if form_only and draft else "conclusion.html",
                  status=status, person=person, case_id=case_id, draft=draft, **common.signed_parts(thread),
                  when=common.instant_for(language_of(request, person)), patient=patient,
                  patient_age=patient_age(patient), summary=case_view.request_summary(thread),
                  diagnoses=case_view.diagnoses(records), sex_label=common.sex_label, held=held, **extra)


def _htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _make_minutes(request: Request, person, composition_id: str) -> int:
    """The signed conclusion's minutes, if `person` signed it and they are not there yet: how many were made."""
    try:
        with common.transaction(request) as conn:
            return services.make_minutes_of(conn, person.principal, composition_id, request.app.state.hub.files)
    except Exception:  # the signature stands; the next look at the conclusion tries again
        log.exception("the minutes of conclusion %s were not made", composition_id)
        return 0


@router.get("/cases/{case_id}/conclusion")
def editor(case_id: str, request: Request, saved: str = "", person=Depends(current_person)):
    return _page(request, person, case_id, notice_code="saved" if saved else ("signed" if request.query_params.get(
        "signed") else ""))


@router.post("/cases/{case_id}/conclusion")
def submit(case_id: str, request: Request, action: str = Form("save"), draft_id: str = Form(""),
           issue_title: list[str] = Form([]), issue_text: list[str] = Form([]), treatment: str = Form(""),
           follow_up: str = Form(""), password: str = Form(""), person=Depends(current_person)):
    titles = issue_title + [""] * (len(issue_text) - len(issue_title))
    texts = issue_text + [""] * (len(titles) - len(issue_text))
    draft = Draft(draft_id, [wire.Issue(t, c) for t, c in zip(titles, texts)][:MAX_ISSUES] or [wire.Issue("", "")],
                  treatment, follow_up)
    try:
        _, signed, _, conclusions = _state(request, person, case_id)
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        raise
    if draft_id and any(c.id == draft_id and c.status == "final" for c in conclusions):
        return _page(request, person, case_id, status=409, refused="signed")
    if action == "add":
        if len(draft.issues) < MAX_ISSUES:
            draft.issues.append(wire.Issue("", ""))
        return _page(request, person, case_id, draft=draft, form_only=_htmx(request), focus_issue=len(draft.issues) - 1)
    if action.startswith("remove-") and action[7:].isdigit():
        n = int(action[7:])
        if 0 <= n < len(draft.issues) and len(draft.issues) > 1:
            del draft.issues[n]
        return _page(request, person, case_id, draft=draft, form_only=_htmx(request))
    if action not in ("save", "sign"):
        return _page(request, person, case_id, draft=draft, status=400)
    if not draft.validate(signing=action == "sign"):
        return _page(request, person, case_id, draft=draft, status=400)
    try:
        with common.transaction(request) as conn:
            saved = services.save_draft(conn, person.principal, case_id, draft.kept_issues(), draft.treatment.strip(),
                                        draft.follow_up.strip(), draft_id=draft_id or None)
            common.audit(conn, person, "draft", "Composition", saved["id"], f"ServiceRequest/{case_id}")
        draft.draft_id = saved["id"]
        if action == "save":
            return RedirectResponse(f"/console/cases/{case_id}/conclusion?saved=1", status_code=303)
        if not password:
            draft.errors["password"] = N_("Enter your password to sign.")
            return _page(request, person, case_id, draft=draft, status=400)
        if not _password_ok(request, person, password):
            draft.errors["password"] = N_("The password is not right.")
            return _page(request, person, case_id, draft=draft, status=403)
        hub = request.app.state.hub
        with common.transaction(request) as conn:
            signed, _ = services.sign(conn, person.principal, draft.draft_id, hub.config.secret)
            common.audit(conn, person, "sign", "Composition", signed["id"], f"ServiceRequest/{case_id}")
        # Committed: the station hears of the signed conclusion now, not after the PDF. The minutes follow in
        # a transaction of their own (a failure there is made good when the signer opens the conclusion).
        _make_minutes(request, person, signed["id"])
    except services.InvalidInput as error:
        draft.errors[_field_of(error.field)] = error.message
        return _page(request, person, case_id, draft=draft, status=400)
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        if error.status in (409, 412):
            return _page(request, person, case_id, draft=draft, status=409, refused="conflict")
        if error.status in (401, 403) and action == "sign":
            draft.errors["password"] = N_("The password is not right.")
            return _page(request, person, case_id, draft=draft, status=403)
        return _page(request, person, case_id, draft=draft, status=error.status, service_error=error.diagnostics)
    return RedirectResponse(f"/console/cases/{case_id}/conclusion?signed=1", status_code=303)


def _field_of(field: str) -> str:
    """The services' field names ("issues.2.title") as this form's ("issue-2")."""
    parts = field.split(".")
    if parts[0] == "issues" and len(parts) > 1 and parts[1].isdigit():
        return f"issue-{parts[1]}"
    return field


def _password_ok(request: Request, person, password: str) -> bool:
    return accounts.verify_password(common.engine_of(request), person.login, password)


@router.post("/cases/{case_id}/conclusion/amend")
def amend(case_id: str, request: Request, conclusion_id: str = Form(""), person=Depends(current_person)):
    try:
        _, signed, in_progress, _ = _state(request, person, case_id)
        if signed is None or conclusion_id != signed.id:
            return _page(request, person, case_id, status=409, refused="not-current")
        if in_progress is None:
            with common.transaction(request) as conn:
                new = services.amend(conn, person.principal, signed.id, list(signed.issues), signed.treatment,
                                     signed.follow_up)
                common.audit(conn, person, "amend", "Composition", new["id"], f"replaces Composition/{signed.id}")
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        return _page(request, person, case_id, status=error.status, service_error=error.diagnostics)
    return RedirectResponse(f"/console/cases/{case_id}/conclusion", status_code=303)
