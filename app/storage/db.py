"""Opening the station database: SQLite in WAL mode, migrated on start.

Refuses a file that is not a database, or one written by a newer schema, and
leaves such a file exactly as it found it.

Start-up speed: importing SQLAlchemy costs about as much as starting Qt itself,
so opening the database and the case list's read queries use the standard
sqlite3 module; the SQLAlchemy engine (writes, migrations) is created on first
use, which the station arranges off the GUI thread after the list is shown.
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DatabaseCorrupt, DatabaseTooNew, StorageError, translated

# The newest migration; checked against Alembic's head by a test. Start-up
# compares it with the file and imports Alembic only when they differ.
SCHEMA_HEAD = "0009"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_SQLITE_MAGIC = b"SQLite format 3\x00"


# FULL: the WAL is fsync'ed at every commit, so a power cut loses nothing committed (NORMAL
# would keep the file consistent but may lose the commits since the last checkpoint).
# bench/autosave.py measures what it costs.
SYNCHRONOUS = "FULL"


def configure(connection: sqlite3.Connection) -> None:
    """Settings every connection gets, whichever library opened it."""
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={SYNCHRONOUS}")


def _take_over_transactions(dbapi: sqlite3.Connection, _record) -> None:
    configure(dbapi)
    dbapi.isolation_level = None  # SQLAlchemy, not the driver, begins transactions (and savepoints)


class Database:
    def __init__(self, path: Path, busy_timeout_s: float = 2.0):
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self._engine = None
        self._sessions = None
        self._lock = threading.Lock()
        self._readers = threading.local()
        self._all_readers: list[sqlite3.Connection] = []

    @property
    def engine(self):
        with self._lock:
            if self._engine is None:
                from sqlalchemy import create_engine, event
                from sqlalchemy.orm import sessionmaker

                self._engine = create_engine(
                    f"sqlite:///{self.path}",
                    connect_args={"timeout": self.busy_timeout_s, "check_same_thread": False},
                    hide_parameters=True)  # errors are logged: never with patient data in them
                event.listen(self._engine, "connect", _take_over_transactions)
                # A unit of work that reads and then writes holds the write lock from its start: a
                # deferred one would fail at once with "database is locked" when the other writer
                # (the sync engine's thread, or the UI's) committed in between, instead of waiting.
                event.listen(self._engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
                self._sessions = sessionmaker(self._engine, expire_on_commit=False)
            return self._engine

    @contextmanager
    def transaction(self) -> Iterator:
        """One unit of work (a SQLAlchemy Session); storage errors come out as StorageError."""
        _ = self.engine
        try:
            with self._sessions.begin() as session:
                yield session
        except StorageError:
            raise
        except Exception as error:
            storage_error = translated(error, self.path)
            if storage_error is not None:
                raise storage_error from error
            raise

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A plain sqlite3 connection for read queries (one per thread, kept open)."""
        connection = getattr(self._readers, "connection", None)
        try:
            if connection is None:
                # Used by one thread only; check_same_thread off so close() may close it from another.
                connection = sqlite3.connect(self.path, timeout=self.busy_timeout_s, check_same_thread=False)
                configure(connection)
                self._readers.connection = connection
                with self._lock:
                    self._all_readers.append(connection)
            yield connection
        except sqlite3.Error as error:
            storage_error = translated(error, self.path)
            if storage_error is not None:
                raise storage_error from error
            raise

    def close(self) -> None:
        with self._lock:
            for connection in self._all_readers:
                connection.close()
            self._all_readers.clear()
        self._readers = threading.local()
        if self._engine is not None:
            self._engine.dispose()


def _check_header(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        if f.read(16) != _SQLITE_MAGIC:
            raise DatabaseCorrupt(path, "not an SQLite database")


def open_database(path: Path, busy_timeout_s: float = 2.0) -> Database:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_header(path)
    db = Database(path, busy_timeout_s)
    try:
        revision = current_revision(db)
        if revision != SCHEMA_HEAD:
            _migrate(db, revision)
    except Exception as error:
        db.close()
        storage_error = error if isinstance(error, StorageError) else translated(error, path)
        if storage_error is not None:
            raise storage_error from error
        raise
    return db


def current_revision(db: Database) -> str | None:
    with db.reading() as conn:
        has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone()
        if not has_table:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None


def _migrate(db: Database, revision: str | None) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    known = {r.revision for r in ScriptDirectory.from_config(config).walk_revisions()}
    if revision is not None and revision not in known:
        raise DatabaseTooNew(db.path, revision)
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
