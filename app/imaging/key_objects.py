"""The doctor's key images as a DICOM Key Object Selection document (PS3.3 A.35.4, template TID 2010).

One KO per study: a new series of modality KO in the same study, under the same patient module,
listing the key instances "Of Interest" (113000, DCM). It travels to the PACS with the images, and
a viewer that reads it (the experts' console) opens the study on its key images.

Its UIDs are derived from the case and the study, never random: built again (a resend, a rebuilt
file) it is the same object, and the hub, which refuses a UID reused under another study, and the
PACS, which keys an instance by its SOP Instance UID, take it as the one they already hold.

For an expert abroad the KO is built from the de-identified copies (their UIDs, their patient
module) and scanned for the patient like the copies themselves: one that still identifies the
patient is refused (IdentityLeft), never written.
"""

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from .deid import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, Deidentifier, Needles, scan

KEY_OBJECT_SELECTION = "1.2.840.10008.5.1.4.1.1.88.59"  # Key Object Selection Document Storage
OF_INTEREST = ("113000", "DCM", "Of Interest")
TEMPLATE = ("DCMR", "2010")  # TID 2010 Key Object Selection
FILE_PREFIX = "key-object-"  # how a KO's file (and its outbox row's ref) is named
SERIES_NUMBER = 9901  # after a modality's own series numbers
MANUFACTURER = "Diem Cau"
_NAMESPACE = uuid.UUID("6d1f7c1e-4b0a-5a52-9a55-8f0d3c2b1e70")  # this product's KOs; fixed forever

# Copied from the key image as they are (the de-identified copy's values for an expert abroad).
_PATIENT = ("PatientName", "PatientID", "IssuerOfPatientID", "PatientBirthDate", "PatientSex",
            "PatientIdentityRemoved", "DeidentificationMethod", "DeidentificationMethodCodeSequence")
_STUDY = ("StudyInstanceUID", "StudyDate", "StudyTime", "ReferringPhysicianName", "StudyID", "AccessionNumber",
          "StudyDescription")
_TYPE_2 = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime",
           "ReferringPhysicianName", "StudyID", "AccessionNumber")


class IdentityLeft(ValueError):
    """The KO of a de-identified study would still identify the patient; `findings` say where."""

    def __init__(self, findings):
        super().__init__("the key object still identifies the patient: " + "; ".join(map(str, findings[:5])))
        self.findings = findings


def _uid(*parts: str) -> str:
    return f"2.25.{uuid.uuid5(_NAMESPACE, chr(0).join(parts)).int}"


def key_object_uids(case_id: str, study_uid: str) -> tuple[str, str]:
    """(Series Instance UID, SOP Instance UID) of the case's KO for the study `study_uid`."""
    return _uid(case_id, study_uid, "series"), _uid(case_id, study_uid, "instance")


def file_name(ds: Dataset) -> str:
    return f"{FILE_PREFIX}{ds.SOPInstanceUID}.dcm"


def is_key_object_file(name: str) -> bool:
    return name.startswith(FILE_PREFIX)


def _read(path: Path) -> Dataset:
    import pydicom

    return pydicom.dcmread(path, stop_before_pixels=True)


def key_objects(case_id: str, images: Mapping[Path, Iterable[int]]) -> list[Dataset]:
    """One KO per study of `images` (each key image's file -> its key frames, 0-based), in study order."""
    return build(case_id, [(_read(path), frames) for path, frames in images.items()])


def build(case_id: str, images: list[tuple[Dataset, Iterable[int]]]) -> list[Dataset]:
    """The KOs of key images given as their headers (with their key frames, 0-based)."""
    studies: dict[str, list[tuple[Dataset, list[int]]]] = {}
    for header, frames in images:
        if not header.get("SOPInstanceUID") or not header.get("StudyInstanceUID"):
            continue  # not an instance a document can name
        studies.setdefault(str(header.StudyInstanceUID), []).append((header, sorted(set(frames))))
    return [_key_object(case_id, study, marked) for study, marked in sorted(studies.items())]


def _key_object(case_id: str, study_uid: str, marked: list[tuple[Dataset, list[int]]]) -> Dataset:
    marked = sorted(marked, key=lambda m: (str(m[0].SeriesInstanceUID), _number(m[0]), str(m[0].SOPInstanceUID)))
    first = marked[0][0]
    series_uid, sop_uid = key_object_uids(case_id, study_uid)
    ds = Dataset()
    if first.get("SpecificCharacterSet"):
        ds.SpecificCharacterSet = first.SpecificCharacterSet
    # SOP Common
    ds.SOPClassUID, ds.SOPInstanceUID = KEY_OBJECT_SELECTION, sop_uid
    # Patient, General Study: the study's own
    for keyword in _PATIENT + _STUDY:
        if keyword in first:
            ds[keyword] = first[keyword]
    for keyword in _TYPE_2:
        if keyword not in ds:
            setattr(ds, keyword, "")
    # Key Object Document Series
    ds.Modality, ds.SeriesInstanceUID, ds.SeriesNumber = "KO", series_uid, SERIES_NUMBER
    ds.SeriesDescription = "Key images"
    ds.ReferencedPerformedProcedureStepSequence = []
    # General Equipment
    ds.Manufacturer = MANUFACTURER
    # Key Object Document: dated like the study, so building it again gives the same bytes
    ds.InstanceNumber = 1
    ds.ContentDate = str(first.get("StudyDate") or first.get("SeriesDate") or "19000101")
    ds.ContentTime = str(first.get("StudyTime") or first.get("SeriesTime") or "000000")
    evidence = Dataset()
    evidence.StudyInstanceUID = study_uid
    by_series: dict[str, list[Dataset]] = {}
    for header, frames in marked:
        by_series.setdefault(str(header.SeriesInstanceUID), []).append(_referenced(header, []))  # no frames here
    evidence.ReferencedSeriesSequence = [_series(uid, refs) for uid, refs in by_series.items()]
    ds.CurrentRequestedProcedureEvidenceSequence = [evidence]
    # SR Document Content: the root CONTAINER of TID 2010 and an IMAGE item per key instance
    ds.ValueType = "CONTAINER"
    ds.ConceptNameCodeSequence = [_code(*OF_INTEREST)]
    ds.ContinuityOfContent = "SEPARATE"
    template = Dataset()
    template.MappingResource, template.TemplateIdentifier = TEMPLATE
    ds.ContentTemplateSequence = [template]
    items = []
    for header, frames in marked:
        item = Dataset()
        item.RelationshipType, item.ValueType = "CONTAINS", "IMAGE"
        item.ReferencedSOPSequence = [_referenced(header, frames)]
        items.append(item)
    ds.ContentSequence = items
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = KEY_OBJECT_SELECTION, sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID, meta.ImplementationVersionName = IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME
    ds.file_meta = meta
    ds.preamble = b"\0" * 128
    return ds


def _number(header: Dataset) -> int:
    try:
        return int(header.get("InstanceNumber") or 0)
    except (TypeError, ValueError):
        return 0


def _referenced(header: Dataset, frames: list[int]) -> Dataset:
    ref = Dataset()
    ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID = header.SOPClassUID, header.SOPInstanceUID
    if int(header.get("NumberOfFrames") or 1) > 1 and frames:
        ref.ReferencedFrameNumber = [f + 1 for f in frames]  # a frame of a cine, not the whole of it
    return ref


def _series(uid: str, refs: list[Dataset]) -> Dataset:
    series = Dataset()
    series.SeriesInstanceUID, series.ReferencedSOPSequence = uid, refs
    return series


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, scheme, meaning
    return code


# An expert abroad: the de-identified copies.

def deidentified_uids(case_id: str, paths: Iterable[Path]) -> dict[Path, str]:
    """Each original file -> the SOP Instance UID of its de-identified copy (app.imaging.deid: the
    same case gives the same new UID), so the copy can be found among the exported files."""
    deidentifier = Deidentifier(case_id)
    out = {}
    for path in paths:
        original = _read(path)
        bare = Dataset()  # the UIDs alone: nothing else of the file is needed for the mapping
        bare.SOPInstanceUID = original.SOPInstanceUID
        out[path] = str(deidentifier.deidentify(bare).dataset.SOPInstanceUID)
    return out


def foreign_key_objects(case_id: str, originals: Mapping[Path, Iterable[int]], copies: Path,
                        patient: Needles = Needles()) -> tuple[list[Dataset], Needles]:
    """The KOs of a case sent abroad: built from the de-identified copies in `copies` (named by their
    new SOP Instance UID, as app.imaging.deid.export_file writes them) of the key images `originals`,
    then scanned for the patient (the originals' name, ids, birth date and UIDs, and `patient`: the
    case's record). A key image without a copy is left out; IdentityLeft when the scan finds anything.
    Returns the KOs and what was looked for (for `write` to scan the files as written too)."""
    images, needles = [], patient
    for path, uid in deidentified_uids(case_id, originals).items():
        copy = Path(copies) / f"{uid}.dcm"
        if not copy.is_file():
            continue
        needles = needles | Needles.from_dataset(_read(path))
        images.append((_read(copy), originals[path]))
    built = build(case_id, images)
    for ds in built:
        findings = scan(ds, needles)
        if findings:
            raise IdentityLeft(findings)
    return built, needles


def write(ds: Dataset, folder: Path, needles: Needles | None = None) -> Path:
    """`ds` in `folder` as a Part 10 file (its FILE_PREFIX name); with `needles`, the file as written
    is read back and scanned first, and refused (IdentityLeft) when it holds any of them."""
    import pydicom

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file_name(ds)
    partial = target.with_name(target.name + ".part")
    try:
        ds.save_as(partial, enforce_file_format=True)
        findings = scan(pydicom.dcmread(partial), needles) if needles is not None else []
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if findings:
        partial.unlink()
        raise IdentityLeft(findings)
    partial.replace(target)
    return target


def referenced_sop_uids(ds: Dataset) -> set[str]:
    """The instances a KO names (its evidence sequence)."""
    return {str(ref.ReferencedSOPInstanceUID) for study in ds.get("CurrentRequestedProcedureEvidenceSequence", [])
            for series in study.get("ReferencedSeriesSequence", []) for ref in series.get("ReferencedSOPSequence", [])}
