"""A DICOM study in the PACS as a FHIR ImagingStudy, built from the PACS's own QIDO-RS answer.

Listing what the PACS confirms (not what the station meant to send) keeps the record honest: an
expert opening the study finds every instance it names.
"""

from app.domain.case import ConsultationCase

from . import systems
from .mapping import derived_id


def dicom_value(item: dict, tag: str):
    """The first value of `tag` in a DICOM JSON object (PS3.18 F.2), or None."""
    values = (item.get(tag) or {}).get("Value") or [None]
    return values[0]


def imaging_study_id(case_id: str, study_uid: str) -> str:
    return derived_id(case_id, f"study:{study_uid}")


def imaging_study(case: ConsultationCase, study_uid: str, instances: list[dict], dicomweb_url: str) -> dict:
    series: dict[str, dict] = {}
    for item in instances:
        series_uid = dicom_value(item, "0020000E")
        entry = series.setdefault(series_uid, {
            "uid": series_uid,
            "modality": {"system": systems.DICOM_MODALITY, "code": dicom_value(item, "00080060") or "OT"},
            "instance": []})
        if (number := dicom_value(item, "00200011")) is not None:
            entry["number"] = int(number)
        if description := dicom_value(item, "0008103E"):
            entry["description"] = description
        instance = {"uid": dicom_value(item, "00080018"),
                    "sopClass": {"system": systems.URI, "code": f"urn:oid:{dicom_value(item, '00080016')}"}}
        if (number := dicom_value(item, "00200013")) is not None:
            instance["number"] = int(number)
        entry["instance"].append(instance)
    for entry in series.values():
        entry["instance"].sort(key=lambda i: (i.get("number", 0), i["uid"]))
        entry["numberOfInstances"] = len(entry["instance"])
    return {
        "resourceType": "ImagingStudy",
        "id": imaging_study_id(case.id, study_uid),
        "status": "available",
        "identifier": [{"system": systems.DICOM_UID, "value": f"urn:oid:{study_uid}"}],
        "subject": {"reference": f"Patient/{case.patient.id}"},
        "basedOn": [{"reference": f"ServiceRequest/{case.id}"}],
        "contained": [{
            "resourceType": "Endpoint", "id": "pacs", "status": "active",
            "connectionType": {"system": systems.ENDPOINT_CONNECTION_TYPE, "code": "dicom-wado-rs"},
            "payloadType": [{"text": "DICOM"}], "address": dicomweb_url}],
        "endpoint": [{"reference": "#pacs"}],
        "numberOfSeries": len(series),
        "numberOfInstances": sum(e["numberOfInstances"] for e in series.values()),
        "series": sorted(series.values(), key=lambda e: (e.get("number", 0), e["uid"])),
    }
