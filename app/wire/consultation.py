"""The written consultation on the wire: the thread, the signed conclusion, its minutes, the outcome.

Both the station and the hub build and read these resources here, so the two cannot drift.

- **Thread**: one Communication per message, appended, never edited. `category` (MESSAGE_KIND)
  says what it is: an expert's question or note, the station's reply, a workflow change
  (accepted, reassigned, declined with its reason) or the outcome the station reports.
  A reply may carry attachments: `payload.contentReference` -> DocumentReference/<id>.
- **Conclusion**: a Composition (LOINC 11488-4, consult note) of the consultation, one section
  per issue, then the treatment direction and the follow-up advice. `preliminary` while the
  expert writes it (the hub never lets a station read it), `final` once signed; an amendment is
  a new Composition that `replaces` the earlier one, which stays. Signed: `attester` (legal,
  the signer, the time) and a Provenance whose signature holds a hash of the content.
- **Minutes** (Biên bản hội chẩn): a PDF the hub makes on signing, a DocumentReference with
  category MINUTES whose `context.related` names the consultation and the Composition.
- **Recording** of a live session (only with every present site's consent): a DocumentReference with
  category RECORDING per participant, naming the consultation and (identifier) the live session.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import date

from . import systems

# Message kinds (MESSAGE_KIND codes). "answer" is the earlier free-text answer, still read.
QUESTION, NOTE, REPLY, STATUS, OUTCOME, ANSWER = "question", "note", "reply", "status", "outcome", "answer"
EXPERT_KINDS = (QUESTION, NOTE, STATUS, ANSWER)
STATION_KINDS = (REPLY, OUTCOME)

# Workflow changes shown in the thread (the Task carries the state itself).
ACCEPTED, ASSIGNED, DECLINED = "accepted", "assigned", "declined"
WORKFLOW_CHANGES = (ACCEPTED, ASSIGNED, DECLINED)

# What the requesting side reports back (TT 49/2017: it decides, and informs the consultant).
OUTCOMES = ("improved", "stable", "worse", "referred", "died", "lost")

WORKFLOW_EXTENSION = "urn:diemcau:extension:workflow-change"   # valueCode: accepted | assigned | declined
ASSIGNEE_EXTENSION = "urn:diemcau:extension:assignee"          # valueString: the expert it went to
OUTCOME_EXTENSION = "urn:diemcau:extension:outcome"            # complex: code, date, referred-to
CONSULTATION_EXTENSION = systems.CONSULTATION_EXTENSION
SECTION = "urn:diemcau:conclusion-section"                     # issue | treatment | follow-up
DOCUMENT_CATEGORY = "urn:diemcau:document-category"            # minutes | recording
MINUTES = "minutes"
RECORDING = "recording"  # a live session's recording, one participant's audio and video (server/live/recording.py)
LIVE_SESSION = "urn:diemcau:live-session"                      # identifier system: the live session recorded
CONSULT_NOTE = {"system": systems.LOINC, "code": "11488-4", "display": "Consult note"}
SIGNATURE_TYPE = {"system": "urn:iso-astm:E1762-95:2013", "code": "1.2.840.10065.1.12.1.1",
                  "display": "Author's Signature"}
AUTHOR_REF = "#author"  # the contained PractitionerRole the hub writes from the session or token

_XHTML = "http://www.w3.org/1999/xhtml"


@dataclass(frozen=True)
class Outcome:
    code: str              # one of OUTCOMES
    on: date
    referred_to: str = ""  # where, when referred up


@dataclass(frozen=True)
class ThreadMessage:
    id: str
    case_id: str
    kind: str
    text: str
    sent: str                     # FHIR instant, as sent
    author: str = ""              # the person or the station, as the hub wrote it
    author_detail: str = ""       # title, hospital, specialty of an expert
    attachments: tuple[str, ...] = ()  # DocumentReference ids
    change: str = ""              # a workflow change: accepted | assigned | declined
    assignee: str = ""
    outcome: Outcome | None = None
    corrects: str = ""            # the message this one corrects


@dataclass(frozen=True)
class Issue:
    title: str
    conclusion: str


@dataclass(frozen=True)
class Conclusion:
    id: str
    case_id: str
    status: str                   # preliminary | final
    issues: tuple[Issue, ...]
    treatment: str
    follow_up: str
    signed_by: str = ""
    signer_detail: str = ""       # title, hospital, specialty
    signed_at: str = ""
    replaces: str = ""            # the Composition this one amends
    version: int = 1
    extra: dict = field(default_factory=dict, compare=False)


# -- the thread ----------------------------------------------------------------------------------

def message(message_id: str, case_id: str, patient_id: str, kind: str, text: str, sent: str, *,
            attachments: tuple[str, ...] = (), change: str = "", assignee: str = "",
            outcome: Outcome | None = None) -> dict:
    """A Communication of the thread. `sender` is left out: the hub writes it from the token."""
    if kind not in EXPERT_KINDS + STATION_KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    resource = {
        "resourceType": "Communication", "id": message_id, "status": "completed",
        "basedOn": [{"reference": f"ServiceRequest/{case_id}"}],
        "subject": {"reference": f"Patient/{patient_id}"},
        "category": [{"coding": [{"system": systems.MESSAGE_KIND, "code": kind}]}],
        "sent": sent,
    }
    payload = [{"contentString": text}] if text else []
    payload += [{"contentReference": {"reference": f"DocumentReference/{a}"}} for a in attachments]
    if payload:
        resource["payload"] = payload
    extensions = []
    if change:
        if change not in WORKFLOW_CHANGES:
            raise ValueError(f"unknown workflow change {change!r}")
        extensions.append({"url": WORKFLOW_EXTENSION, "valueCode": change})
    if assignee:
        extensions.append({"url": ASSIGNEE_EXTENSION, "valueString": assignee})
    if outcome is not None:
        if outcome.code not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome.code!r}")
        parts = [{"url": "code", "valueCode": outcome.code}, {"url": "date", "valueDate": outcome.on.isoformat()}]
        if outcome.referred_to:
            parts.append({"url": "referredTo", "valueString": outcome.referred_to})
        extensions.append({"url": OUTCOME_EXTENSION, "extension": parts})
    if extensions:
        resource["extension"] = extensions
    return resource


def read_message(resource: dict) -> ThreadMessage | None:
    """A Communication as the thread shows it; None when it belongs to no consultation."""
    case_id = _request_of(resource.get("basedOn", []))
    if resource.get("resourceType") != "Communication" or not case_id:
        return None
    kind = _code(resource.get("category", []), systems.MESSAGE_KIND) or ANSWER
    text = "\n".join(p["contentString"] for p in resource.get("payload", []) if "contentString" in p)
    attachments = tuple(p["contentReference"]["reference"].split("/", 1)[1] for p in resource.get("payload", [])
                        if p.get("contentReference", {}).get("reference", "").startswith("DocumentReference/"))
    ext = {e.get("url"): e for e in resource.get("extension", [])}
    outcome = None
    if OUTCOME_EXTENSION in ext:
        parts = {p.get("url"): p for p in ext[OUTCOME_EXTENSION].get("extension", [])}
        try:
            outcome = Outcome(parts["code"]["valueCode"], date.fromisoformat(parts["date"]["valueDate"]),
                              parts.get("referredTo", {}).get("valueString", ""))
        except (KeyError, ValueError):
            outcome = None
    author, detail = _party(resource, resource.get("sender", {}))
    corrects = ext.get(systems.CORRECTS_EXTENSION, {}).get("valueReference", {}).get("reference", "")
    return ThreadMessage(
        id=resource["id"], case_id=case_id, kind=kind, text=text, sent=resource.get("sent", ""),
        author=author, author_detail=detail, attachments=attachments,
        change=ext.get(WORKFLOW_EXTENSION, {}).get("valueCode", ""),
        assignee=ext.get(ASSIGNEE_EXTENSION, {}).get("valueString", ""), outcome=outcome,
        corrects=corrects.split("/", 1)[1] if "/" in corrects else "")


# -- the conclusion ------------------------------------------------------------------------------

def conclusion(composition_id: str, case_id: str, patient_id: str, issues: list[Issue], treatment: str,
               follow_up: str, *, status: str = "preliminary", date_: str, replaces: str = "",
               title: str = "Kết luận hội chẩn") -> dict:
    """The expert's conclusion. Author and attester are the hub's to write (from the session)."""
    if status not in ("preliminary", "final"):
        raise ValueError("a conclusion is preliminary (a draft) or final (signed)")
    sections = [_section("issue", issue.title, issue.conclusion) for issue in issues]
    sections.append(_section("treatment", "Hướng điều trị", treatment))
    sections.append(_section("follow-up", "Theo dõi, dặn dò", follow_up))
    resource = {
        "resourceType": "Composition", "id": composition_id, "status": status,
        "type": {"coding": [CONSULT_NOTE]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "date": date_, "title": title,
        "event": [{"detail": [{"reference": f"ServiceRequest/{case_id}"}]}],
        "section": sections,
    }
    if replaces:
        resource["relatesTo"] = [{"code": "replaces", "targetReference": {"reference": f"Composition/{replaces}"}}]
    return resource


def read_conclusion(resource: dict) -> Conclusion | None:
    if resource.get("resourceType") != "Composition":
        return None
    case_id = _request_of(d for e in resource.get("event", []) for d in e.get("detail", []))
    if not case_id:
        return None
    issues, treatment, follow_up = [], "", ""
    for section in resource.get("section", []):
        kind = _code([section.get("code", {})], SECTION)
        text = narrative_text(section.get("text", {}).get("div", ""))
        if kind == "treatment":
            treatment = text
        elif kind == "follow-up":
            follow_up = text
        else:
            issues.append(Issue(section.get("title", ""), text))
    replaces = ""
    for relation in resource.get("relatesTo", []):
        ref = relation.get("targetReference", {}).get("reference", "")
        if relation.get("code") == "replaces" and ref.startswith("Composition/"):
            replaces = ref.split("/", 1)[1]
    signed_by = detail = signed_at = ""
    for attester in resource.get("attester", []):
        if attester.get("mode") == "legal":
            signed_by, detail = _party(resource, attester.get("party", {}))
            signed_at = attester.get("time", "")
    version = resource.get("meta", {}).get("versionId", "1")
    return Conclusion(id=resource["id"], case_id=case_id, status=resource.get("status", ""), issues=tuple(issues),
                      treatment=treatment, follow_up=follow_up, signed_by=signed_by, signer_detail=detail,
                      signed_at=signed_at, replaces=replaces, version=int(version) if str(version).isdigit() else 1)


def current_conclusion(conclusions: list[Conclusion]) -> Conclusion | None:
    """The signed conclusion no other signed one replaces (the latest signed, if several stand)."""
    signed = [c for c in conclusions if c.status == "final"]
    replaced = {c.replaces for c in signed}
    standing = [c for c in signed if c.id not in replaced]
    return max(standing, key=lambda c: c.signed_at, default=None)


def minutes_reference(document_id: str, case_id: str, patient_id: str, composition_id: str, url: str,
                      size: int, sha1_b64: str, sha256: str, created: str, title: str) -> dict:
    return {
        "resourceType": "DocumentReference", "id": document_id, "status": "current",
        "type": {"coding": [CONSULT_NOTE]},
        "category": [{"coding": [{"system": DOCUMENT_CATEGORY, "code": MINUTES}]}],
        "subject": {"reference": f"Patient/{patient_id}"}, "date": created,
        "context": {"related": [{"reference": f"ServiceRequest/{case_id}"},
                                {"reference": f"Composition/{composition_id}"}]},
        "content": [{"attachment": {"contentType": "application/pdf", "url": url, "size": size, "hash": sha1_b64,
                                    "title": title, "creation": created,
                                    "extension": [{"url": systems.SHA256_EXTENSION, "valueString": sha256}]}}],
    }


PSEUDONYMOUS_EXTENSION = "urn:diemcau:extension:pseudonymous"  # valueBoolean: minutes without the patient's identity


def pseudonymous(reference: dict) -> dict:
    """`reference` (minutes_reference) marked as the copy without the patient's identity (for experts abroad)."""
    return {**reference, "extension": [{"url": PSEUDONYMOUS_EXTENSION, "valueBoolean": True}]}


def is_pseudonymous(resource: dict) -> bool:
    return any(e.get("url") == PSEUDONYMOUS_EXTENSION and e.get("valueBoolean") is True
               for e in resource.get("extension", []) if isinstance(e, dict))


def is_minutes(resource: dict) -> bool:
    return resource.get("resourceType") == "DocumentReference" and \
        _code(resource.get("category", []), DOCUMENT_CATEGORY) == MINUTES


def recording_reference(document_id: str, case_id: str, patient_id: str, live_id: str, url: str, content_type: str,
                        size: int, sha1_b64: str, sha256: str, created: str, title: str, start: str, end: str,
                        participant: str) -> dict:
    """One participant's recording of live session `live_id` of consultation `case_id` (made by the hub)."""
    return {
        "resourceType": "DocumentReference", "id": document_id, "status": "current",
        "identifier": [{"system": LIVE_SESSION, "value": live_id}],
        "type": {"text": "Ghi hình hội chẩn trực tuyến"},
        "category": [{"coding": [{"system": DOCUMENT_CATEGORY, "code": RECORDING}]}],
        "subject": {"reference": f"Patient/{patient_id}"}, "date": created, "description": participant,
        "context": {"related": [{"reference": f"ServiceRequest/{case_id}"}], "period": {"start": start, "end": end}},
        "content": [{"attachment": {"contentType": content_type, "url": url, "size": size, "hash": sha1_b64,
                                    "title": title, "creation": created,
                                    "extension": [{"url": systems.SHA256_EXTENSION, "valueString": sha256}]}}],
    }


def is_recording(resource: dict) -> bool:
    return resource.get("resourceType") == "DocumentReference" and \
        _code(resource.get("category", []), DOCUMENT_CATEGORY) == RECORDING


def recording_session(resource: dict) -> str:
    """The live session a recording is of ("" for other documents)."""
    return next((i.get("value", "") for i in resource.get("identifier", []) if i.get("system") == LIVE_SESSION), "")


def minutes_composition(resource: dict) -> str:
    for related in resource.get("context", {}).get("related", []):
        ref = related.get("reference", "")
        if ref.startswith("Composition/"):
            return ref.split("/", 1)[1]
    return ""


# -- narrative -----------------------------------------------------------------------------------

def narrative(text: str) -> str:
    """Plain text as FHIR XHTML narrative: every character escaped, one paragraph per line."""
    lines = text.split("\n") if text else [""]
    return f'<div xmlns="{_XHTML}">' + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</div>"


_TAG = re.compile(r"<[^>]*>")


def narrative_text(div: str) -> str:
    """The plain text `narrative` made (paragraphs back to lines)."""
    body = re.sub(r"^<div[^>]*>|</div>$", "", div.strip())
    lines = re.findall(r"<p>(.*?)</p>", body, flags=re.S) if "<p>" in body else [body]
    return "\n".join(html.unescape(_TAG.sub("", line)) for line in lines)


# -- helpers -------------------------------------------------------------------------------------

def _section(code: str, title: str, text: str) -> dict:
    return {"title": title, "code": {"coding": [{"system": SECTION, "code": code}]},
            "text": {"status": "generated", "div": narrative(text)}}


def _request_of(references) -> str:
    for ref in references:
        value = ref.get("reference", "")
        if value.startswith("ServiceRequest/"):
            return value.split("/", 1)[1]
    return ""


def _code(concepts, system: str) -> str:
    for concept in concepts:
        for coding in concept.get("coding", []):
            if coding.get("system") == system:
                return coding.get("code", "")
    return ""


def _party(resource: dict, reference: dict) -> tuple[str, str]:
    """(name, "title, hospital, specialty") of a sender or attester, contained or by display."""
    ref = reference.get("reference", "")
    if ref.startswith("#"):
        for contained in resource.get("contained", []):
            if contained.get("id") == ref[1:]:
                return _role_name(contained), _role_detail(contained)
    return reference.get("display") or reference.get("identifier", {}).get("value", ""), ""


def _role_name(role: dict) -> str:
    practitioner = role.get("practitioner", {})
    return practitioner.get("display", "")


def _role_detail(role: dict) -> str:
    parts = [c.get("text", "") for c in role.get("code", [])]
    organization = role.get("organization", {})
    parts.append(organization.get("display") or organization.get("identifier", {}).get("value", ""))
    parts += [s.get("text") or next((c.get("display") or c.get("code", "") for c in s.get("coding", [])), "")
              for s in role.get("specialty", [])]
    return ", ".join(p for p in parts if p)
