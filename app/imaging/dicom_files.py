"""Reading one DICOM file: is it DICOM, can its pixels be shown, what does it say."""

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache

DICM_OFFSET = 128
MAX_FRAME_PIXELS = 8192 * 8192   # one frame larger than this (16384² declared by a damaged file) is refused
MAX_IMAGE_BYTES = 4 << 30        # all frames, once decoded


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


_VRS = frozenset(b"AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR "
                 b"US UT UV".split())


def looks_like_dataset(head: bytes) -> bool:
    """A DICOM dataset written without its Part-10 header (no preamble, no DICM): what some modalities and
    old PACS export, and what common tools read. It starts with an element of group 0008 (or 0002), in
    little-endian explicit VR (a VR's two letters after the tag) or implicit VR (a sane 4-byte length)."""
    if len(head) < 12:
        return False
    group, element = int.from_bytes(head[0:2], "little"), int.from_bytes(head[2:4], "little")
    if group not in (0x0002, 0x0008) or element > 0x1000:
        big_group = int.from_bytes(head[0:2], "big")
        return big_group == 0x0008 and head[4:6] in _VRS
    if head[4:6] in _VRS:
        return True
    return int.from_bytes(head[4:8], "little") < 1 << 16


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


def read_info(path, decode: bool = False):
    """Parse a file the way the station will use it; raises RefusedFile with the reason.

    `path` may be a file-like object. Returns (DicomInfo, dataset). Pixels are checked for presence, a decoder for their
    transfer syntax, a sane size, and (when uncompressed) their full length; with `decode`, compressed pixels are
    decoded (the first frame) so that an image no reader can show is refused at the door.
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    size = _size_of(path)
    try:
        with warnings.catch_warnings():
            # pydicom warns about files it reads anyway (a VR other than announced, say); the
            # checks below decide what the station takes.
            warnings.simplefilter("ignore", UserWarning)
            try:
                ds = pydicom.dcmread(path)
            except InvalidDicomError:
                if not looks_like_dataset(_head(path)):
                    raise
                ds = pydicom.dcmread(path, force=True)  # no Part-10 header: the dataset alone
    except InvalidDicomError as error:
        raise RefusedFile("dicom.not_dicom", str(error)) from error
    except Exception as error:  # noqa: BLE001 - a damaged file raises anything (zlib, struct, recursion...)
        raise RefusedFile("dicom.unreadable", f"{type(error).__name__}: {error}") from error
    try:
        return _checked(ds, size, decode)
    except RefusedFile:
        raise
    except Exception as error:  # noqa: BLE001 - a value that converts badly deep inside
        raise RefusedFile("dicom.unreadable", f"{type(error).__name__}: {error}") from error


def _size_of(path) -> int | None:
    import os

    try:
        if hasattr(path, "seek"):
            here = path.tell()
            end = path.seek(0, 2)
            path.seek(here)
            return end
        return os.path.getsize(path)
    except (OSError, ValueError):
        return None


def _head(path) -> bytes:
    if hasattr(path, "seek"):
        path.seek(0)
        head = path.read(16)
        path.seek(0)
        return head
    with open(path, "rb") as f:
        return f.read(16)


def _cut_short(ds, size: int | None) -> bool:
    """The file ends inside an element: pydicom stops there without a word, keeping what came before."""
    if size is None:
        return False
    end = 0
    for element in ds._dict.values():
        tell, length = getattr(element, "value_tell", None), getattr(element, "length", None)
        if tell is not None and length is not None and length != 0xFFFFFFFF:
            end = max(end, tell + length)
    return end == 0 or end != size


def _expected_length(fields: "_Fields", rows: int, columns: int, frames: int) -> int:
    """The bytes of uncompressed pixel data, as PS3.5 8.1.1 counts them: 1-bit data packed without padding
    between frames, YBR_FULL_422 two values per pixel."""
    samples = fields.uint(0x00280002) or 1
    bits = fields.uint(0x00280100) or 8
    pixels = rows * columns * frames
    if bits == 1:
        return (pixels * samples + 7) // 8
    length = pixels * samples * (bits // 8 or 1)
    if fields.text(0x00280004).upper() == "YBR_FULL_422":
        length = length // 3 * 2
    return length


def _checked(ds, size: int | None, decode: bool):
    if 0x00080018 not in ds or 0x0020000D not in ds or 0x0020000E not in ds:
        raise RefusedFile("dicom.truncated" if _cut_short(ds, size) else "dicom.no_uids")
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        if _cut_short(ds, size):
            raise RefusedFile("dicom.truncated")
        if 0x54000100 in ds:  # Waveform Sequence: an ECG, a haemodynamic or audio recording
            raise RefusedFile("dicom.waveform", str(ds.get("Modality", "")))
        raise RefusedFile("dicom.no_pixels", str(ds.get("Modality", "")))
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "TransferSyntaxUID" in meta:
        syntax = str(meta.TransferSyntaxUID)
    else:  # a dataset without its header: the encoding pydicom found
        implicit, little = getattr(ds, "original_encoding", (True, True))
        syntax = "1.2.840.10008.1.2" if implicit else "1.2.840.10008.1.2.1" if little else "1.2.840.10008.1.2.2"
    available, encapsulated = _decoder_ready(syntax)
    if not available:
        raise RefusedFile("dicom.unsupported_syntax", syntax)
    fields = _Fields(ds)
    rows, columns = fields.uint(0x00280010) or 0, fields.uint(0x00280011) or 0
    declared_frames = fields.text(0x00280008)
    frames = _int(declared_frames) if declared_frames else 1
    if frames is None or frames < 1:
        raise RefusedFile("dicom.undecodable", f"NumberOfFrames {declared_frames!r}")
    if not rows or not columns:
        raise RefusedFile("dicom.no_pixels", "no image size")
    samples, bits = fields.uint(0x00280002) or 1, fields.uint(0x00280100) or 8
    if rows * columns > MAX_FRAME_PIXELS or rows * columns * frames * samples * max(bits // 8, 1) > MAX_IMAGE_BYTES:
        raise RefusedFile("dicom.image_too_large", f"{columns}×{rows}×{frames}")
    if not encapsulated and "PixelData" in ds:
        expected = _expected_length(fields, rows, columns, frames)
        if len(ds.PixelData) < expected:
            raise RefusedFile("dicom.truncated", f"{len(ds.PixelData)} of {expected} bytes")
    elif decode and "PixelData" in ds:
        _decode_first_frame(ds, syntax)
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


def _decode_first_frame(ds, syntax: str) -> None:
    from pydicom.pixels import get_decoder

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            get_decoder(syntax).as_array(ds, index=0)
    except Exception as error:  # noqa: BLE001 - each decoder fails its own way
        raise RefusedFile("dicom.undecodable", f"{type(error).__name__}: {error}") from error


def decodes_whole(ds) -> bool:
    """Every frame of the image decodes (asked only when two copies of one image compete)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds.pixel_array  # noqa: B018 - decoding is the test
        return True
    except Exception:  # noqa: BLE001 - each decoder fails its own way
        return False


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
