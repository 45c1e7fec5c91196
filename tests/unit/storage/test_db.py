import sqlite3

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.domain.case import ConsultationCase, Patient
from app.storage.db import MIGRATIONS_DIR, SCHEMA_HEAD, current_revision, open_database
from app.storage.errors import DatabaseCorrupt, DatabaseTooNew, StorageFull, StorageLocked
from app.storage.repository import CaseRepository
from app.domain.case import utcnow


def test_schema_head_constant_matches_alembic():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_new_database_is_migrated_in_wal_mode_with_foreign_keys(tmp_path):
    db = open_database(tmp_path / "s.db")
    assert current_revision(db) == SCHEMA_HEAD
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert {"patients", "cases", "case_status_changes", "case_search"} <= tables
    db.close()


def test_foreign_keys_are_enforced(tmp_path):
    db = open_database(tmp_path / "s.db")
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO cases (id, patient_id, status, urgency, created_at, updated_at) "
                              "VALUES ('c', 'no-such-patient', 'draft', 'routine', '2026-01-01', '2026-01-01')"))
    db.close()


def test_a_database_from_a_newer_version_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "s.db"
    open_database(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNew) as raised:
        open_database(path)
    assert raised.value.revision == "9999" and raised.value.path == path
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"this is not a database" * 100, b"SQLite format 3\x00" + b"\xff" * 8000])
def test_a_corrupt_file_is_refused_and_kept_byte_for_byte(tmp_path, content):
    path = tmp_path / "s.db"
    path.write_bytes(content)
    with pytest.raises(DatabaseCorrupt) as raised:
        open_database(path)
    assert raised.value.path == path
    assert path.read_bytes() == content


def _add_case(db, name="Nguyễn Văn A"):
    with db.transaction() as session:
        return CaseRepository().insert(session, ConsultationCase(patient=Patient(full_name=name)), utcnow())


def test_disk_full_is_told_apart_and_loses_nothing_saved(tmp_path):
    db = open_database(tmp_path / "s.db")
    saved = _add_case(db)
    with db.engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar()

    from sqlalchemy import event

    # SQLite's own limit makes it answer SQLITE_FULL exactly as a full disk does.
    def cap(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(db.engine, "connect", cap)
    db.engine.dispose()
    with pytest.raises(StorageFull):
        for i in range(200):
            _add_case(db, "x" * 5000 + str(i))
    event.remove(db.engine, "connect", cap)
    db.engine.dispose()
    with db.transaction() as session:
        assert CaseRepository().get(session, saved.id).patient.full_name == "Nguyễn Văn A"
    db.close()


def test_a_locked_database_is_told_apart(tmp_path):
    path = tmp_path / "s.db"
    db = open_database(path, busy_timeout_s=0.1)
    holder = sqlite3.connect(path, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageLocked):
            _add_case(db)
    finally:
        holder.rollback()
        holder.close()
    assert _add_case(db).number == 1
    db.close()
