"""The de-identified case a foreign expert reads (Luật KBCB Art. 8; QĐ 4054: no name, address, ids abroad).

The hub applies this to every resource it hands a foreign expert, whatever the route: the Patient
keeps its id, gender and an age band; every other resource loses the identifiers that name the
patient, the displays of references to them, and every quote of the patient's name, CCCD, BHYT,
phone or address in its free text (compared without accents or case, as people type them). Imaging
the hub has not checked clean (server/abroad_imaging.py) is named by no UID: its ImagingStudy keeps only
what it is (modality, counts) and is labelled REDACTED, and every quote of its UIDs anywhere is masked.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from app.wire import systems

MASK = "[…]"
PATIENT_KEYS = ("resourceType", "id", "meta", "gender")  # all a de-identified Patient keeps (+ the age band)
PATIENT_ID_SYSTEMS = (systems.CCCD, systems.BHYT)
MIN_NEEDLE = 3  # shorter strings would mask ordinary words
# meta.security of a resource shown with parts withheld (an original study's ImagingStudy, abroad).
REDACTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "REDACTED",
            "display": "redacted"}
_UID = re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+)+")  # a DICOM UID as quoted in text (a sentence's dot is not its)


@dataclass(frozen=True)
class Identity:
    """What names one patient: the strings no foreign expert may read (folded: no accents, lower case)."""
    needles: tuple[str, ...]
    values: frozenset[str]  # identifier values, exactly as stored
    uids: frozenset[str] = field(default_factory=frozenset)  # UIDs of imaging not checked clean (withheld_uids)


def identity_of(patient: dict | None) -> Identity:
    if not patient:
        return Identity((), frozenset())
    raw: list[str] = []
    for name in patient.get("name", []):
        raw.append(name.get("text", ""))
        raw.append(" ".join(name.get("prefix", []) + [name.get("family", "")] + name.get("given", [])))
        raw.append(" ".join(name.get("given", []) + [name.get("family", "")]))
        raw.append(name.get("family", "") if len(name.get("family", "")) > 6 else "")
    values = [i.get("value", "") for i in patient.get("identifier", [])]
    raw += values
    raw += [t.get("value", "") for t in patient.get("telecom", [])]
    for address in patient.get("address", []):
        raw += address.get("line", [])
        raw.append(address.get("text", ""))
    needles = {_fold(" ".join(r.split())) for r in raw if isinstance(r, str)}
    return Identity(tuple(sorted((n for n in needles if len(n) >= MIN_NEEDLE), key=len, reverse=True)),
                    frozenset(v for v in values if v))


def age_band(birth_date: str, today: date | None = None) -> str:
    """'40-49' from a FHIR date (year, year-month or full); '' when there is none."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", birth_date or "")
    if not match:
        return ""
    today = today or date.today()
    year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
    age = today.year - year - ((today.month, today.day) < (month, day))
    if age < 0:
        return ""
    low = age // 10 * 10
    return f"{low}-{low + 9}" if low < 90 else "90+"


def deidentified_patient(patient: dict) -> dict:
    out = {k: v for k, v in patient.items() if k in PATIENT_KEYS}
    band = age_band(patient.get("birthDate", ""))
    if band:
        out["extension"] = [{"url": systems.AGE_BAND_EXTENSION, "valueString": band}]
    return out


def redact(resource: dict, identity: Identity) -> dict:
    """`resource` as a foreign expert may read it."""
    if resource.get("resourceType") == "Patient":
        return deidentified_patient(resource)
    if resource.get("resourceType") == "ImagingStudy":
        uid = study_uid_of(resource)
        if not uid or uid in identity.uids:
            return _clean(withheld_study(resource), identity)
    if resource.get("resourceType") == "DocumentReference":
        resource = _without_file_names(resource)
    return _clean(resource, identity)


def _without_file_names(document: dict) -> dict:
    """A DocumentReference without the DICOM file's name on the station (its UID or the patient's name, often):
    the hub cannot tell a de-identified copy's name from an original's without opening the file."""
    content = document.get("content") if isinstance(document.get("content"), list) else []
    names = set()
    kept = []
    for item in content:
        attachment = item.get("attachment") if isinstance(item, dict) else None
        if isinstance(attachment, dict) and str(attachment.get("contentType", "")).lower().startswith(
                "application/dicom"):
            names.add(attachment.get("title"))
            item = {**item, "attachment": {k: v for k, v in attachment.items() if k != "title"}}
        kept.append(item)
    if not names:
        return document
    out = {**document, "content": kept}
    if out.get("description") in names:
        del out["description"]
    return out


def study_uid_of(study: dict) -> str:
    """An ImagingStudy's StudyInstanceUID ('' when it names none)."""
    identifiers = study.get("identifier") if isinstance(study.get("identifier"), list) else []
    return next((i["value"].removeprefix("urn:oid:") for i in identifiers if isinstance(i, dict)
                 and i.get("system") == systems.DICOM_UID and isinstance(i.get("value"), str)), "")


def withheld_study(study: dict) -> dict:
    """An ImagingStudy of images an expert abroad may not open: that it exists, its modalities and counts, no UID
    nor anything the images' headers said (descriptions, dates, series), labelled REDACTED."""
    series = [s for s in study.get("series") or [] if isinstance(s, dict)]
    modalities = list({(m.get("system"), m.get("code")): {"system": m.get("system"), "code": m.get("code")}
                       for m in (s.get("modality") for s in series) if isinstance(m, dict) and m.get("code")}.values())
    out = {k: study[k] for k in ("resourceType", "id", "status", "subject", "basedOn") if k in study}
    meta = study.get("meta") if isinstance(study.get("meta"), dict) else {}
    out["meta"] = {**meta, "security": [*(meta.get("security") or []), REDACTED]}
    if modalities:
        out["modality"] = modalities
    out.update({k: study[k] for k in ("numberOfSeries", "numberOfInstances") if isinstance(study.get(k), int)})
    return out


def is_withheld(resource: dict) -> bool:
    return any(isinstance(s, dict) and s.get("code") == REDACTED["code"] and s.get("system") == REDACTED["system"]
               for s in (resource.get("meta") or {}).get("security") or [])


def _clean(node, identity: Identity):
    if isinstance(node, dict):
        if node.get("resourceType") == "Patient":  # a contained one
            return deidentified_patient(node)
        out = {}
        for key, value in node.items():
            if key == "identifier":
                value = _kept_identifiers(value, identity)
                if not value:
                    continue
            elif key == "display" and str(node.get("reference", "")).startswith("Patient/"):
                continue
            out[key] = _clean(value, identity)
        return out
    if isinstance(node, list):
        return [_clean(item, identity) for item in node]
    if isinstance(node, str):
        return scrub(node, identity)
    return node


def _kept_identifiers(value, identity: Identity):
    """Identifiers that do not name the patient (a case number stays; a CCCD or BHYT goes)."""
    items = value if isinstance(value, list) else [value]
    kept = [i for i in items if isinstance(i, dict) and i.get("system") not in PATIENT_ID_SYSTEMS
            and i.get("value") not in identity.values]
    kept = [_clean(i, identity) for i in kept]
    if isinstance(value, list):
        return kept
    return kept[0] if kept else None


def scrub(text: str, identity: Identity) -> str:
    """`text` with every quote of the patient's identity masked (accents, case and spacing ignored), and of a
    UID of imaging not checked clean."""
    if identity.uids and text:
        text = _UID.sub(lambda m: MASK if m[0] in identity.uids else m[0], text)
    if not identity.needles or not text:
        return text
    folded, positions = _folded_with_positions(text)
    spans = []
    for needle in identity.needles:
        for match in re.finditer(re.escape(needle).replace(r"\ ", r"\s+"), folded):
            spans.append((positions[match.start()], positions[match.end() - 1] + 1))
    if not spans:
        return text
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:  # overlapping: the longer one masked it already
            start = last
            if start >= end:
                continue
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # a decomposed accent belongs to the masked letter
        out.append(text[last:start] + MASK)
        last = end
    out.append(text[last:])
    return "".join(out)


def _fold(text: str) -> str:
    return "".join(_fold_char(c) for c in text)


def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)
    return "".join(c for c in base if not unicodedata.combining(c)).lower()


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the character it came from."""
    folded, positions = [], []
    for index, char in enumerate(text):
        for c in _fold_char(char):
            folded.append(c)
            positions.append(index)
    return "".join(folded), positions
