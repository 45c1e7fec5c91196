"""Reading one DICOM file: is it DICOM, can its pixels be shown, what does it say."""

import warnings
from collections.abc import Sequence
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
        with warnings.catch_warnings():
            # pydicom warns about files it reads anyway (a VR other than announced, say); the
            # checks below decide what the station takes.
            warnings.simplefilter("ignore", UserWarning)
            ds = pydicom.dcmread(path)
    except InvalidDicomError as error:
        raise RefusedFile("dicom.not_dicom", str(error)) from error
    except (EOFError, OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise RefusedFile("dicom.unreadable", f"{type(error).__name__}: {error}") from error
    if 0x00080018 not in ds or 0x0020000D not in ds or 0x0020000E not in ds:
        raise RefusedFile("dicom.no_uids")
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        raise RefusedFile("dicom.no_pixels", str(ds.get("Modality", "")))
    meta = getattr(ds, "file_meta", None)
    syntax = str(meta.TransferSyntaxUID) if meta is not None and "TransferSyntaxUID" in meta else "1.2.840.10008.1.2"
    available, encapsulated = _decoder_ready(syntax)
    if not available:
        raise RefusedFile("dicom.unsupported_syntax", syntax)
    fields = _Fields(ds)
    rows, columns = fields.uint(0x00280010) or 0, fields.uint(0x00280011) or 0
    frames = _int(fields.text(0x00280008)) or 1
    if not rows or not columns:
        raise RefusedFile("dicom.no_pixels", "no image size")
    if not encapsulated and "PixelData" in ds:
        expected = rows * columns * frames * (fields.uint(0x00280002) or 1) * ((fields.uint(0x00280100) or 8) // 8 or 1)
        if len(ds.PixelData) < expected:
            raise RefusedFile("dicom.truncated", f"{len(ds.PixelData)} of {expected} bytes")
    position = None
    orientation, origin = fields.numbers(0x00200037), fields.numbers(0x00200032)
    if len(orientation) == 6 and len(origin) == 3:
        import numpy as np

        normal = np.cross(orientation[:3], orientation[3:])
        position = float(np.dot(normal, origin))
    window_center, window_width = fields.numbers(0x00281050), fields.numbers(0x00281051)
    return DicomInfo(
        sop_instance_uid=fields.text(0x00080018), sop_class_uid=fields.text(0x00080016),
        study_uid=fields.text(0x0020000D), series_uid=fields.text(0x0020000E),
        modality=fields.text(0x00080060), study_date=fields.text(0x00080020),
        study_description=fields.text(0x00081030), series_description=fields.text(0x0008103E),
        series_number=_int(fields.text(0x00200011)), instance_number=_int(fields.text(0x00200013)),
        slice_position=position, rows=rows, columns=columns, frames=frames, transfer_syntax=syntax,
        patient_name=fields.text(0x00100010), patient_id=fields.text(0x00100020),
        patient_birth_date=fields.text(0x00100030), patient_sex=fields.text(0x00100040),
        window_center=window_center[0] if window_center else None,
        window_width=window_width[0] if window_width else None,
        burned_in_annotation=fields.text(0x00280301).upper() == "YES",
    ), ds


# Value representations whose bytes are plain ASCII whatever the character set: read straight
# from the file instead of through pydicom's conversion (about 25 µs an element, most of an import).
_ASCII_VRS = frozenset({"AE", "AS", "CS", "DA", "DS", "DT", "IS", "TM", "UI"})
_US = frozenset({"US"})


class _Fields:
    """The few values an import needs, by tag, as text or numbers."""

    def __init__(self, ds):
        self._ds = ds
        self._elements = ds._dict  # tag -> RawDataElement until something converts it

    def _raw(self, tag: int, vrs: frozenset):
        element = self._elements.get(tag)
        if element is not None and getattr(element, "is_raw", False) and element.VR in vrs \
                and element.value is not None:
            return element
        return None

    def text(self, tag: int) -> str:
        raw = self._raw(tag, _ASCII_VRS)
        if raw is not None:
            return raw.value.decode("ascii", "replace").strip(" \x00")
        if tag not in self._ds:
            return ""
        value = self._ds[tag].value  # names and descriptions: decoded in the file's character set
        return "" if value is None else str(value)

    def numbers(self, tag: int) -> list[float]:
        raw = self._raw(tag, _ASCII_VRS)
        if raw is not None:
            values = raw.value.decode("ascii", "replace").split("\\")
        elif tag in self._ds:
            value = self._ds[tag].value
            values = list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]
        else:
            return []
        try:
            return [float(v) for v in values if str(v).strip()]
        except (TypeError, ValueError):
            return []

    def uint(self, tag: int) -> int | None:
        raw = self._raw(tag, _US)
        if raw is not None and len(raw.value) >= 2:
            return int.from_bytes(raw.value[:2], "little" if raw.is_little_endian else "big")
        return _int(self._ds[tag].value) if tag in self._ds else None
