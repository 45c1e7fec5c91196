"""Opening the station database: SQLite in WAL mode, migrated on start.

Refuses a file that is not a database, or one written by a newer schema, and
leaves such a file exactly as it found it.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .errors import DatabaseCorrupt, DatabaseTooNew, StorageError, translated

# The newest migration; checked against Alembic's head by a test. Start-up
# compares it with the file and imports Alembic only when they differ.
SCHEMA_HEAD = "0001"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_SQLITE_MAGIC = b"SQLite format 3\x00"


class Database:
    def __init__(self, path: Path, engine: Engine):
        self.path = path
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work; storage errors come out as StorageError."""
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

    def close(self) -> None:
        self.engine.dispose()


def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a crash of the station loses nothing committed; only a
    # power cut may lose the last transactions, never corrupt the file.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


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
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": busy_timeout_s, "check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    db = Database(path, engine)
    try:
        _migrate(db)
    except Exception as error:
        engine.dispose()
        storage_error = error if isinstance(error, StorageError) else translated(error, path)
        if storage_error is not None:
            raise storage_error from error
        raise
    return db


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        has_table = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
        ).first()
        if not has_table:
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def _migrate(db: Database) -> None:
    revision = current_revision(db)
    if revision == SCHEMA_HEAD:
        return
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
