"""The case page: the patient summary, attachments in place, imaging studies, the thread, a message form.

GET  /console/cases/{id}            the page (404 for a case not routed to this person, as the API)
POST /console/cases/{id}/messages   ask a question or add a note (kind, text)
GET  /console/files/{document_id}   an attachment's bytes, after the same access rules as the API

Everything shown comes from services.thread(), which already de-identifies the case for an expert
abroad: this page adds nothing of its own about the patient.
"""

import re
from decimal import Decimal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse

from app.wire import consultation as wire
from app.wire import mapping, systems

from ... import consultation as services
from ... import abroad_imaging, redaction
from ...outcome import FhirError
from .. import accounts
from ..sessions import current_person
from ..templating import language_of, render
from . import common, live

router = APIRouter()
N_ = common.N_  # message ids the templates translate

MESSAGE_KINDS = (wire.QUESTION, wire.NOTE)
MAX_MESSAGE = 10_000
_VITAL_NAMES = {"8867-4": "pulse", "9279-1": "resp", "59408-5": "spo2", "8310-5": "temperature",
                "29463-7": "weight", "85354-9": "bp"}


def vital_label(name: str) -> str:
    return {"pulse": N_("Pulse"), "resp": N_("Respiratory rate"), "spo2": "SpO₂", "temperature": N_("Temperature"),
            "weight": N_("Weight"), "bp": N_("Blood pressure")}.get(name, name)


# -- reading the thread for the page ---------------------------------------------------------------

def patient_summary(thread) -> dict:
    """What the page shows of the patient: only what the services handed over (de-identified abroad)."""
    patient = thread.patient or {}
    identifiers = {i.get("system"): i.get("value", "") for i in patient.get("identifier", [])}
    band = next((e.get("valueString", "") for e in patient.get("extension", [])
                 if e.get("url") == systems.AGE_BAND_EXTENSION), "")
    address = patient.get("address", [{}])[0] if patient.get("address") else {}
    # Only an age was known: the birth year the station sent is an estimate from it, never a date of birth.
    stated = mapping.stated_age(patient)
    return {
        "name": (patient.get("name") or [{}])[0].get("text", ""),
        "sex": patient.get("gender", ""),
        "birth": "" if stated is not None else _date(patient.get("birthDate", "")),
        "age": "" if stated is None else str(stated),
        "age_band": band,
        "cccd": identifiers.get(systems.CCCD, ""),
        "bhyt": identifiers.get(systems.BHYT, ""),
        "phone": ", ".join(t.get("value", "") for t in patient.get("telecom", [])),
        "address": address.get("text") or ", ".join(address.get("line", [])),
    }


def _date(fhir_date: str) -> str:
    """1972-03-12 as 12/03/1972 (and 1972-03 as 03/1972), as Vietnamese forms write it."""
    return "/".join(reversed(fhir_date.split("-"))) if fhir_date else ""


def request_summary(thread) -> dict:
    request = thread.request or {}
    notes = [n.get("text", "") for n in request.get("note", [])]
    return {
        "priority": request.get("priority", "routine"),
        "number": next((i.get("value", "") for i in request.get("identifier", [])), ""),
        "reason": " ".join(r.get("text", "") for r in request.get("reasonCode", [])),
        "question": notes[0] if notes else "",
        "notes": notes[1:],
        "specialty": next((c.get("code", "") for cat in request.get("category", [])
                           for c in cat.get("coding", [])), ""),
        "authored": request.get("authoredOn", ""),
    }


def clinical_records(conn, request: Request, person, case_id: str) -> dict:
    """The case's vital signs, provisional diagnosis and imaging studies, through the hub's store (the same
    access rules and de-identification as the API and services.thread())."""
    from ...tables import resources

    store = request.app.state.hub.store
    return {kind: store.select(conn, person.principal, kind, resources.c.request_id == case_id)
            for kind in ("Observation", "Condition", "ImagingStudy")}


VITAL_ORDER = ("pulse", "bp", "resp", "temperature", "spo2", "weight")  # as a clinician reads them


def vital_unit(name: str, unit: str, language: str) -> str:
    """The unit as the page's language writes it: a pulse in "lần/phút" in Vietnamese, "/min" otherwise."""
    if unit in ("/min", "{beats}/min", "{breaths}/min"):
        return "lần/phút" if language == "vi" else "/min"
    return _UNITS.get(unit, unit)


def vitals(records: dict, language: str = "vi") -> list[tuple[str, str]]:
    """(name, "37,2 °C") in the clinical order (pulse, blood pressure, respiratory rate, temperature, SpO2,
    weight; anything else after), numbers written as the page's language writes them."""
    out = []
    for obs in records.get("Observation", []):
        code = next((c.get("code") for c in obs.get("code", {}).get("coding", [])), "")
        name = _VITAL_NAMES.get(code, obs.get("code", {}).get("text", code))
        if "component" in obs:
            value = "/".join(_number(c.get("valueQuantity", {}).get("value", ""), language)
                             for c in obs["component"]) + " mmHg"
        else:
            quantity = obs.get("valueQuantity", {})
            unit = vital_unit(name, quantity.get("unit", ""), language)
            value = f"{_number(quantity.get('value', ''), language)} {unit}".strip()
        out.append((name, value))
    rank = {name: n for n, name in enumerate(VITAL_ORDER)}
    return sorted(out, key=lambda v: (rank.get(v[0], len(rank)), v[0]))


def _number(value, language: str) -> str:
    """37.2 as 37,2 in Vietnamese and French, 37.2 in English (Babel); 96 stays 96."""
    from babel.numbers import format_decimal

    if isinstance(value, (int, float, Decimal)):
        value = Decimal(str(value))
        value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
        return format_decimal(value, locale=language, group_separator=False)
    return str(value)


def diagnoses(records: dict) -> list[str]:
    out = []
    for condition in records.get("Condition", []):
        code = next((c.get("code", "") for c in condition.get("code", {}).get("coding", [])), "")
        text = condition.get("code", {}).get("text", "")
        out.append(f"{code} — {text}" if code and text and text != code else code or text)
    return out


def attachment_view(document: dict) -> dict:
    attachment = (document.get("content") or [{}])[0].get("attachment", {})
    media = attachment.get("contentType", "application/octet-stream")
    kind = ("image" if media.startswith("image/") else "pdf" if media == "application/pdf"
            else "audio" if media.startswith("audio/") else "video" if media.startswith("video/") else "file")
    return {"id": document.get("id", ""), "kind": kind, "media": media,
            "title": document.get("description") or attachment.get("title", "") or document.get("id", ""),
            "size": attachment.get("size", 0), "date": document.get("date", "")}


def studies(records: dict) -> list[dict]:
    """The case's DICOM studies: description, date, series and images; those with key images (a Key Object
    Selection) first."""
    out = []
    for study in records.get("ImagingStudy", []):
        if redaction.is_withheld(study):  # abroad: an original the hub holds no checked copy of, named by no UID
            out.append(withheld_study(study))
            continue
        uid = redaction.study_uid_of(study)
        series = study.get("series", [])
        modalities = [s.get("modality", {}).get("code", "") for s in series]
        shown = [s for s in series if s.get("modality", {}).get("code", "") not in ("KO", "SR")]
        descriptions = list(dict.fromkeys(s.get("description", "") for s in shown if s.get("description")))
        started = study.get("started") or next((s.get("started") for s in shown if s.get("started")), "")
        images = study.get("numberOfInstances")
        if images is None:
            images = sum(s.get("numberOfInstances", len(s.get("instance", []))) for s in series)
        images -= sum(s.get("numberOfInstances", len(s.get("instance", []))) for s in series if s not in shown)
        out.append({"uid": uid, "description": study.get("description", "") or ", ".join(descriptions),
                    "date": _date(started[:10]) if started else "",
                    "series": len(shown) if series else study.get("numberOfSeries", 0), "images": images,
                    "modality": ", ".join(sorted(set(modalities) - {"", "KO", "SR"})),
                    "key_images": modalities.count("KO")})
    return sorted(out, key=lambda s: -s["key_images"])


def withheld_study(study: dict) -> dict:
    """An original study on the page of an expert abroad: what it is, and that it is not available abroad yet."""
    modalities = {m.get("code", "") for m in study.get("modality", []) if isinstance(m, dict)}
    return {"uid": "", "withheld": True, "description": "", "date": "", "modality": ", ".join(
        sorted(modalities - {"", "KO", "SR"})), "series": study.get("numberOfSeries", 0),
        "images": study.get("numberOfInstances", 0), "key_images": 0}


_UNITS = {"Cel": "°C", "mm[Hg]": "mmHg", "%": "%", "kg": "kg"}


def case_context(request: Request, person, thread, records: dict, **extra) -> dict:
    language = language_of(request, person)
    messages = list(thread.messages)
    documents = [attachment_view(d) for d in thread.attachments]
    by_id = {d["id"]: d for d in documents}
    conclusion = thread.current
    task = thread.task or {}
    return dict(person=person, thread=thread, case_id=request.path_params.get("case_id", ""),
                patient=patient_summary(thread), summary=request_summary(thread), vitals=vitals(records, language),
                diagnoses=diagnoses(records), documents=documents, by_id=by_id, messages=messages,
                studies=studies(records), conclusion=conclusion, **common.signed_parts(thread),
                minutes=[attachment_view(d) for d in thread.minutes],
                outcome=thread.outcome,
                no_feedback=thread.no_feedback,
                waited=thread.waited,
                task_status=task.get("status", ""), task_version=task_version(thread),
                case_state=common.case_state(task.get("status", ""), conclusion is not None),
                kinds=MESSAGE_KINDS, f=common.field, urgency_label=common.urgency_label,
                status_label=common.status_label, sex_label=common.sex_label, waited_text=common.waited_text,
                when=common.instant_for(language), outcome_label=common.outcome_label, kind_label=common.kind_label,
                change_label=common.change_label, vital_label=vital_label, assignees=extra.pop("assignees", None), **extra)


def task_version(thread) -> str:
    return str(((thread.task or {}).get("meta") or {}).get("versionId", ""))


def assignees_for(conn, person, thread) -> list:
    """The experts a coordinator may assign this case to: the hospital's, in the case's specialty."""
    if getattr(person, "role", "") not in ("coordinator", "admin"):
        return []
    return accounts.experts_for(conn, person.hospital, request_summary(thread)["specialty"])


def show_case(request: Request, person, case_id: str, status: int = 200, **extra):
    try:
        with common.transaction(request) as conn:
            thread = services.thread(conn, person.principal, case_id)
            records = clinical_records(conn, request, person, case_id)
            assignees = assignees_for(conn, person, thread)
            live_sessions = live.open_sessions_of_case(conn, person, case_id)
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        raise
    return render(request, "case.html", status=status,
                  **case_context(request, person, thread, records, assignees=assignees, live_sessions=live_sessions,
                                 live_available=request.app.state.config.janus is not None, **extra))


# -- routes --------------------------------------------------------------------------------------

@router.get("/cases/{case_id}")
def case_page(case_id: str, request: Request, person=Depends(current_person)):
    return show_case(request, person, case_id)


@router.post("/cases/{case_id}/messages")
def post_message(case_id: str, request: Request, kind: str = Form(""), text: str = Form(""),
                 person=Depends(current_person)):
    errors = {}
    text = text.strip()
    if kind not in MESSAGE_KINDS:
        errors["kind"] = N_("Choose a question or a note.")
    if not text:
        errors["text"] = N_("Write the message.")
    elif len(text) > MAX_MESSAGE:
        errors["text"] = N_("The message is too long (10,000 characters at most).")
    if errors:
        return show_case(request, person, case_id, status=400, message_errors=errors,
                         message_form={"kind": kind, "text": text})
    try:
        with common.transaction(request) as conn:
            sent = services.post_message(conn, person.principal, case_id, kind, text)
            common.audit(conn, person, kind, "Communication", sent["id"], f"ServiceRequest/{case_id}")
    except services.InvalidInput as error:
        return show_case(request, person, case_id, status=400, message_errors={error.field: error.message},
                         message_form={"kind": kind, "text": text})
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        return show_case(request, person, case_id, status=error.status, conflict=error.diagnostics,
                         message_form={"kind": kind, "text": text})
    return RedirectResponse(f"/console/cases/{case_id}#thread", status_code=303)


INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")
_UPLOAD_URL = re.compile(r"/files/([A-Za-z0-9_-]{1,64})$")


@router.get("/files/{document_id}")
def download(document_id: str, request: Request, person=Depends(current_person)):
    """An attachment (or the minutes) of a case this person may read, streamed from the hub's files."""
    hub = request.app.state.hub
    try:
        with common.transaction(request) as conn:
            document = hub.store.read(conn, person.principal, "DocumentReference", document_id)
            attachment = (document.get("content") or [{}])[0].get("attachment", {})
            match = _UPLOAD_URL.search(attachment.get("url", ""))
            if not match:
                raise FhirError(404, "not-found", "no file")
            upload = hub.files.get(conn, person.principal, match[1], for_reading=True)
            if person.principal.foreign and upload.complete and not abroad_imaging.file_readable_abroad(
                    conn, document_id, hub.files.path_of(upload)):
                raise FhirError(404, "not-found", "no file")  # DICOM not checked clean (server/abroad_imaging.py)
    except FhirError:
        return common.not_found_page(request, person)
    if not upload.complete:
        return common.not_found_page(request, person)
    media = attachment.get("contentType", "application/octet-stream").split(";")[0].strip().lower()
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    if media not in INLINE_TYPES and not media.startswith(("audio/", "video/")):
        # Whatever a station calls it, nothing else is shown by the browser on the hub's origin.
        media = "application/octet-stream"
        headers["Content-Disposition"] = "attachment"
    if media != "application/pdf":  # Chromium refuses to show a sandboxed PDF
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return FileResponse(hub.files.path_of(upload), media_type=media, headers=headers)
