"""Storage failures the user can act on, told apart from bugs."""

import sqlite3
from pathlib import Path


class StorageError(Exception):
    """The environment's fault (disk, lock, damaged file), not a bug."""

    def __init__(self, path: Path, detail: str = ""):
        super().__init__(f"{type(self).__name__}: {path} {detail}".strip())
        self.path = path
        self.detail = detail


class DatabaseCorrupt(StorageError):
    """The file is not a database or is damaged; it is left untouched."""


class DatabaseTooNew(StorageError):
    """Written by a newer version of the station."""

    def __init__(self, path: Path, revision: str):
        super().__init__(path, f"schema revision {revision}")
        self.revision = revision


class StorageFull(StorageError):
    """The disk (or the database's size limit) is full."""


class StorageLocked(StorageError):
    """Another program holds the database."""


def translated(error: BaseException, path: Path) -> StorageError | None:
    """The StorageError that a sqlite3 error (bare or wrapped by SQLAlchemy) stands for, if any."""
    original = getattr(error, "orig", None) or error
    if not isinstance(original, sqlite3.Error):
        return None
    text = str(original).lower()
    if "disk is full" in text or "disk i/o error" in text:
        return StorageFull(path, str(original))
    if "database is locked" in text or "database table is locked" in text:
        return StorageLocked(path, str(original))
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return DatabaseCorrupt(path, str(original))
    return None
