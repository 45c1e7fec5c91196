"""A consultation case as FHIR R4 resources, and the experts' replies read back.

Every id is the station's own UUID (or derived from one with uuid5), so a resource sent twice is
the same resource on the hub: PUT upserts it, nothing is duplicated.
"""

import uuid
from datetime import datetime, timezone

from app.domain import identifiers
from app.domain.attachment import Attachment
from app.domain.case import ConsultationCase
from app.domain.lifecycle import Urgency
from app.domain.vitals import parse_vitals

from . import systems

# Parents before children: the hub routes a child by the request it belongs to.
UPLOAD_ORDER = ("Patient", "ServiceRequest", "Task", "Observation", "Condition", "DocumentReference",
                "ImagingStudy", "Communication")

_PRIORITY = {Urgency.ROUTINE: "routine", Urgency.URGENT: "urgent", Urgency.EMERGENCY: "stat"}
_SEX = {"male": "male", "female": "female", "other": "other"}

# LOINC codes of the vital-signs profile; blood pressure is one panel with two components.
_VITALS = (
    ("pulse", "8867-4", "Heart rate", "/min"),
    ("resp_rate", "9279-1", "Respiratory rate", "/min"),
    ("spo2", "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%"),
    ("temperature", "8310-5", "Body temperature", "Cel"),
    ("weight", "29463-7", "Body weight", "kg"),
)


def derived_id(case_id: str, what: str) -> str:
    """A stable id for a resource the station has no row of its own for (the case's Task, ...)."""
    return str(uuid.uuid5(uuid.UUID(case_id), what))


def task_id(case_id: str) -> str:
    return derived_id(case_id, "task")


def instant(moment: datetime | None) -> str:
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def facility_identifier(code: str) -> dict:
    return {"system": systems.FACILITY, "value": code}


def patient_resource(case: ConsultationCase) -> dict:
    p = case.patient
    resource: dict = {"resourceType": "Patient", "id": p.id, "identifier": []}
    cccd, bhyt = identifiers.normalize_id(p.cccd), identifiers.normalize_id(p.bhyt)
    if cccd:
        resource["identifier"].append({"system": systems.CCCD, "value": cccd})
    if bhyt:
        resource["identifier"].append({"system": systems.BHYT, "value": bhyt.upper()})
    if not resource["identifier"]:
        del resource["identifier"]
    if p.full_name.strip():
        resource["name"] = [{"text": p.full_name.strip()}]
    if p.sex in _SEX:
        resource["gender"] = _SEX[p.sex]
    birth = _birth_date(p.birth)
    if birth:
        resource["birthDate"] = birth
    elif p.age.strip().isdigit() and int(p.age) <= 130:
        # Only an age: a year-precision birthDate any FHIR client can count an age from, counted from when the
        # case was written (the same case sent again next year is the same resource), marked as estimated
        # from the stated age so that readers show that age, never "born 1968".
        age = int(p.age)
        resource["birthDate"] = f"{(case.created_at or datetime.now(timezone.utc)).year - age:04d}"
        resource["_birthDate"] = {"extension": [{
            "url": systems.STATED_AGE_EXTENSION,
            "valueAge": {"value": age, "unit": "a", "system": systems.UCUM, "code": "a"}}]}
    if p.phone.strip():
        resource["telecom"] = [{"system": "phone", "value": identifiers.normalize_id(p.phone)}]
    address = _address(p)
    if address:
        resource["address"] = [address]
    return resource


def stated_age(patient: dict) -> int | None:
    """The age in years the station was told when it knew no date of birth (its birthDate is then only an
    estimated year); None when the birth date is the patient's own."""
    element = patient.get("_birthDate")
    extensions = element.get("extension") if isinstance(element, dict) else None
    for extension in extensions if isinstance(extensions, list) else ():
        if isinstance(extension, dict) and extension.get("url") == systems.STATED_AGE_EXTENSION:
            age = extension.get("valueAge")
            value = age.get("value") if isinstance(age, dict) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value == int(value):
                return int(value)  # a decimal in FHIR: 58.0 from another client is 58
            return None
    return None


def service_request_resource(case: ConsultationCase, facility: str) -> dict:
    """The consultation request: to which central hospital and specialty, how urgent, what for."""
    resource = {
        "resourceType": "ServiceRequest",
        "id": case.id,
        "identifier": [{"system": systems.CASE_NUMBER, "value": f"{facility}-{case.number}"}]
        if case.number is not None else [],
        "status": "active",
        "intent": "order",
        "priority": _PRIORITY[case.urgency],
        "code": {"text": "Hội chẩn từ xa"},
        "category": [{"coding": [{"system": systems.SPECIALTY, "code": case.specialty}]}],
        "subject": {"reference": f"Patient/{case.patient.id}"},
        "authoredOn": instant(case.created_at),
        "requester": {"identifier": facility_identifier(facility)},
        "performer": [{"identifier": {"system": systems.CENTRAL_HOSPITAL, "value": case.hospital}}],
        "reasonCode": [{"text": case.reason}] if case.reason.strip() else [],
        "note": [{"text": text} for text in (case.question, case.history, case.examination, case.treatment)
                 if text.strip()],
    }
    if case.parent_id:
        resource["replaces"] = [{"reference": f"ServiceRequest/{case.parent_id}"}]
    if case.foreign_expert:
        resource["extension"] = [{"url": systems.EXPERT_ABROAD_EXTENSION, "valueBoolean": True}]
    return {k: v for k, v in resource.items() if v != []}


def task_resource(case: ConsultationCase, facility: str, status: str = "requested") -> dict:
    """The request's workflow state; experts move it on (accepted, in-progress, completed)."""
    return {
        "resourceType": "Task",
        "id": task_id(case.id),
        "status": status,
        "intent": "order",
        "priority": _PRIORITY[case.urgency],
        "basedOn": [{"reference": f"ServiceRequest/{case.id}"}],
        "focus": {"reference": f"ServiceRequest/{case.id}"},
        "for": {"reference": f"Patient/{case.patient.id}"},
        "authoredOn": instant(case.created_at),
        "requester": {"identifier": facility_identifier(facility)},
        "owner": {"identifier": {"system": systems.CENTRAL_HOSPITAL, "value": case.hospital}},
    }


def observation_resources(case: ConsultationCase) -> list[dict]:
    values, _ = parse_vitals(case.vitals)
    common = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": systems.OBSERVATION_CATEGORY, "code": "vital-signs"}]}],
        "subject": {"reference": f"Patient/{case.patient.id}"},
        "basedOn": [{"reference": f"ServiceRequest/{case.id}"}],
        "effectiveDateTime": instant(case.created_at),
    }
    out = []
    for name, code, display, unit in _VITALS:
        if values.get(name) is None:
            continue
        out.append({**common, "id": derived_id(case.id, f"vital-{name}"),
                    "code": _loinc(code, display), "valueQuantity": _quantity(values[name], unit)})
    if values.get("systolic") is not None and values.get("diastolic") is not None:
        out.append({**common, "id": derived_id(case.id, "vital-blood_pressure"),
                    "code": _loinc("85354-9", "Blood pressure panel"),
                    "component": [
                        {"code": _loinc("8480-6", "Systolic blood pressure"),
                         "valueQuantity": _quantity(values["systolic"], "mm[Hg]")},
                        {"code": _loinc("8462-4", "Diastolic blood pressure"),
                         "valueQuantity": _quantity(values["diastolic"], "mm[Hg]")},
                    ]})
    return out


def condition_resource(case: ConsultationCase) -> dict | None:
    """The provisional diagnosis (chẩn đoán sơ bộ)."""
    if not case.diagnosis_code.strip() and not case.diagnosis_text.strip():
        return None
    code: dict = {"text": case.diagnosis_text.strip() or case.diagnosis_code.strip()}
    if case.diagnosis_code.strip():
        code["coding"] = [{"system": systems.ICD10, "code": case.diagnosis_code.strip()}]
    return {
        "resourceType": "Condition",
        "id": derived_id(case.id, "condition"),
        "verificationStatus": {"coding": [{"system": systems.CONDITION_VERIFICATION, "code": "provisional"}]},
        "category": [{"coding": [{"system": systems.CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}],
        "code": code,
        "subject": {"reference": f"Patient/{case.patient.id}"},
        "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/workflow-reason",
                       "valueReference": {"reference": f"ServiceRequest/{case.id}"}}],
    }


def document_reference(case: ConsultationCase, attachment: Attachment, url: str, sha1_b64: str) -> dict:
    """An attachment whose bytes are on the hub at `url` (a finished resumable upload)."""
    return {
        "resourceType": "DocumentReference",
        "id": attachment.id,
        "status": "current",
        "type": {"coding": [{"system": systems.ATTACHMENT_KIND, "code": attachment.kind.value}]},
        "subject": {"reference": f"Patient/{case.patient.id}"},
        "date": instant(attachment.created_at),
        "description": attachment.caption or attachment.original_name,
        "context": {"related": [{"reference": f"ServiceRequest/{case.id}"}]},
        "content": [{"attachment": {
            "contentType": attachment.media_type,
            "url": url,
            "size": attachment.size,
            "hash": sha1_b64,
            "title": attachment.original_name,
            "creation": instant(attachment.created_at),
            "extension": [{"url": systems.SHA256_EXTENSION, "valueString": attachment.sha256}],
        }}],
    }


def communication_resource(message_id: str, case_id: str, patient_id: str, text: str, kind: str,
                           sender: dict, sent: datetime | None = None) -> dict:
    """A question or an answer: appended, never edited (DESIGN.md convention 7)."""
    return {
        "resourceType": "Communication",
        "id": message_id,
        "status": "completed",
        "basedOn": [{"reference": f"ServiceRequest/{case_id}"}],
        "subject": {"reference": f"Patient/{patient_id}"},
        "category": [{"coding": [{"system": systems.MESSAGE_KIND, "code": kind}]}],
        "sent": instant(sent),
        "sender": sender,
        "payload": [{"contentString": text}],
    }


def case_resources(case: ConsultationCase, facility: str) -> list[dict]:
    """The clinical record of a submitted case, parents first; attachments and the Task aside.

    The Task goes on its own, created once (If-None-Match): the experts move it on, and sending
    the case again must not put it back to "requested".
    """
    out = [patient_resource(case), service_request_resource(case, facility)]
    out += observation_resources(case)
    condition = condition_resource(case)
    if condition:
        out.append(condition)
    return out


# -- reading back --------------------------------------------------------------------------

def request_id_of(resource: dict) -> str | None:
    """The ServiceRequest (case) a resource belongs to, whatever its type."""
    kind = resource.get("resourceType")
    if kind == "ServiceRequest":
        return resource.get("id")
    refs = []
    if kind in ("Task", "Observation", "Communication", "ImagingStudy"):
        refs = [r.get("reference", "") for r in resource.get("basedOn", [])]
        if kind == "Task" and "focus" in resource:
            refs.append(resource["focus"].get("reference", ""))
    elif kind == "DocumentReference":
        refs = [r.get("reference", "") for r in resource.get("context", {}).get("related", [])]
    elif kind == "Condition":
        refs = [e.get("valueReference", {}).get("reference", "") for e in resource.get("extension", [])]
    elif kind == "Composition":
        refs = [d.get("reference", "") for e in resource.get("event", []) for d in e.get("detail", [])]
    elif kind == "Provenance":  # a signature: its consultation named by extension (Provenance has no basedOn)
        refs = [e.get("valueReference", {}).get("reference", "") for e in resource.get("extension", [])
                if e.get("url") == systems.CONSULTATION_EXTENSION]
    for ref in refs:
        if ref.startswith("ServiceRequest/"):
            return ref.split("/", 1)[1]
    return None


def for_expert_abroad(service_request: dict) -> bool:
    """Whether the station marked this request for an expert abroad (who then sees it de-identified)."""
    return any(e.get("url") == systems.EXPERT_ABROAD_EXTENSION and e.get("valueBoolean") is True
               for e in service_request.get("extension", []) if isinstance(e, dict))


def patient_id_of(resource: dict) -> str | None:
    if resource.get("resourceType") == "Patient":
        return resource.get("id")
    for key in ("subject", "for"):
        ref = resource.get(key, {}).get("reference", "")
        if ref.startswith("Patient/"):
            return ref.split("/", 1)[1]
    return None


def routing_of(service_request: dict) -> tuple[str, str]:
    """(central hospital, specialty) a request is asked of."""
    hospital = specialty = ""
    for performer in service_request.get("performer", []):
        ident = performer.get("identifier", {})
        if ident.get("system") == systems.CENTRAL_HOSPITAL:
            hospital = ident.get("value", "")
    for category in service_request.get("category", []):
        for coding in category.get("coding", []):
            if coding.get("system") == systems.SPECIALTY:
                specialty = coding.get("code", "")
    return hospital, specialty


def message_kind(communication: dict) -> str:
    for category in communication.get("category", []):
        for coding in category.get("coding", []):
            if coding.get("system") == systems.MESSAGE_KIND:
                return coding.get("code", "")
    return ""


def message_text(communication: dict) -> str:
    return "\n".join(p.get("contentString", "") for p in communication.get("payload", []) if "contentString" in p)


def sender_name(communication: dict) -> str:
    sender = communication.get("sender", {})
    return sender.get("display") or sender.get("identifier", {}).get("value", "")


# -- helpers -------------------------------------------------------------------------------

def _loinc(code: str, display: str) -> dict:
    return {"coding": [{"system": systems.LOINC, "code": code, "display": display}], "text": display}


def _quantity(value: float, unit: str) -> dict:
    return {"value": value, "unit": unit, "system": systems.UCUM, "code": unit}


def _birth_date(typed: str) -> str | None:
    parts = typed.strip().split("/")
    if len(parts) == 3 and all(x.isdigit() for x in parts):
        return f"{int(parts[2]):04d}-{int(parts[1]):02d}-{int(parts[0]):02d}"
    if len(parts) == 2 and all(x.isdigit() for x in parts):
        return f"{int(parts[1]):04d}-{int(parts[0]):02d}"
    if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 4:
        return parts[0]
    return None


def _address(p) -> dict | None:
    from app.domain import address  # the province table loads on first use

    out: dict = {"country": "VN"}
    if p.address_line.strip():
        out["line"] = [p.address_line.strip()]
    if p.province_code:
        out["state"] = address.province_name(p.province_code) or p.province_code
    if p.commune_code:
        out["city"] = address.commune_name(p.province_code, p.commune_code) or p.commune_code
    return out if len(out) > 1 else None
