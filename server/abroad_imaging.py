"""Imaging of a case marked for an expert abroad: the hub, not the station, makes sure it names no one.

The station sends only de-identified copies for such a case (app/imaging/deid.py), but the hub does
not take its word for it. On STOW-RS for a consultation marked abroad, every instance is read once
from the spooled body and refused, with the whole request, when

* it does not say it was de-identified ((0012,0062) Patient Identity Removed is not YES), or
* `deid.scan` finds the case's patient in it: the name (accents or none, parts in any rotation), CCCD,
  BHYT, other identifiers, phone, or birth date, as the hub holds them on the case's Patient resource,
  anywhere in the instance (preamble, file meta, sequences, private elements, bytes).

The refusal names the part, its SOP Instance UID and the tag where the patient was found, never the
value found. A study the hub took without that scan (the case was marked abroad later) is recorded
as such (`imaging_studies.deidentified` false) and is not served to a foreign expert at all.
"""

from dataclasses import dataclass

from pydicom.dataset import Dataset
from sqlalchemy import select

from app.imaging.deid import Needles, scan
from app.wire import mapping

from .outcome import FhirError
from .tables import resources


@dataclass(frozen=True)
class AbroadCheck:
    """What a STOW for one consultation is checked against: nothing unless the case is marked abroad."""

    abroad: bool = False
    needles: Needles = Needles()

    def inspect(self, ds: Dataset, number: int, sop: str) -> None:
        """FhirError(422) when instance `number` of the body may not go to an expert abroad."""
        where = f"part {number} (SOP Instance UID {sop})"
        if str(ds.get("PatientIdentityRemoved", "")).strip().upper() != "YES":
            raise refused(f"{where} is not de-identified: (0012,0062) PatientIdentityRemoved is not YES",
                          ["PatientIdentityRemoved"])
        findings = scan(ds, self.needles)
        if findings:
            raise refused(f"{where} identifies the patient: " + "; ".join(map(str, findings[:5])) +
                          (f" (and {len(findings) - 5} more)" if len(findings) > 5 else ""),
                          sorted({f.where.split(" > ")[-1].split(" ", 1)[-1] for f in findings})[:10])


def refused(diagnostics: str, expression: list[str]) -> FhirError:
    return FhirError(422, "security", diagnostics + ". The consultation is marked for an expert abroad: send "
                     "only de-identified images; nothing of this request was stored", expression)


def check_for(conn, request_id: str) -> AbroadCheck:
    """The consultation's check, from the request and its Patient as the hub keeps them (unredacted)."""
    row = conn.execute(select(resources.c.abroad, resources.c.content).where(
        resources.c.type == "ServiceRequest", resources.c.id == request_id)).first()
    if row is None or not row.abroad:
        return AbroadCheck()
    patient_id = mapping.patient_id_of(row.content)
    patient = conn.execute(select(resources.c.content).where(
        resources.c.type == "Patient", resources.c.id == patient_id)).scalar_one_or_none() if patient_id else None
    return AbroadCheck(True, needles_of(patient))


def needles_of(patient: dict | None) -> Needles:
    """The patient's name(s), identifiers, phone numbers and full birth date."""
    if not isinstance(patient, dict):
        return Needles()
    names = []
    for name in _dicts(patient.get("name")):
        given = [g for g in name.get("given", []) if isinstance(g, str)] if isinstance(name.get("given"), list) else []
        family = name.get("family") if isinstance(name.get("family"), str) else ""
        names += [name.get("text") if isinstance(name.get("text"), str) else "", " ".join([family, *given])]
    ids = [i.get("value") for i in _dicts(patient.get("identifier"))]
    ids += [t.get("value") for t in _dicts(patient.get("telecom"))]
    birth = patient.get("birthDate") if isinstance(patient.get("birthDate"), str) else ""
    return Needles(names=tuple(dict.fromkeys(n for n in names if n.strip())),
                   ids=tuple(dict.fromkeys(i for i in ids if isinstance(i, str) and i.strip())),
                   birth_dates=(birth,) if len(birth) == 10 else ())


def _dicts(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
