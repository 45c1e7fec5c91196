"""The case list's query: newest cases first, by words typed and by filters.

A read model in plain SQL over the standard sqlite3 module, so the station can
show its case list before SQLAlchemy is even imported (see db.py). The words are
matched against the FTS5 index that CaseRepository keeps (rowid = cases.seq).
"""

from datetime import datetime, timezone

from app.domain.lifecycle import Status, Urgency
from app.domain.summary import CasePage, CaseQuery, CaseSummary
from app.domain.text import tokens

from .db import Database

_COLUMNS = ("c.id, c.seq, p.full_name, p.birth, p.age, p.sex, c.status, c.urgency, c.specialty, c.hospital, "
            "c.updated_at")


def fts_query(query_text: str) -> str | None:
    """An FTS5 MATCH expression: every word, as a prefix. None when there are no words."""
    words = tokens(query_text)
    return " ".join(f'"{w}"*' for w in words) if words else None


def search_cases(db: Database, query: CaseQuery) -> CasePage:
    where, params = [], []
    for column, values in (("c.status", query.statuses), ("c.urgency", query.urgencies)):
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            params += sorted(v.value for v in values)
    match = fts_query(query.text)
    if match is None:
        source, order, counted = "cases c JOIN patients p ON p.id = c.patient_id", "c.seq DESC", "cases c"
    else:
        # Driving the query from the index (a join, not IN) lets SQLite walk the
        # matches newest first and stop at the limit.
        source = ("case_search s JOIN cases c ON c.seq = s.rowid JOIN patients p ON p.id = c.patient_id")
        order = "s.rowid DESC"
        counted = "case_search s JOIN cases c ON c.seq = s.rowid" if where else "case_search s"
        where.insert(0, "case_search MATCH ?")
        params.insert(0, match)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    with db.reading() as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM {source}{condition} ORDER BY {order} LIMIT ?",
                            (*params, query.limit)).fetchall()
        total = len(rows) if len(rows) < query.limit else \
            conn.execute(f"SELECT count(*) FROM {counted}{condition}", params).fetchone()[0]
    items = [CaseSummary(r[0], r[1], r[2], r[3], r[4], r[5], Status(r[6]), Urgency(r[7]), r[8], r[9],
                         datetime.fromisoformat(r[10]).replace(tzinfo=timezone.utc)) for r in rows]
    return CasePage(items, total)
