"""A STOW-RS body, spooled to disk and looked into before the PACS gets any of it.

The PACS looks instances and series up by UID alone, whatever study they came in: the hub must
know every instance's Study, Series and SOP Instance UID before it claims the study for a facility
and passes the body on. Only the headers of each part are read (never the pixels), through a window
on the spooled file, so a large study costs one write to disk and no memory. For a consultation
marked for an expert abroad each part is read whole instead, once, one at a time, to be checked
(server/abroad_imaging.py).
"""

import email.message
import io
import mmap
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .dicomweb_paths import UID
from .outcome import FhirError

SPOOL_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Instance:
    study: str
    series: str
    sop: str


def boundary_of(content_type: str) -> str:
    message = email.message.Message()
    message["content-type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not 0 < len(boundary) <= 70:
        raise FhirError(400, "invalid", "the multipart/related Content-Type names no boundary", ["Content-Type"])
    return boundary


async def spool(stream, folder: Path, limit: int) -> Path:
    """The request body in a temporary file of `folder`; FhirError(413) past `limit` bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, prefix="stow-")
    size = 0
    try:
        with os.fdopen(handle, "wb") as f:
            async for chunk in stream:
                size += len(chunk)
                if size > limit:
                    raise FhirError(413, "too-costly", f"a STOW-RS request may carry {limit} bytes")
                f.write(chunk)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


async def chunks(path: Path):
    with path.open("rb") as f:
        while block := f.read(SPOOL_BLOCK):
            yield block


def instances(path: Path, boundary: str, inspect=None) -> list[Instance]:
    """Every part's UIDs, in order; FhirError(400) for a part that is not a DICOM instance with valid UIDs.

    `inspect(dataset, part_number, sop_instance_uid)`, if given, sees every part whole (pixels too:
    read once, one part at a time) and raises FhirError to refuse the request."""
    if path.stat().st_size == 0:
        return []
    delimiter = b"--" + boundary.encode("latin-1")
    found = []
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        at = data.find(delimiter)
        while at >= 0:
            at += len(delimiter)
            if data[at:at + 2] == b"--":
                break
            headers_end = data.find(b"\r\n\r\n", at)
            if headers_end < 0:
                raise FhirError(400, "invalid", f"part {len(found) + 1} of the multipart body has no end of headers")
            start = headers_end + 4
            end = data.find(b"\r\n" + delimiter, start)
            if end < 0:
                raise FhirError(400, "invalid", "the multipart body has no closing boundary")
            found.append(_instance(_Window(data, start, end), len(found) + 1, inspect))
            at = end + 2
    return found


_UNREADABLE = (ValueError, TypeError, EOFError, OSError, AttributeError, KeyError, IndexError, OverflowError,
               NotImplementedError, LookupError, UnicodeError)


def _instance(window: "_Window", number: int, inspect=None) -> Instance:
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        if inspect is None:
            ds = pydicom.dcmread(window, stop_before_pixels=True, force=True,
                                 specific_tags=["StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"])
        else:
            ds = pydicom.dcmread(window, force=True)
        uids = [str(ds.get(name, "")).strip("\x00 ") for name in ("StudyInstanceUID", "SeriesInstanceUID",
                                                                  "SOPInstanceUID")]
    except (InvalidDicomError, *_UNREADABLE) as error:
        raise FhirError(400, "invalid", f"part {number} is not a DICOM instance ({type(error).__name__})") from None
    for name, value in zip(("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"), uids):
        if len(value) > 64 or not UID.fullmatch(value):
            raise FhirError(400, "invalid", f"part {number}: {name} is missing or not a DICOM UID", [name])
    if inspect is not None:
        try:
            inspect(ds, number, uids[2])
        except (InvalidDicomError, *_UNREADABLE) as error:  # an element that does not parse cannot be checked
            raise FhirError(400, "invalid", f"part {number} could not be read whole ({type(error).__name__})") from None
    return Instance(*uids)


class _Window(io.RawIOBase):
    """Bytes [start, end) of a mapped file, read as a file of their own."""

    def __init__(self, data: mmap.mmap, start: int, end: int):
        super().__init__()
        self._data, self._start, self._end, self._at = data, start, end, start

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._at - self._start

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: self._start, 1: self._at, 2: self._end}[whence]
        self._at = min(max(self._start, base + offset), self._end)
        return self.tell()

    def read(self, size: int = -1) -> bytes:
        stop = self._end if size is None or size < 0 else min(self._end, self._at + size)
        out = self._data[self._at:stop]
        self._at = stop
        return out

    def readinto(self, buffer) -> int:
        chunk = self.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)
