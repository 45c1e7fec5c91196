"""Storage failures the user can act on, told apart from bugs."""

from pathlib import Path

from sqlalchemy import exc as sa_exc


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
    """The StorageError that a SQLAlchemy/sqlite3 error stands for, if any."""
    original = getattr(error, "orig", error)
    text = str(original).lower()
    if not isinstance(error, (sa_exc.DBAPIError,)) and not type(original).__module__.startswith("sqlite3"):
        return None
    if "disk is full" in text or "disk i/o error" in text:
        return StorageFull(path, str(original))
    if "database is locked" in text or "database table is locked" in text:
        return StorageLocked(path, str(original))
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return DatabaseCorrupt(path, str(original))
    return None
