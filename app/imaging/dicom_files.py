"""Reading one DICOM file: is it DICOM, can its pixels be shown, what does it say."""

from dataclasses import asdict, dataclass
from functools import lru_cache

DICM_OFFSET = 128


class RefusedFile(Exception):
    """A file the station will not take, with a code the interface words (see ImportResult)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class DicomInfo:
    sop_instance_uid: str
    sop_class_uid: str
    study_uid: str
    series_uid: str
    modality: str
    study_date: str
    study_description: str
    series_description: str
    series_number: int | None
    instance_number: int | None
    slice_position: float | None  # along the slice normal, for ordering
    rows: int
    columns: int
    frames: int
    transfer_syntax: str
    patient_name: str
    patient_id: str
    patient_birth_date: str
    patient_sex: str
    window_center: float | None
    window_width: float | None
    burned_in_annotation: bool

    def as_dict(self) -> dict:
        return asdict(self)


def looks_like_dicom(head: bytes) -> bool:
    return len(head) >= DICM_OFFSET + 4 and head[DICM_OFFSET:DICM_OFFSET + 4] == b"DICM"


def _first(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value[0] if hasattr(value, "__len__") and not isinstance(value, str) else value)
    except (TypeError, ValueError, IndexError):
        return None


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=64)
def _decoder_ready(syntax: str) -> tuple[bool, bool]:
    """(a decoder is installed, the syntax is encapsulated i.e. compressed); asked once per syntax."""
    from pydicom.pixels import get_decoder

    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        return False, False
    return decoder.is_available, decoder.is_encapsulated


def read_info(path):
    """Parse a file the way the station will use it; raises RefusedFile with the reason.

    `path` may be a file-like object. Returns (DicomInfo, dataset). Pixels are checked for presence, a decoder for their
    transfer syntax, and (when uncompressed) their full length; decoding waits for viewing.
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        ds = pydicom.dcmread(path)
    except InvalidDicomError as error:
        raise RefusedFile("dicom.not_dicom", str(error)) from error
    except (EOFError, OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise RefusedFile("dicom.unreadable", f"{type(error).__name__}: {error}") from error
    if "SOPInstanceUID" not in ds or "StudyInstanceUID" not in ds or "SeriesInstanceUID" not in ds:
        raise RefusedFile("dicom.no_uids")
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        raise RefusedFile("dicom.no_pixels", str(ds.get("Modality", "")))
    meta = getattr(ds, "file_meta", None)
    syntax = str(meta.TransferSyntaxUID) if meta is not None and "TransferSyntaxUID" in meta else "1.2.840.10008.1.2"
    available, encapsulated = _decoder_ready(syntax)
    if not available:
        raise RefusedFile("dicom.unsupported_syntax", syntax)
    rows, columns = _int(ds.get("Rows")) or 0, _int(ds.get("Columns")) or 0
    frames = _int(ds.get("NumberOfFrames")) or 1
    if not rows or not columns:
        raise RefusedFile("dicom.no_pixels", "no image size")
    if not encapsulated and "PixelData" in ds:
        expected = rows * columns * frames * (_int(ds.get("SamplesPerPixel")) or 1) * \
            ((_int(ds.get("BitsAllocated")) or 8) // 8 or 1)
        if len(ds.PixelData) < expected:
            raise RefusedFile("dicom.truncated", f"{len(ds.PixelData)} of {expected} bytes")
    position = None
    if "ImagePositionPatient" in ds and "ImageOrientationPatient" in ds:
        try:
            import numpy as np

            orientation = [float(v) for v in ds.ImageOrientationPatient]
            normal = np.cross(orientation[:3], orientation[3:])
            position = float(np.dot(normal, [float(v) for v in ds.ImagePositionPatient]))
        except (TypeError, ValueError):
            position = None
    return DicomInfo(
        sop_instance_uid=str(ds.SOPInstanceUID), sop_class_uid=str(ds.get("SOPClassUID", "")),
        study_uid=str(ds.StudyInstanceUID), series_uid=str(ds.SeriesInstanceUID),
        modality=str(ds.get("Modality", "")), study_date=str(ds.get("StudyDate", "")),
        study_description=str(ds.get("StudyDescription", "")), series_description=str(ds.get("SeriesDescription", "")),
        series_number=_int(ds.get("SeriesNumber")), instance_number=_int(ds.get("InstanceNumber")),
        slice_position=position, rows=rows, columns=columns, frames=frames, transfer_syntax=syntax,
        patient_name=str(ds.get("PatientName", "")), patient_id=str(ds.get("PatientID", "")),
        patient_birth_date=str(ds.get("PatientBirthDate", "")), patient_sex=str(ds.get("PatientSex", "")),
        window_center=_first(ds.get("WindowCenter")), window_width=_first(ds.get("WindowWidth")),
        burned_in_annotation=str(ds.get("BurnedInAnnotation", "")).upper() == "YES",
    ), ds
