"""What a durable autosave costs: CaseService.save_draft, each commit on disk before it returns.

The project: the station's save_draft (the editor calls it about once a second while a doctor
types), with its own settings (WAL, synchronous=FULL). The limit: raw sqlite3 updating one row of
the same size in a WAL database with synchronous=FULL (the durable floor: one write and one fsync
of the WAL). Also printed: save_draft with synchronous=NORMAL (the setting before, which a power
cut could roll back), for the before/after figure.

    .venv/bin/python bench/autosave.py [--saves 300]
"""

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402

from app.storage import db as station_db  # noqa: E402


def project(folder: Path, saves: int, synchronous: str) -> list[float]:
    from app.services.station import Station

    station_db.SYNCHRONOUS = synchronous
    station = Station(folder)
    try:
        case = station.cases.create_case()
        case = station.cases.save_draft(case)
        timings = []
        for n in range(saves):
            edited = replace(case, reason=f"Đau ngực, khó thở tăng dần từ {n} giờ", history="Tăng huyết áp " * 20)
            start = time.perf_counter()
            case = station.cases.save_draft(edited)
            timings.append(time.perf_counter() - start)
        return timings
    finally:
        station.close()
        station_db.SYNCHRONOUS = "FULL"


def floor(folder: Path, saves: int) -> list[float]:
    conn = sqlite3.connect(folder / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE cases (id TEXT PRIMARY KEY, reason TEXT, history TEXT, updated TEXT)")
    conn.execute("INSERT INTO cases VALUES ('c', '', '', '')")
    timings = []
    for n in range(saves):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE cases SET reason = ?, history = ?, updated = ? WHERE id = 'c'",
                     (f"Đau ngực, khó thở tăng dần từ {n} giờ", "Tăng huyết áp " * 20, str(time.time())))
        conn.execute("COMMIT")
        timings.append(time.perf_counter() - start)
    conn.close()
    return timings


def describe(name: str, timings: list[float]) -> float:
    p50, p95 = statistics.median(timings) * 1000, percentile(timings, 95) * 1000
    print(f"{name:<34} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")
    return p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=ROOT) as temp:  # the project's disk, not a tmpfs
        base = Path(temp)
        (base / "normal").mkdir()
        (base / "full").mkdir()
        describe("save_draft, synchronous=NORMAL", project(base / "normal", args.saves, "NORMAL"))
        value = describe("save_draft, synchronous=FULL", project(base / "full", args.saves, "FULL"))
        limit = describe("raw sqlite3 UPDATE, FULL (floor)", floor(base, args.saves))
    print(f"RESULT autosave_p95 {value:.2f} ms limit={limit:.2f} ratio={value / limit:.2f}")


if __name__ == "__main__":
    main()
