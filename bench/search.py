"""Accent-insensitive case search over 100,000 generated cases.

Measures CaseService.search() (what the case list calls) for queries a doctor
types: whole names without accents, partial names, the commonest surname alone,
CCCD and BHYT prefixes. The limit is raw SQLite FTS5 answering the same MATCH
(ids only, no join, no mapping) in the same run. Target: p95 <= 30 ms.

    .venv/bin/python bench/search.py [--cases 100000] [--queries 300]
"""

import argparse
from datetime import datetime
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402

from sqlalchemy import insert, text  # noqa: E402

from app.domain.case import ConsultationCase, Patient, new_id  # noqa: E402
from app.domain.summary import CaseQuery  # noqa: E402
from app.domain.text import fold  # noqa: E402
from app.services.station import Station  # noqa: E402
from app.storage.models import CaseRow, PatientRow  # noqa: E402
from app.storage.case_search import fts_query  # noqa: E402
from bench.names import identity  # noqa: E402

TARGET_P95_MS = 30.0


def populate(station: Station, count: int, rng: random.Random) -> list[dict]:
    """Bulk-load generated cases, indexed exactly as the repository indexes them."""
    people, stamp = [], datetime.now()
    with station.db.engine.begin() as conn:
        for start in range(0, count, 5000):
            patients, cases, words = [], [], []
            for seq in range(start + 1, min(count, start + 5000) + 1):
                who = identity(rng)
                people.append(who)
                patient = Patient(id=new_id(), **who)
                case = ConsultationCase(patient=patient)
                patients.append({"id": patient.id, **who, "created_at": stamp, "updated_at": stamp})
                cases.append({"seq": seq, "id": case.id, "patient_id": patient.id, "status": "draft",
                              "urgency": rng.choice(("routine", "urgent", "emergency")),
                              "created_at": stamp, "updated_at": stamp})
                words.append({"seq": seq, "words": case.search_text()})
            conn.execute(insert(PatientRow), patients)
            conn.execute(insert(CaseRow), cases)
            conn.execute(text("INSERT INTO case_search(rowid, words) VALUES (:seq, :words)"), words)
    return people


def queries(people: list[dict], n: int, rng: random.Random) -> list[str]:
    made = []
    for i in range(n):
        who = rng.choice(people)
        kind = i % 6
        if kind == 0:
            made.append(fold(who["full_name"]))                     # nguyen van duoc
        elif kind == 1:
            made.append(" ".join(fold(who["full_name"]).split()[:2]))  # tran thi
        elif kind == 2:
            made.append("nguyen")                                  # 38% of all patients
        elif kind == 3:
            made.append(who["cccd"][:6])
        elif kind == 4:
            made.append(who["full_name"])                          # typed with accents
        else:
            made.append(who["bhyt"][:7] or who["phone"])
    return made



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(20261124)
    with tempfile.TemporaryDirectory() as tmp:
        station = Station(Path(tmp))
        started = time.perf_counter()
        people = populate(station, args.cases, rng)
        print(f"generated {args.cases} cases in {time.perf_counter() - started:.1f} s")
        asked = queries(people, args.queries, rng)
        raw = sqlite3.connect(station.paths.database)
        ours, limit, hits = [], [], []
        for q in asked * 2:  # the first pass warms the page cache for both
            t0 = time.perf_counter()
            page = station.cases.search(CaseQuery(text=q))
            t1 = time.perf_counter()
            raw.execute("SELECT rowid FROM case_search WHERE case_search MATCH ? ORDER BY rowid DESC LIMIT 500",
                        (fts_query(q),)).fetchall()
            t2 = time.perf_counter()
            ours.append((t1 - t0) * 1000)
            limit.append((t2 - t1) * 1000)
            hits.append(page.total)
        ours, limit = ours[len(asked):], limit[len(asked):]
        raw.close()
        station.close()
    p50, p95, worst = percentile(ours, 50), percentile(ours, 95), max(ours)
    raw95 = percentile(limit, 95)
    print(f"queries: {len(ours)}; matches per query: median {statistics.median(hits):.0f}, max {max(hits)}")
    print(f"station search: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms")
    print(f"raw FTS5:       p50 {percentile(limit, 50):.1f} ms, p95 {raw95:.1f} ms")
    print(f"target p95 <= {TARGET_P95_MS:.0f} ms: {'met' if p95 <= TARGET_P95_MS else 'NOT met'}")
    print(f"RESULT search_p95 {p95:.1f} ms limit={raw95:.1f} ratio={p95 / raw95:.2f}")


if __name__ == "__main__":
    main()
