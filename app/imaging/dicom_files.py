"""Reading one DICOM file: is it DICOM, can its pixels be shown, what does it say."""

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields
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
        return {name: getattr(self, name) for name in _INFO_FIELDS}  # flat: asdict's deep copy is slow


_INFO_FIELDS = tuple(f.name for f in fields(DicomInfo))


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


def _too_large(rows: int, columns: int, frames: int, samples: int, bits: int) -> bool:
    return rows * columns > MAX_FRAME_PIXELS or rows * columns * frames * samples * max(bits // 8, 1) > MAX_IMAGE_BYTES


def _expected_length(rows: int, columns: int, frames: int, samples: int, bits: int, photometric: str) -> int:
    """The bytes of uncompressed pixel data, as PS3.5 8.1.1 counts them: 1-bit data packed without padding
    between frames, YBR_FULL_422 two values per pixel."""
    pixels = rows * columns * frames
    if bits == 1:
        return (pixels * samples + 7) // 8
    length = pixels * samples * (bits // 8 or 1)
    if photometric.upper() == "YBR_FULL_422":
        length = length // 3 * 2
    return length


def _slice_position(orientation: list[float], origin: list[float]) -> float | None:
    """Where the slice lies along its normal (Image Orientation × Image Position), None without both."""
    if len(orientation) != 6 or len(origin) != 3:
        return None
    import numpy as np

    return float(np.dot(np.cross(orientation[:3], orientation[3:]), origin))


def syntax_of_encoding(implicit: bool, little: bool) -> str:
    """The transfer syntax of a dataset read without its file meta, from the encoding pydicom found
    (`ds.original_encoding`)."""
    return "1.2.840.10008.1.2" if implicit else "1.2.840.10008.1.2.1" if little else "1.2.840.10008.1.2.2"


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
        syntax = syntax_of_encoding(*getattr(ds, "original_encoding", (True, True)))
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
    if _too_large(rows, columns, frames, samples, bits):
        raise RefusedFile("dicom.image_too_large", f"{columns}×{rows}×{frames}")
    if not encapsulated and "PixelData" in ds:
        expected = _expected_length(rows, columns, frames, samples, bits, fields.text(0x00280004))
        if len(ds.PixelData) < expected:
            raise RefusedFile("dicom.truncated", f"{len(ds.PixelData)} of {expected} bytes")
    elif decode and "PixelData" in ds:
        _decode_first_frame(ds, syntax)
    position = _slice_position(fields.numbers(0x00200037), fields.numbers(0x00200032))
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


# The common case read without pydicom: a Part-10 file in (explicit or implicit) VR little endian, its
# pixels uncompressed. Walking the elements here costs a tenth of building pydicom's dataset, which was
# most of an import's time. Anything outside that case, or odd in any way, is left to read_info (None).
_LONG_VRS = frozenset({b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"})
_NATIVE = {"1.2.840.10008.1.2": True, "1.2.840.10008.1.2.1": False}  # syntax -> implicit VR
_WANTED = frozenset({0x00080005, 0x00080016, 0x00080018, 0x00080020, 0x00080060, 0x00081030, 0x0008103E,
                     0x00100010, 0x00100020, 0x00100030, 0x00100040, 0x0020000D, 0x0020000E, 0x00200011,
                     0x00200013, 0x00200032, 0x00200037, 0x00280002, 0x00280004, 0x00280008, 0x00280010,
                     0x00280011, 0x00280100, 0x00280301, 0x00281050, 0x00281051})
_CODECS = {"": "ascii", "ISO_IR 6": "ascii", "ISO_IR 100": "latin-1", "ISO_IR 192": "utf-8"}
_ITEM, _ITEM_END, _SEQ_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_UNDEFINED = 0xFFFFFFFF


class _Odd(Exception):
    """Not the common case: read_info decides."""


def _element(data: bytes, at: int, implicit: bool) -> tuple[int, bytes, int, int]:
    """(tag, VR or b"", value length, where the value starts)."""
    if at + 8 > len(data):
        raise _Odd
    tag = int.from_bytes(data[at:at + 2], "little") << 16 | int.from_bytes(data[at + 2:at + 4], "little")
    if implicit or tag >> 16 == 0xFFFE:
        return tag, b"", int.from_bytes(data[at + 4:at + 8], "little"), at + 8
    vr = data[at + 4:at + 6]
    if vr in _LONG_VRS:
        if at + 12 > len(data):
            raise _Odd
        return tag, vr, int.from_bytes(data[at + 8:at + 12], "little"), at + 12
    if not (65 <= vr[0] <= 90 and 65 <= vr[1] <= 90):
        raise _Odd
    return tag, vr, int.from_bytes(data[at + 6:at + 8], "little"), at + 8


def _skip_sequence(data: bytes, at: int, implicit: bool, depth: int) -> int:
    """Past a sequence of undefined length starting at `at` (its first item); where it ends."""
    if depth > 16:
        raise _Odd
    while True:
        tag, _vr, length, at = _element(data, at, True)
        if tag == _SEQ_END:
            return at
        if tag != _ITEM:
            raise _Odd
        if length != _UNDEFINED:
            at += length
            continue
        while True:  # an item of undefined length: its elements, up to the item's end
            tag, vr, length, at = _element(data, at, implicit)
            if tag == _ITEM_END:
                break
            if length == _UNDEFINED:
                if vr not in (b"SQ", b"") or tag >> 16 == 0x7FE0:
                    raise _Odd
                at = _skip_sequence(data, at, implicit, depth + 1)
            else:
                at += length


def fast_info(data: bytes) -> DicomInfo | None:
    """What read_info says of a common file, read straight from its bytes; None when read_info must decide
    (another syntax, no header, anything odd, or a file to refuse)."""
    try:
        return _fast_info(data)
    except (_Odd, ValueError, IndexError, UnicodeDecodeError):
        return None


def _fast_info(data: bytes) -> DicomInfo | None:
    if not looks_like_dicom(data):
        return None
    at, syntax = DICM_OFFSET + 4, None
    while at < len(data) and data[at:at + 2] == b"\x02\x00":
        tag, _vr, length, start = _element(data, at, False)
        if length == _UNDEFINED:
            return None
        if tag == 0x00020010:
            syntax = data[start:start + length].decode("ascii").strip(" \0")
        at = start + length
    implicit = _NATIVE.get(syntax)
    if implicit is None:
        return None
    values: dict[int, bytes] = {}
    pixels = None
    while at < len(data):
        tag, vr, length, start = _element(data, at, implicit)
        if tag >> 16 == 0x7FE0 and tag != 0x7FE00010:
            return None  # float pixel data and the like
        if tag == 0x7FE00010:
            if length == _UNDEFINED or pixels is not None:
                return None
            pixels = length
        if length == _UNDEFINED:
            if vr not in (b"SQ", b""):
                return None
            at = _skip_sequence(data, start, implicit, 0)
            continue
        if start + length > len(data):
            return None  # cut short: read_info says so
        if tag in _WANTED:
            values[tag] = data[start:start + length]
        at = start + length
    if pixels is None:
        return None
    charset = values.get(0x00080005, b"").decode("ascii").strip(" \0")
    codec = _CODECS.get(charset)
    if codec is None:
        return None

    def text(tag: int, coded: bool = False) -> str:
        raw = values.get(tag)
        if raw is None:
            return ""
        value = raw.decode(codec if coded else "ascii").strip(" \0")
        if coded and "\\" in value:
            raise _Odd  # several values: pydicom's own wording of them
        return value

    def uint(tag: int) -> int | None:
        raw = values.get(tag)
        return int.from_bytes(raw[:2], "little") if raw is not None and len(raw) >= 2 else None

    def numbers(tag: int) -> list[float]:
        raw = values.get(tag)
        return [float(v) for v in raw.decode("ascii").split("\\") if v.strip(" \0")] if raw else []

    sop, study, series = text(0x00080018), text(0x0020000D), text(0x0020000E)
    if not (sop and study and series):
        return None
    rows, columns, samples, bits = uint(0x00280010), uint(0x00280011), uint(0x00280002) or 1, uint(0x00280100) or 8
    frames = _int(text(0x00280008)) if 0x00280008 in values else 1
    if not rows or not columns or not frames or frames < 1 or _too_large(rows, columns, frames, samples, bits):
        return None
    if pixels < _expected_length(rows, columns, frames, samples, bits, text(0x00280004)):
        return None
    position = _slice_position(numbers(0x00200037), numbers(0x00200032))
    window_center, window_width = numbers(0x00281050), numbers(0x00281051)
    return DicomInfo(
        sop_instance_uid=sop, sop_class_uid=text(0x00080016), study_uid=study, series_uid=series,
        modality=text(0x00080060), study_date=text(0x00080020),
        study_description=text(0x00081030, True), series_description=text(0x0008103E, True),
        series_number=_int(text(0x00200011)), instance_number=_int(text(0x00200013)),
        slice_position=position, rows=rows, columns=columns, frames=frames, transfer_syntax=syntax,
        patient_name=text(0x00100010, True), patient_id=text(0x00100020, True),
        patient_birth_date=text(0x00100030), patient_sex=text(0x00100040),
        window_center=window_center[0] if window_center else None,
        window_width=window_width[0] if window_width else None,
        burned_in_annotation=text(0x00280301).upper() == "YES",
    )
