"""The hub's database: PostgreSQL in production, SQLite for the embedded single-machine hub."""

from pathlib import Path

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine

from . import fhirjson

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# A database error's text never carries the statement's values (ids, names, whole records) into a log.
PRIVATE = {"hide_parameters": True}


def make_engine(url: str) -> Engine:
    # JSON columns keep FHIR decimals exact (1.50 stays 1.50, not the float 1.5).
    exact = {"json_serializer": fhirjson.dumps, "json_deserializer": fhirjson.loads}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **exact, **PRIVATE)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):
            # SQLAlchemy, not the driver, begins transactions (savepoints then work as written).
            connection.isolation_level = None
            # WAL: readers never wait for the writer. FULL: every commit is on disk before it is
            # answered, so a power cut of the one-machine hub loses nothing a station was told is in.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA foreign_keys=ON")

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn):
            # A transaction that reads and then writes must hold the write lock from the start: a
            # deferred one fails at once with "database is locked" when another wrote in between,
            # instead of waiting its turn.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # A connection the server dropped is replaced when it fails (pool_pre_ping would cost a round
    # trip on every request).
    return create_engine(url, pool_size=10, max_overflow=10, pool_recycle=3600, **exact, **PRIVATE)


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is there already)."""
    from alembic import command
    from alembic.script import ScriptDirectory

    config = _alembic_config()
    known = {r.revision for r in ScriptDirectory.from_config(config).walk_revisions()}
    with engine.begin() as conn:
        if inspect(conn).has_table("alembic_version"):
            for current in conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars():
                if current not in known:
                    raise RuntimeError(f"the hub database is at revision {current}, newer than this hub knows; "
                                       "upgrade the hub software")
        config.attributes["connection"] = conn
        # Every branch: areas of the hub (records, console, events) add their tables independently.
        command.upgrade(config, "heads")
