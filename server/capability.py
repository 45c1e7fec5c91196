"""The CapabilityStatement: what this hub really does, no more."""

from .validation import SUPPORTED_TYPES

_SEARCH = {
    "_lastUpdated": ("date", "When the resource last changed; prefixes gt, ge, lt, le, eq"),
    "_id": ("token", "Logical id(s), comma-separated"),
}
_BY_TYPE = {
    "patient": ("reference", "The patient the resource is about", ("Task", "Communication", "DocumentReference",
                "ImagingStudy", "Observation", "Condition", "ServiceRequest", "Appointment")),
    "based-on": ("reference", "The consultation request (ServiceRequest)", ("Task", "Communication",
                 "Observation", "ImagingStudy", "DocumentReference", "Condition")),
}


def capability_statement(base: str) -> dict:
    rest_resources = []
    for kind in SUPPORTED_TYPES:
        params = [{"name": n, "type": t, "documentation": d} for n, (t, d) in _SEARCH.items()]
        params += [{"name": n, "type": t, "documentation": d} for n, (t, d, kinds) in _BY_TYPE.items()
                   if kind in kinds]
        interactions = ["read", "vread", "history-instance", "search-type"]
        if kind not in ("Organization", "Practitioner", "PractitionerRole"):
            interactions += ["update", "create"]
        rest_resources.append({
            "type": kind,
            "interaction": [{"code": c} for c in interactions],
            "versioning": "versioned-update",
            "readHistory": True,
            "updateCreate": True,
            "conditionalCreate": False,
            "conditionalUpdate": False,
            "conditionalDelete": "not-supported",
            "searchParam": params,
        })
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-24",
        "kind": "instance",
        "software": {"name": "Điểm Cầu hub", "version": "0.1.0"},
        "implementation": {"description": "Điểm Cầu central hub", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [{
            "mode": "server",
            "documentation": "Search results are paged with Bundle.link 'next' (_count up to 500, _sort by "
                             "_lastUpdated). Unknown search parameters are refused with 400. DELETE is not "
                             "supported: clinical records are never deleted through the API. Files go through "
                             f"the tus 1.0 endpoint {base}/files (creation, checksum: sha1, sha256).",
            "security": {
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                         "code": "SMART-on-FHIR"}]}],
                "description": "SMART Backend Services: private_key_jwt client assertions (ES384 or RS384) "
                               f"exchanged at {base}/auth/token for short-lived bearer tokens. A station sees "
                               "only its own facility's records; an expert only the consultations routed to "
                               "their hospital and specialty.",
                "extension": [{"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                               "extension": [{"url": "token", "valueUri": f"{base}/auth/token"}]}],
            },
            "resource": rest_resources,
            "interaction": [{"code": "transaction"}],
        }],
    }
