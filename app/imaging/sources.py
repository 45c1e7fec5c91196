"""What the user dropped: files, folders (a CD), DICOMDIR, ZIP archives, expanded
into the files to import, each with a way to read it. Refuses unsafe archives."""

import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .dicom_files import RefusedFile

MAX_FILE_BYTES = 3 * (1 << 29)      # 1.5 GiB: a CT study is hundreds of files, never one this big
MAX_ARCHIVE_BYTES = 8 << 30         # all members of one ZIP, uncompressed
MAX_RATIO = 200                     # uncompressed / compressed, per member: beyond it, a ZIP bomb
MAX_MEMBERS = 50_000


@dataclass(frozen=True)
class Candidate:
    name: str                        # shown to the user: relative path inside the folder or archive
    size: int                        # declared size
    open: Callable[[], BinaryIO] | None
    refused: RefusedFile | None = None  # known bad before reading


def expand(paths: list[Path]) -> Iterator[Candidate]:
    for path in paths:
        path = Path(path)
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


def _file(path: Path, name: str) -> Candidate:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return Candidate(name, size, None, RefusedFile("file.too_large", str(size)))
    if size == 0:
        return Candidate(name, 0, None, RefusedFile("file.empty"))
    return Candidate(name, size, lambda: open(path, "rb"))


def _folder(root: Path) -> Iterator[Candidate]:
    found = False
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(directory) / name
            relative = str(path.relative_to(root))
            if name.upper() == "DICOMDIR":
                # The index of a CD: its images are in the folder already; report those it names but lacks.
                yield from (c for c in _dicomdir(path, root) if c.refused is not None)
                continue
            found = True
            yield _file(path, relative)
    if not found:
        yield Candidate(root.name, 0, None, RefusedFile("folder.empty", str(root)))


def _dicomdir(path: Path, root: Path | None = None) -> Iterator[Candidate]:
    """The files a DICOMDIR (the index of a CD) names, and those it names but the CD lacks."""
    from pydicom import dcmread

    root = root or path.parent
    try:
        records = dcmread(path).DirectoryRecordSequence
    except Exception as error:  # pydicom raises many kinds for a damaged DICOMDIR
        yield Candidate(path.name, 0, None, RefusedFile("dicomdir.unreadable", f"{type(error).__name__}: {error}"))
        return
    for record in records:
        file_id = record.get("ReferencedFileID")
        if not file_id:
            continue
        parts = [file_id] if isinstance(file_id, str) else list(file_id)
        relative = "/".join(parts)
        target = path.parent.joinpath(*parts)
        if ".." in parts or not target.resolve().is_relative_to(path.parent.resolve()):
            yield Candidate(relative, 0, None, RefusedFile("zip.unsafe_path", relative))
        elif not target.exists():
            yield Candidate(relative, 0, None, RefusedFile("dicomdir.missing_file", relative))
        else:
            yield _file(target, str(target.relative_to(root)) if target.is_relative_to(root) else relative)


class _Bounded:
    """A member stream that stops a ZIP bomb: never more bytes than allowed, whatever the header claims."""

    def __init__(self, stream: BinaryIO, limit: int):
        self._stream, self._limit, self._read = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
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
        limit = min(MAX_FILE_BYTES, member.file_size + (1 << 20))
        yield Candidate(name, member.file_size, lambda m=member, lim=limit: _Bounded(archive.open(m), lim))
