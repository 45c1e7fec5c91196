"""Checking what a client sends before anything is stored or looked up.

Two layers: `parse_json` reads a body and enforces FHIR JSON's own rules (no nulls, no empty
arrays, objects or strings, no control characters, numbers within range, a bounded depth), and
`validate` checks a resource against its FHIR model (fhir.resources) plus the limits of what the
hub indexes (ids, references, routing codes). Small parsers for ids, versions and header numbers
live here too. Every refusal is a FhirError(4xx) naming the field.

fhir.resources ships R4B, the technical correction of R4; for every resource the hub accepts,
R4B and R4 have the same structure.
"""

import json
import re
from decimal import Decimal
from functools import lru_cache

from app.wire import mapping

from . import fhirjson
from .outcome import FhirError

SUPPORTED_TYPES = ("Patient", "Organization", "Practitioner", "PractitionerRole", "ServiceRequest", "Task",
                   "Communication", "DocumentReference", "ImagingStudy", "Appointment", "Observation", "Condition",
                   "Composition", "Provenance")
ID_PATTERN = r"[A-Za-z0-9\-\.]{1,64}"
MAX_DEPTH = 64          # FHIR resources the hub takes nest about 10 levels; extensions in extensions a few more
MAX_DIGITS = 32         # FHIR integers are 32-bit, decimals carry up to 18 significant digits in practice
MAX_EXPONENT = 300      # decimals between 1e-300 and 1e300 (PostgreSQL's numeric holds them)
ROUTING_CODE_LENGTH = 40  # the hub's routing columns (central hospital, specialty)
INDEXED_REFERENCES = ("Patient", "ServiceRequest")  # the hub files records by these ids

_ID = re.compile(ID_PATTERN)
_VERSION = re.compile(r'\s*(?:W/)?"?([0-9]{1,18})"?\s*')
_WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")
_RELATIVE_REFERENCE = re.compile(r"([A-Z][A-Za-z]{1,63})/(.*)", re.DOTALL)
_VERSIONED_ID = re.compile(rf"({ID_PATTERN})(?:/_history/{ID_PATTERN})?")
# FHIR strings: no characters below U+0020 but tab, CR and LF; and whole characters only (no lone
# surrogates, which cannot be stored as UTF-8).
_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


@lru_cache(maxsize=None)
def _model(kind: str):
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(kind)


def check_type(kind: str) -> None:
    if kind not in SUPPORTED_TYPES:
        raise FhirError(404, "not-supported", f"resource type '{_shown(kind)}' is not supported by this server")


def is_id(value) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def check_id(value: str, field: str, status: int = 400) -> str:
    """`value` when it is a FHIR id (1-64 of A-Z a-z 0-9 - .); FhirError(`status`) naming `field` otherwise."""
    if not is_id(value):
        raise FhirError(status, "invalid" if status == 400 else "not-found",
                        f"{field} '{_shown(value)}' is not a FHIR id (1 to 64 letters, digits, '-' or '.')", [field])
    return value


def parse_version_tag(value: str, field: str) -> int:
    """The version number in an ETag such as W/"3" (If-Match, Bundle.entry.request.ifMatch)."""
    match = _VERSION.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise FhirError(400, "invalid", f"{field} must be a version ETag such as W/\"3\", got '{_shown(value)}'",
                        [field])
    return int(match.group(1))


def parse_whole_number(value: str | None, field: str) -> int:
    """A header holding a byte count or offset: ASCII digits only (str.isdigit() also takes '²')."""
    if value is None or _WHOLE_NUMBER.fullmatch(value) is None:
        raise FhirError(400, "invalid", f"{field} must be a whole number of bytes (0-9, at most 19 digits)",
                        [field])
    return int(value)


# -- JSON bodies -----------------------------------------------------------------------------------

class _OutOfRange:
    """A number read from the body that the hub will not take: named with its field by `check_json`."""

    def __init__(self, text: str, why: str):
        self.text, self.why = text, why


def _integer(text: str):
    if len(text.lstrip("-")) > MAX_DIGITS:
        return _OutOfRange(text, f"has more than {MAX_DIGITS} digits")
    return int(text)


def _decimal(text: str):
    value = Decimal(text)
    if len(value.as_tuple().digits) > MAX_DIGITS:
        return _OutOfRange(text, f"has more than {MAX_DIGITS} significant digits")
    if value and not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT:
        return _OutOfRange(text, f"is out of range (1e-{MAX_EXPONENT} to 1e{MAX_EXPONENT})")
    return value


def _constant(text: str):
    return _OutOfRange(text, "is not a number JSON allows (NaN and Infinity are not)")


def parse_json(body: bytes, what: str):
    """The body as JSON that keeps to FHIR's rules (see `check_json`); decimals as exact Decimals."""
    try:
        value = fhirjson.loads(body, parse_float=_decimal, parse_int=_integer, parse_constant=_constant)
    except RecursionError:
        raise FhirError(400, "structure", f"{what} nests too deeply (at most {MAX_DEPTH} levels)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FhirError(400, "structure", f"{what} is not valid JSON: {error}") from None
    check_json(value)
    return value


def check_json(value) -> None:
    """FHIR JSON's rules for the whole document, walked without recursion (a deep body cannot hurt).

    Refuses, naming the element: null (but where a primitive's extensions need a placeholder in
    an array), empty objects, arrays and strings, characters FHIR strings forbid, numbers out of
    range, and nesting deeper than MAX_DEPTH.
    """
    root = value.get("resourceType") if isinstance(value, dict) else None
    # (value, its path, its depth, whether it may be null / for an array: whether its items may be)
    stack = [(value, root if is_id(root) else "", 0, False)]
    while stack:
        item, path, depth, null_allowed = stack.pop()
        if depth > MAX_DEPTH:
            raise _refused(path, f"nests too deeply (at most {MAX_DEPTH} levels)", "structure")
        if item is None:
            if not null_allowed:
                raise _refused(path, "is null; FHIR JSON leaves an element out instead")
        elif isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, _OutOfRange):
            raise _refused(path, f"{_shown(item.text)} {item.why}")
        elif isinstance(item, dict):
            if not item:
                raise _refused(path, "is an empty object; FHIR JSON leaves an element out instead")
            for key, child in item.items():
                if not key or _FORBIDDEN_CHARACTERS.search(key) or len(key) > 128:
                    raise _refused(path or "(root)", f"has a property name FHIR does not allow: '{_shown(key)}'")
                # ["a", null] beside "_x": [null, {...}]: a primitive array and its extensions line up,
                # so such arrays may hold nulls (and only those).
                paired = key[1:] if key.startswith("_") else "_" + key
                stack.append((child, f"{path}.{key}" if path else key, depth + 1,
                              isinstance(child, list) and paired in item))
        elif isinstance(item, list):
            if not item:
                raise _refused(path, "is an empty array; FHIR JSON leaves an element out instead")
            stack.extend((child, f"{path}[{n}]", depth + 1, null_allowed) for n, child in enumerate(item))


def _check_text(text: str, path: str) -> None:
    if not text:
        raise _refused(path, "is an empty string; FHIR JSON leaves an element out instead")
    bad = _FORBIDDEN_CHARACTERS.search(text)
    if bad:
        raise _refused(path, f"holds the character U+{ord(bad.group()):04X}, which FHIR strings do not allow")


def _refused(path: str, why: str, code: str = "invalid") -> FhirError:
    return FhirError(400, code, f"{path or 'the body'} {why}", [path] if path else None)


# -- resources -------------------------------------------------------------------------------------

def validate(resource, kind: str, resource_id: str | None = None, where: str = "") -> dict:
    """The resource as sent, once it is known to be a valid `kind`; FhirError(400) otherwise."""
    if not isinstance(resource, dict):
        raise FhirError(400, "structure", f"{where}the body must be a JSON object holding one {kind} resource")
    sent_type = resource.get("resourceType")
    if sent_type != kind:
        raise FhirError(400, "invalid", f"{where}expected a {kind} resource, got '{_shown(sent_type)}'",
                        [f"{kind}.resourceType"])
    if resource_id is not None:
        check_id(resource_id, f"{where}{kind}.id")
        if resource.get("id") != resource_id:
            raise FhirError(400, "invalid", f"{where}the resource id '{_shown(resource.get('id'))}' does not match "
                            f"the URL id '{resource_id}'", [f"{kind}.id"])
    check_id(resource.get("id"), f"{where}{kind}.id")
    try:
        _model(kind).model_validate(resource)
    except Exception as error:  # pydantic.ValidationError, or a ValueError from a validator
        raise FhirError(400, "invalid", f"{where}{kind} is not valid FHIR: {_describe(error)}") from None
    _check_references(resource, kind, where)
    if kind == "ServiceRequest":
        _check_routing(resource, where)
    return resource


def _check_references(resource: dict, kind: str, where: str) -> None:
    """Relative references (`Type/id`) hold FHIR ids; those the hub files records by hold nothing else."""
    stack = [(resource, kind)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key == "reference" and isinstance(child, str):
                    _check_reference(child, f"{path}.reference", where)
                elif isinstance(child, (dict, list)):
                    stack.append((child, f"{path}.{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{n}]") for n, child in enumerate(item))


def _check_reference(reference: str, path: str, where: str) -> None:
    match = _RELATIVE_REFERENCE.fullmatch(reference)
    if match is None:
        return  # absolute (http...), urn:uuid:..., or #contained: not the hub's to resolve
    target, rest = match.groups()
    ok = is_id(rest) if target in INDEXED_REFERENCES else _VERSIONED_ID.fullmatch(rest) is not None
    if not ok:
        raise FhirError(400, "invalid", f"{where}{path} '{_shown(reference)}' must be {target}/ and a FHIR id "
                        "(1 to 64 letters, digits, '-' or '.')", [f"{where}{path}"])


def _check_routing(resource: dict, where: str) -> None:
    hospital, specialty = mapping.routing_of(resource)
    for value, field, what in ((hospital, "performer.identifier.value", "central hospital"),
                               (specialty, "category.coding.code", "specialty")):
        if len(value) > ROUTING_CODE_LENGTH:
            raise FhirError(400, "invalid", f"{where}ServiceRequest.{field}: the {what} code is longer than "
                            f"{ROUTING_CODE_LENGTH} characters", [f"ServiceRequest.{field}"])


def _shown(value, limit: int = 80) -> str:
    """A client's value quoted in a message: shortened, control characters escaped."""
    text = value if isinstance(value, str) else repr(value)
    text = _FORBIDDEN_CHARACTERS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= limit else text[:limit] + "…"


def _describe(error) -> str:
    details = getattr(error, "errors", None)
    if not callable(details):
        return str(error)
    parts = []
    for item in details()[:5]:
        where = ".".join(str(x) for x in item.get("loc", ()) if x != "__root__")
        parts.append(f"{where}: {item.get('msg', '')}" if where else item.get("msg", ""))
    return "; ".join(parts)
