"""The hub's database errors name no patient data."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from server.db import make_engine


def test_a_database_error_does_not_quote_the_values_it_was_given(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id TEXT PRIMARY KEY)"))
        conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": "Nguyễn Văn An"})
    with pytest.raises(IntegrityError) as error, engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": "Nguyễn Văn An"})
    assert "Nguyễn" not in str(error.value)
    engine.dispose()
