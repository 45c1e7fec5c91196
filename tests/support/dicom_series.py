"""DICOM series made by the tests: a CT of any length, a multi-frame ultrasound cine."""

from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, UltrasoundMultiFrameImageStorage, generate_uid


def _base(sop_class, patient_name: str, study_uid: str, series_uid: str) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = patient_name, "BN-0042", "19680312", "M"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.StudyDate, ds.StudyTime, ds.StudyDescription = "20261120", "141500", "CT NGUC"
    ds.StudyID, ds.AccessionNumber, ds.ReferringPhysicianName = "1", "", ""
    ds.SeriesNumber = 2
    return ds


def ct_series(folder: Path, slices: int = 20, size: int = 64, patient_name: str = "NGUYEN^VAN^DUOC") -> list[Path]:
    """A chest-like CT: air outside, soft tissue, a lung-density region, a bone ring (HU via rescale)."""
    folder.mkdir(parents=True, exist_ok=True)
    study, series = generate_uid(), generate_uid()
    yy, xx = np.mgrid[0:size, 0:size]
    paths = []
    for i in range(slices):
        ds = _base(CTImageStorage, patient_name, study, series)
        ds.Modality, ds.SeriesDescription = "CT", "Phoi 5mm"
        ds.InstanceNumber = i + 1
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [0, 0, -5.0 * i]
        ds.Rows = ds.Columns = size
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
        ds.WindowCenter, ds.WindowWidth = 40, 400
        hu = np.full((size, size), -1000, np.int16)
        body = ((xx - size / 2) / (size * 0.46)) ** 2 + ((yy - size / 2) / (size * 0.36)) ** 2 < 1
        hu[body] = 40
        for side in (-1, 1):  # two lungs, with a few vessels
            lung = ((xx - size / 2 - side * size * 0.2) / (size * 0.15)) ** 2 + \
                ((yy - size / 2) / (size * 0.26)) ** 2 < 1
            hu[lung] = -850 + i
            hu[lung & ((xx * 7 + yy * 3 + i) % 23 == 0)] = 30
        hu[np.hypot(yy - size * 0.78, xx - size / 2) < size * 0.06] = 700  # the spine
        ribs = (np.abs(((xx - size / 2) / (size * 0.44)) ** 2 + ((yy - size / 2) / (size * 0.34)) ** 2 - 0.85) < 0.04)
        hu[ribs & ((np.arctan2(yy - size / 2, xx - size / 2) * 6).astype(int) % 2 == 0)] = 900  # ribs
        ds.PixelData = (hu + 1024).astype(np.uint16).tobytes()
        path = folder / f"IM{i + 1:04d}"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def ultrasound_cine(path: Path, frames: int = 12, size: int = 48) -> Path:
    ds = _base(UltrasoundMultiFrameImageStorage, "TRAN^THI^B", generate_uid(), generate_uid())
    ds.Modality, ds.SeriesDescription = "US", "Tim"
    ds.InstanceNumber, ds.NumberOfFrames = 1, frames
    ds.Rows = ds.Columns = size
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    cine = np.stack([np.roll(np.eye(size, dtype=np.uint8) * 255, f, axis=1) for f in range(frames)])
    ds.PixelData = cine.tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def make_cd(source: Path, cd: Path) -> Path:
    """A CD layout with its DICOMDIR, as written by pydicom's FileSet; returns the DICOMDIR."""
    import gc
    import warnings

    from pydicom import dcmread
    from pydicom.fileset import FileSet

    with warnings.catch_warnings():
        # FileSet stages files in a TemporaryDirectory it leaves to the garbage collector.
        warnings.simplefilter("ignore", ResourceWarning)
        fileset = FileSet()
        for path in sorted(source.iterdir()):
            fileset.add(dcmread(path))
        fileset.write(cd)
        del fileset
        gc.collect()
    return cd / "DICOMDIR"


def key_object_selection(path: Path, images: list[Path]) -> Path:
    """A Key Object Selection document (PS3.3 A.35.4) marking `images` (of one study) "Of Interest"."""
    from pydicom import dcmread
    from pydicom.uid import KeyObjectSelectionDocumentStorage

    marked = [dcmread(p, stop_before_pixels=True) for p in images]
    first = marked[0]
    ds = _base(KeyObjectSelectionDocumentStorage, str(first.PatientName), first.StudyInstanceUID, generate_uid())
    ds.Modality, ds.SeriesNumber, ds.InstanceNumber = "KO", 99, 1
    ds.ContentDate, ds.ContentTime, ds.ValueType = "20261120", "142000", "CONTAINER"
    ds.ConceptNameCodeSequence = [_code("113000", "Of Interest")]
    by_series: dict[str, list[Dataset]] = {}
    for image in marked:
        by_series.setdefault(image.SeriesInstanceUID, []).append(image)
    study = Dataset()
    study.StudyInstanceUID = first.StudyInstanceUID
    study.ReferencedSeriesSequence = [_referenced_series(uid, items) for uid, items in by_series.items()]
    ds.CurrentRequestedProcedureEvidenceSequence = [study]
    content = []
    for image in marked:
        item = Dataset()
        item.RelationshipType, item.ValueType = "CONTAINS", "IMAGE"
        item.ReferencedSOPSequence = [_referenced_sop(image)]
        content.append(item)
    ds.ContentSequence = content
    ds.save_as(path, enforce_file_format=True)
    return path


def _code(value: str, meaning: str) -> Dataset:
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, "DCM", meaning
    return code


def _referenced_sop(image: Dataset) -> Dataset:
    ref = Dataset()
    ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID = image.SOPClassUID, image.SOPInstanceUID
    return ref


def _referenced_series(series_uid: str, images: list[Dataset]) -> Dataset:
    series = Dataset()
    series.SeriesInstanceUID = series_uid
    series.ReferencedSOPSequence = [_referenced_sop(image) for image in images]
    return series
