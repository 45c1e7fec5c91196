"""Content-addressed file store: each file kept once, under its SHA-256.

Writes stream through a temporary file (constant memory), are fsynced and then
renamed into place, so a crash never leaves a half-written blob under a real
name. Which blobs are still used is the database's business (attachments rows);
`remove` is called for a hash no row refers to any more.
"""

import errno
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20  # 1 MiB


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    is_new: bool  # False when the same content was already stored


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._incoming = self.root / "incoming"
        self._incoming.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put_stream(self, source: BinaryIO, progress: Callable[[int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None) -> StoredBlob:
        """Store what `source` yields. Raises InterruptedError when `cancelled()` turns true."""
        return self.put_chunks(iter(lambda: source.read(CHUNK), b""), progress, cancelled)

    def put_bytes(self, data: bytes, durable: bool = True) -> StoredBlob:
        return self.put_chunks([data], durable=durable)

    def put_bytes_hashed_aside(self, data: bytes, hasher) -> StoredBlob:
        """As put_bytes(durable=False) (durable after the next sync()), the hash computed on the executor
        `hasher` while the bytes are written here: hashlib and writes both let go of the GIL."""
        digest = hasher.submit(lambda: hashlib.sha256(data).hexdigest())
        fd, tmp_name = tempfile.mkstemp(dir=self._incoming)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            return self.adopt(tmp, digest.result(), len(data))
        except BaseException:
            digest.cancel()
            tmp.unlink(missing_ok=True)
            raise

    def copy_in(self, source: Path) -> Path:
        """A new temporary copy of `source` in the store, made by the kernel (no trip through Python's
        memory: what copying costs at the least); adopt() or discard() it. Durable after the next sync()."""
        fd, tmp_name = tempfile.mkstemp(dir=self._incoming)
        try:
            with open(source, "rb") as src:
                try:
                    while os.sendfile(fd, src.fileno(), None, 1 << 30):
                        pass
                except OSError as error:
                    if error.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP) or \
                            os.lseek(fd, 0, os.SEEK_CUR):
                        raise
                    while chunk := src.read(CHUNK):  # a file system without sendfile
                        os.write(fd, chunk)
        except BaseException:
            os.close(fd)
            Path(tmp_name).unlink(missing_ok=True)
            raise
        os.close(fd)
        return Path(tmp_name)

    def adopt(self, tmp: Path, sha256: str, size: int) -> StoredBlob:
        """Put a temporary copy (copy_in) whose hash the caller computed from its bytes under its name."""
        final = self.path(sha256)
        if final.exists():
            tmp.unlink()
            return StoredBlob(sha256, size, is_new=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        return StoredBlob(sha256, size, is_new=True)

    @staticmethod
    def discard(tmp: Path) -> None:
        tmp.unlink(missing_ok=True)

    def put_file(self, path: Path, progress=None, cancelled=None) -> StoredBlob:
        with open(path, "rb") as source:
            return self.put_stream(source, progress, cancelled)

    def put_stream_batched(self, source: BinaryIO, progress=None, cancelled=None) -> StoredBlob:
        """As put_stream, but durable only after the next sync(): for imports of many files."""
        return self.put_chunks(iter(lambda: source.read(CHUNK), b""), progress, cancelled, durable=False)

    def sync(self) -> None:
        """Make every blob written with durable=False safe on disk: one flush for a whole batch,
        where an fsync per file would cost more than reading the file."""
        os.sync()

    def put_chunks(self, chunks: Iterable[bytes], progress: Callable[[int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None, durable: bool = True) -> StoredBlob:
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=self._incoming)
        tmp = Path(tmp_name)
        writer = None
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    if cancelled is not None and cancelled():
                        raise InterruptedError("cancelled")
                    if size and writer is None:  # a second chunk: a large file, written while hashed
                        writer = _Writer(out)
                    if writer is None:
                        out.write(chunk)
                    else:
                        writer.put(chunk)
                    digest.update(chunk)  # hashlib lets go of the GIL: hashing and writing run at once
                    size += len(chunk)
                    if progress is not None:
                        progress(size)
                if writer is not None:
                    writer.finish()
                out.flush()
                if durable:
                    os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.path(sha256)
            if final.exists():
                tmp.unlink()
                return StoredBlob(sha256, size, is_new=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            if durable:
                _fsync_dir(final.parent)
            return StoredBlob(sha256, size, is_new=True)
        except BaseException:
            if writer is not None:
                writer.abandon()
            tmp.unlink(missing_ok=True)
            raise

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def hashes(self) -> list[str]:
        """Every stored content hash (for finding files no attachment uses)."""
        return [p.name for p in self.root.glob("??/??/*") if p.is_file()]

    def clean_incoming(self) -> int:
        """Delete temporary files a crash left behind; returns how many."""
        leftovers = list(self._incoming.iterdir())
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        return len(leftovers)


class _Writer:
    """Writes a file's chunks on its own thread while the caller reads and hashes the next ones."""

    def __init__(self, out: BinaryIO):
        import queue
        import threading

        self._out = out
        self._queue: queue.Queue = queue.Queue(maxsize=4)  # at most a few MiB in flight
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="blob-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._out.write(chunk)
                except BaseException as error:  # noqa: BLE001 - handed to the caller in finish()
                    self._error = error

    def put(self, chunk: bytes) -> None:
        if self._error is not None:
            self.finish()
        self._queue.put(chunk)

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abandon(self) -> None:
        if self._thread.is_alive():
            self._error = self._error or InterruptedError("abandoned")
            self._queue.put(None)
            self._thread.join()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
