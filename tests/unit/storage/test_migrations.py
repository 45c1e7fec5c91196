"""An existing station's database is migrated to the newest schema without losing anything."""

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text

from app.domain.summary import CaseQuery
from app.storage.db import MIGRATIONS_DIR, SCHEMA_HEAD, configure, current_revision, open_database
from app.storage.case_search import search_cases


def test_a_first_version_database_with_cases_reaches_the_head(tmp_path):
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", lambda dbapi, _r: configure(dbapi))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(text("INSERT INTO patients (id, full_name, created_at, updated_at) "
                          "VALUES ('p1', 'Nguyễn Văn Được', '2025-01-01', '2025-01-01')"))
        conn.execute(text("INSERT INTO cases (id, patient_id, status, urgency, question, created_at, updated_at) "
                          "VALUES ('c1', 'p1', 'submitted', 'urgent', 'Câu hỏi cũ', '2025-01-01', '2025-01-01')"))
        conn.execute(text("INSERT INTO case_status_changes (id, case_id, to_status, at) "
                          "VALUES ('s1', 'c1', 'submitted', '2025-01-01')"))
        conn.execute(text("INSERT INTO case_search (rowid, words) VALUES (1, 'nguyen van duoc')"))
    engine.dispose()

    db = open_database(path)
    assert current_revision(db) == SCHEMA_HEAD
    with db.reading() as conn:
        assert conn.execute("SELECT question, foreign_expert FROM cases").fetchall() == [("Câu hỏi cũ", 0)]
        assert conn.execute("SELECT count(*) FROM case_status_changes").fetchone() == (1,)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert [c.full_name for c in search_cases(db, CaseQuery(text="duoc")).items] == ["Nguyễn Văn Được"]
    db.close()
