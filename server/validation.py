"""Checking a resource against FHIR before it is stored (fhir.resources models).

fhir.resources ships R4B, the technical correction of R4; for every resource the hub accepts,
R4B and R4 have the same structure.
"""

from functools import lru_cache

from .outcome import FhirError

SUPPORTED_TYPES = ("Patient", "Organization", "Practitioner", "PractitionerRole", "ServiceRequest", "Task",
                   "Communication", "DocumentReference", "ImagingStudy", "Appointment", "Observation", "Condition")
ID_PATTERN = r"[A-Za-z0-9\-\.]{1,64}"


@lru_cache(maxsize=None)
def _model(kind: str):
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(kind)


def check_type(kind: str) -> None:
    if kind not in SUPPORTED_TYPES:
        raise FhirError(404, "not-supported", f"resource type '{kind}' is not supported by this server")


def validate(resource, kind: str, resource_id: str | None = None, where: str = "") -> dict:
    """The resource as sent, once it is known to be a valid `kind`; FhirError(400) otherwise."""
    if not isinstance(resource, dict):
        raise FhirError(400, "structure", f"{where}the body must be a JSON object holding one {kind} resource")
    sent_type = resource.get("resourceType")
    if sent_type != kind:
        raise FhirError(400, "invalid", f"{where}expected a {kind} resource, got '{sent_type}'",
                        [f"{kind}.resourceType"])
    if resource_id is not None and resource.get("id") != resource_id:
        raise FhirError(400, "invalid", f"{where}the resource id '{resource.get('id')}' does not match the URL "
                        f"id '{resource_id}'", [f"{kind}.id"])
    try:
        _model(kind).model_validate(resource)
    except Exception as error:  # pydantic.ValidationError, or a ValueError from a validator
        raise FhirError(400, "invalid", f"{where}{kind} is not valid FHIR: {_describe(error)}") from None
    return resource


def _describe(error) -> str:
    details = getattr(error, "errors", None)
    if not callable(details):
        return str(error)
    parts = []
    for item in details()[:5]:
        where = ".".join(str(x) for x in item.get("loc", ()) if x != "__root__")
        parts.append(f"{where}: {item.get('msg', '')}" if where else item.get("msg", ""))
    return "; ".join(parts)
