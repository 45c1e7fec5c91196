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
as such (`imaging_studies.deidentified` false) and is not served to a foreign expert at all; nor is any
of its UIDs shown to them anywhere else: `withheld_uids` lists them for the de-identification of whatever
they read (server/redaction.py).
"""

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset
from sqlalchemy import select

from app.imaging.deid import Needles, scan
from app.wire import mapping

from .outcome import FhirError
from .redaction import study_uid_of
from .tables import history, imaging_studies, imaging_uids, resources


@dataclass(frozen=True)
class AbroadCheck:
    """What a STOW for one consultation is checked against: nothing unless the case is marked abroad."""

    abroad: bool = False
    needles: Needles = Needles()

    def inspect(self, ds: Dataset, number: int, sop: str) -> None:
        """FhirError(422) when instance `number` of the body may not go to an expert abroad."""
        where = f"part {number} (SOP Instance UID {sop})"
        needles = self.needles
        own = {str(ds.get("StudyInstanceUID", "")), str(ds.get("SeriesInstanceUID", ""))}
        if own & set(needles.uids):  # more of a study not clean: taken as before, never served abroad anyway
            needles = replace(needles, uids=tuple(u for u in needles.uids if u not in own))
        if str(ds.get("PatientIdentityRemoved", "")).strip().upper() != "YES":
            raise refused(f"{where} is not de-identified: (0012,0062) PatientIdentityRemoved is not YES",
                          ["PatientIdentityRemoved"])
        findings = scan(ds, needles)
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
    # A copy quoting an original study or series (a key object selection made over the originals) is refused too.
    return AbroadCheck(True, replace(needles_of(patient), uids=tuple(sorted(withheld_uids(conn, [request_id],
                                                                                          instances=False)))))


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


def uids_in(study: dict, instances: bool = True) -> set[str]:
    """Every UID an ImagingStudy names: the study's, its series' and (`instances`) their instances'."""
    found = {study_uid_of(study)}
    for series in study.get("series") if isinstance(study.get("series"), list) else []:
        if isinstance(series, dict):
            found.add(series.get("uid"))
            if instances:
                found |= {i.get("uid") for i in series.get("instance") or [] if isinstance(i, dict)}
    return {u for u in found if isinstance(u, str) and u}


_DOTTED = re.compile(r"[0-9]+(?:\.[0-9]+){2,}")  # anything that may be a DICOM UID (2.25.… has two dots)


def withheld_in(conn, contents: list[dict]) -> frozenset[str]:
    """`withheld_uids` of the consultations of `contents`, when one of them may name imaging (an ImagingStudy, or
    text holding a dotted number): most answers (an inbox, a thread) name none, and cost no look-up."""
    if not any(c.get("resourceType") == "ImagingStudy" for c in contents) and \
            not _DOTTED.search(json.dumps(contents, ensure_ascii=False, default=str)):
        return frozenset()
    return withheld_uids(conn, {mapping.request_id_of(c) for c in contents})


def withheld_uids(conn, request_ids, instances: bool = True) -> frozenset[str]:
    """The UIDs of the consultations' studies an expert abroad may not learn: every study not checked clean
    (taken before its consultation was marked abroad, or without the check, or that the hub never took), its
    series and instances, as the hub recorded them and as every version of the case's ImagingStudy names them.
    A study is clean, as for DICOMweb, when every consultation the hub took it for had it checked. Without
    `instances`: the studies' and series' UIDs only (what a DICOM file quoting the originals names anyway)."""
    request_ids = sorted({r for r in request_ids if r})
    if not request_ids:
        return frozenset()
    taken = set(conn.execute(select(imaging_studies.c.study_uid).where(
        imaging_studies.c.request_id.in_(request_ids))).scalars())
    rows = conn.execute(select(imaging_studies.c.study_uid, imaging_studies.c.deidentified).where(
        imaging_studies.c.study_uid.in_(sorted(taken)))).all() if taken else []
    clean = {row.study_uid for row in rows} - {row.study_uid for row in rows if not row.deidentified}
    ids = list(conn.execute(select(resources.c.id).where(
        resources.c.type == "ImagingStudy", resources.c.request_id.in_(request_ids))).scalars())
    withheld = set(taken - clean)
    if ids:
        for content in conn.execute(select(history.c.content).where(
                history.c.type == "ImagingStudy", history.c.id.in_(ids))).scalars():
            if isinstance(content, dict) and study_uid_of(content) not in clean:
                withheld |= uids_in(content, instances)
    unclean = sorted(taken - clean)
    if unclean:
        levels = ("series", "instance") if instances else ("series",)
        withheld |= set(conn.execute(select(imaging_uids.c.uid).where(
            imaging_uids.c.study_uid.in_(unclean), imaging_uids.c.level.in_(levels))).scalars())
    return frozenset(withheld)


DICOM_TYPES = ("application/dicom", "application/dicom+zip")


def file_readable_abroad(conn, document_id: str, path: Path) -> bool:
    """Whether an expert abroad may have the file of DocumentReference `document_id` (a hub without a PACS takes
    DICOM as attachments, and took the originals of a case before it was marked abroad): anything but DICOM, as
    the station sent it; DICOM (by its bytes or its type) only if it passes the STOW check (de-identified, naming
    neither the patient nor an original UID of the case's imaging). DICOM that cannot be read is not handed over."""
    row = conn.execute(select(resources.c.request_id, resources.c.content).where(
        resources.c.type == "DocumentReference", resources.c.id == document_id)).first()
    if row is None:
        return False
    attachments = [c.get("attachment") for c in row.content.get("content") or [] if isinstance(c, dict)]
    media = {str(a.get("contentType", "")).split(";")[0].strip().lower() for a in attachments if isinstance(a, dict)}
    with path.open("rb") as f:
        head = f.read(132)
    if head[128:132] != b"DICM" and not media & set(DICOM_TYPES):
        return True
    request_id = row.request_id
    check = replace(check_for(conn, request_id or ""), abroad=True)
    try:
        ds = pydicom.dcmread(path, force=True)
        check.inspect(ds, 1, str(ds.get("SOPInstanceUID", "")))
    except FhirError:
        return False
    except Exception:  # noqa: BLE001  (whatever stops pydicom reading it: not shown to be clean)
        return False
    return True
