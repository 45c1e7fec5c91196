"""What the user dropped: files, folders (a CD), DICOMDIR, ZIP archives, expanded
into the files to import, each with a way to read it. Refuses unsafe archives."""

import os
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .dicom_files import RefusedFile

MAX_FILE_BYTES = 3 * (1 << 29)      # 1.5 GiB: a CT study is hundreds of files, never one this big
MAX_ARCHIVE_BYTES = 8 << 30         # all members of one ZIP, uncompressed
MAX_RATIO = 200                     # uncompressed / compressed, per member: beyond it, a ZIP bomb
MAX_MEMBERS = 50_000
READ_CHUNK = 1 << 20                # a member is read this much at a time, whatever its header says
_ENCRYPTED_FLAG = 0x1
_AES = 99                           # WinZip AES: the method of an AES-encrypted member


@dataclass(frozen=True)
class Candidate:
    name: str                        # shown to the user: relative path inside the folder or archive
    size: int                        # declared size
    open: Callable[[], BinaryIO] | None
    refused: RefusedFile | None = None  # known bad before reading
    path: Path | None = None            # a plain file on disk (the kernel can copy it), not an archive member


def expand(paths: list[Path]) -> Iterator[Candidate]:
    for path in paths:
        path = Path(path)
        try:  # whatever one input does, the others are still listed
            if path.is_dir():
                yield from _folder(path)
            elif path.suffix.lower() == ".zip" and path.is_file():
                yield from _archive(path)
            elif path.name.upper() == "DICOMDIR":
                yield from _dicomdir(path)
            elif path.exists():
                yield _file(path, path.name)
            else:
                yield Candidate(path.name, 0, None, RefusedFile("file.missing", str(path)))
        except Exception as error:  # noqa: BLE001 - an input the code above did not foresee: its refusal
            yield Candidate(path.name, 0, None, RefusedFile("file.unreadable", f"{type(error).__name__}: {error}"))


def _file(path: Path, name: str) -> Candidate:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return Candidate(name, size, None, RefusedFile("file.too_large", str(size)))
    if size == 0:
        return Candidate(name, 0, None, RefusedFile("file.empty"))
    return Candidate(name, size, lambda: open(path, "rb"), path=path)


def _files_under(root: Path) -> Iterator[Path]:
    """The files of a folder and its subfolders, in name order, hidden ones (and hidden folders) left out."""
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        yield from (Path(directory) / name for name in sorted(files) if not name.startswith("."))


def _folder(root: Path) -> Iterator[Candidate]:
    found = False
    for path in _files_under(root):
        if path.name.upper() == "DICOMDIR":
            # The index of a CD: its images are in the folder already; report those it names but lacks,
            # and an index that is damaged.
            yield from _dicomdir_problems(path, root)
            continue
        found = True
        yield _file(path, str(path.relative_to(root)))
    if not found:
        yield Candidate(root.name, 0, None, RefusedFile("folder.empty", str(root)))


def _dicomdir(path: Path) -> Iterator[Candidate]:
    """The files a DICOMDIR (the index of a CD) names, and those it names but the CD lacks. A damaged or
    empty index is said, and the disc's folder is scanned for DICOM files instead."""
    records, problem = _read_dicomdir(path)
    if problem is not None:
        yield Candidate(path.name, 0, None, problem)
        yield from _scan_for_dicom(path.parent)
        return
    yield from _listed(path, records, path.parent)


def _dicomdir_problems(path: Path, root: Path) -> Iterator[Candidate]:
    records, problem = _read_dicomdir(path)
    if problem is not None:
        if problem.code != "dicomdir.empty":  # an empty index next to the images it does not list: nothing lost
            yield Candidate(str(path.relative_to(root)), 0, None, problem)
        return
    yield from (c for c in _listed(path, records, root) if c.refused is not None)


def _read_dicomdir(path: Path) -> tuple[list, RefusedFile | None]:
    """The directory records, or why the index cannot be trusted: unreadable, cut short (a record points to
    one that is not there), or empty."""
    from pydicom import dcmread

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged index warns before it fails; the checks below decide
            ds = dcmread(path)
            cut = _cut_short(ds, path)
            records = list(ds.DirectoryRecordSequence)
            starts = {record.seq_item_tell for record in records}
            pointers = [ds.get("OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity", 0),
                        ds.get("OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity", 0)]
            for record in records:
                pointers += [record.get("OffsetOfTheNextDirectoryRecord", 0),
                             record.get("OffsetOfReferencedLowerLevelDirectoryEntity", 0)]
    except Exception as error:  # noqa: BLE001 - pydicom raises many kinds for a damaged DICOMDIR
        return [], RefusedFile("dicomdir.damaged", f"{type(error).__name__}: {error}")
    if cut:
        return [], RefusedFile("dicomdir.damaged", "cut short")
    broken = [p for p in pointers if p and p not in starts]
    if broken:
        return [], RefusedFile("dicomdir.damaged", f"{len(broken)} records point to nothing")
    if not any("ReferencedFileID" in record for record in records):
        return [], RefusedFile("dicomdir.empty")
    return records, None


def _cut_short(ds, path: Path) -> bool:
    """The index ends before its list of records does (the list is its last element)."""
    raw = ds._dict.get(0x00041220)
    tell, length = getattr(raw, "value_tell", None), getattr(raw, "length", None)
    if tell is None or length is None:
        return False
    if length == 0xFFFFFFFF:  # undefined length: the list must end with its delimiter
        with open(path, "rb") as f:
            f.seek(-8, os.SEEK_END)
            return f.read(8) not in (b"\xfe\xff\xdd\xe0\0\0\0\0", b"\xff\xfe\xe0\xdd\0\0\0\0")
    return tell + length > path.stat().st_size


def _listed(path: Path, records: list, root: Path) -> Iterator[Candidate]:
    disc = path.parent.resolve()
    finder = _CaseInsensitive(path.parent)
    for record in records:
        file_id = record.get("ReferencedFileID")
        if not file_id:
            continue
        parts = [file_id] if isinstance(file_id, str) else [str(p) for p in file_id]
        relative = "/".join(parts)
        if any(p in ("..", ".", "") or "/" in p or "\\" in p or ":" in p for p in parts):
            yield Candidate(relative, 0, None, RefusedFile("dicomdir.outside_disc", relative))
            continue
        target = finder.find(parts)
        if target is None:
            yield Candidate(relative, 0, None, RefusedFile("dicomdir.missing_file", relative))
        elif not target.resolve().is_relative_to(disc):  # a link on the disc that leads off it
            yield Candidate(relative, 0, None, RefusedFile("dicomdir.outside_disc", relative))
        else:
            yield _file(target, str(target.relative_to(root)) if target.is_relative_to(root) else relative)


class _CaseInsensitive:
    """Finds a DICOMDIR's file IDs on a disc mounted with other-case names (a plain ISO 9660 disc on Linux
    shows lower case), or with the ISO version suffix (";1")."""

    def __init__(self, root: Path):
        self._root = root
        self._listings: dict[Path, dict[str, str]] = {}

    def find(self, parts: list[str]) -> Path | None:
        here = self._root
        for part in parts:
            exact = here / part
            if exact.exists():
                here = exact
                continue
            if here not in self._listings:
                try:
                    names = os.listdir(here)
                except OSError:
                    return None
                self._listings[here] = {self._key(n): n for n in names}
            name = self._listings[here].get(self._key(part))
            if name is None:
                return None
            here = here / name
        return here if here.is_file() else None

    @staticmethod
    def _key(name: str) -> str:
        return name.split(";", 1)[0].rstrip(".").upper()


def _scan_for_dicom(folder: Path) -> Iterator[Candidate]:
    """The DICOM files of a disc whose index failed: those with the DICM marker (a CD also holds its viewer
    program, whose files are not the case's)."""
    from .dicom_files import looks_like_dicom

    for path in _files_under(folder):
        if path.name.upper() == "DICOMDIR":
            continue
        try:
            with open(path, "rb") as f:
                if not looks_like_dicom(f.read(132)):
                    continue
        except OSError:
            continue
        yield _file(path, str(path.relative_to(folder)))


class _Bounded:
    """A member stream that stops a ZIP bomb: never more bytes than allowed, whatever the header claims."""

    def __init__(self, stream: BinaryIO, limit: int):
        self._stream, self._limit, self._read = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:  # never one unbounded read: zipfile would inflate it all at once
            return b"".join(iter(lambda: self.read(READ_CHUNK), b""))
        try:
            chunk = self._stream.read(min(size, READ_CHUNK))
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError) as error:
            raise RefusedFile("zip.damaged_member", f"{type(error).__name__}: {error}") from error
        self._read += len(chunk)
        if self._read > self._limit:
            raise RefusedFile("zip.bomb", f"more than {self._limit} bytes")
        return chunk

    def close(self) -> None:
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()


def _archive(path: Path) -> Iterator[Candidate]:
    try:
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as error:
        yield Candidate(path.name, 0, None, RefusedFile("zip.unreadable", str(error)))
        return
    if len(members) > MAX_MEMBERS:
        yield Candidate(path.name, 0, None, RefusedFile("zip.too_many", str(len(members))))
        return
    if sum(m.file_size for m in members) > MAX_ARCHIVE_BYTES:
        yield Candidate(path.name, 0, None, RefusedFile("zip.bomb", "too large once unpacked"))
        return
    if not members:
        yield Candidate(path.name, 0, None, RefusedFile("folder.empty", path.name))
        return
    for member in members:
        name = f"{path.name}/{member.filename}"
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            yield Candidate(name, member.file_size, None, RefusedFile("zip.unsafe_path", member.filename))
            continue
        if member.file_size > MAX_FILE_BYTES:
            yield Candidate(name, member.file_size, None, RefusedFile("file.too_large", str(member.file_size)))
            continue
        if member.compress_size and member.file_size / member.compress_size > MAX_RATIO and member.file_size > 1 << 20:
            yield Candidate(name, member.file_size, None, RefusedFile("zip.bomb", "compressed too well"))
            continue
        if PurePosixPath(member.filename).name.upper() == "DICOMDIR" or PurePosixPath(member.filename).name.startswith("."):
            continue
        if member.flag_bits & _ENCRYPTED_FLAG or member.compress_type == _AES:
            yield Candidate(name, member.file_size, None, RefusedFile("zip.encrypted", member.filename))
            continue
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2 and LZMA inflate a whole read at once (no bound on what one read costs); deflate64 and
            # the rest zipfile cannot read at all
            yield Candidate(name, member.file_size, None, RefusedFile("zip.unsupported_method",
                                                                      str(member.compress_type)))
            continue
        limit = min(MAX_FILE_BYTES, member.file_size + (1 << 20))
        yield Candidate(name, member.file_size, lambda m=member, lim=limit: _open_member(archive, m, lim))


def _open_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> _Bounded:
    try:
        return _Bounded(archive.open(member), limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError) as error:
        raise RefusedFile("zip.damaged_member", f"{type(error).__name__}: {error}") from error
