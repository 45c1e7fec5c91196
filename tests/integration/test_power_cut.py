"""A power cut loses nothing committed: every commit of the station (and of the local hub) reaches the
disk before it returns.

A crash of the process (kill -9) never loses a committed transaction in WAL mode whatever the
setting; a power cut loses what the kernel had not written to disk yet. So the test traces the
real process with strace and checks, for each committed draft save, that the WAL file was
fsync'ed after its last write and before the save returned to the caller.
"""

import re
import shutil
import subprocess
import sys
import textwrap

import pytest

STATION = textwrap.dedent("""
    import os, sys
    from dataclasses import replace
    from pathlib import Path
    from app.services.station import Station
    station = Station(Path(sys.argv[1]))
    case = station.cases.create_case()
    for n in range(5):
        case = station.cases.save_draft(replace(case, reason=f"Đau ngực lần {n}"))
        os.write(2, f"COMMITTED {n}\\n".encode())
    station.close()
""")

HUB = textwrap.dedent("""
    import os, sys
    from sqlalchemy import text
    from server.db import make_engine
    engine = make_engine(f"sqlite:///{sys.argv[1]}/hub.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    for n in range(5):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
        os.write(2, f"COMMITTED {n}\\n".encode())
""")


def traced(script: str, folder) -> list[str]:
    if shutil.which("strace") is None:
        pytest.fail("strace is missing: `make test` installs it (apt-get)")
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "strace.log"
    subprocess.run(["strace", "-f", "-y", "-qq", "-e", "trace=write,pwrite64,fsync,fdatasync", "-o", str(log),
                    sys.executable, "-c", script, str(folder)], check=True, capture_output=True, timeout=120)
    return log.read_text(errors="replace").splitlines()


def unsynced_commits(lines: list[str], wal_name: str) -> list[int]:
    """The commits that returned while the WAL held bytes written after its last fsync."""
    dirty, bad = False, []
    for line in lines:
        if re.search(rf"(pwrite64|write)\(\d+<[^>]*{re.escape(wal_name)}>", line):
            dirty = True
        elif re.search(rf"(fsync|fdatasync)\(\d+<[^>]*{re.escape(wal_name)}>", line):
            dirty = False
        elif marker := re.search(r'write\(2<[^>]*>, "COMMITTED (\d+)', line):
            if dirty:
                bad.append(int(marker.group(1)))
    return bad


def test_every_draft_save_is_on_disk_before_it_returns(tmp_path):
    lines = traced(STATION, tmp_path / "station")
    assert sum("COMMITTED" in line for line in lines) == 5
    assert any("station.db-wal" in line for line in lines), "the station writes its WAL"
    assert unsynced_commits(lines, "station.db-wal") == []


def test_every_commit_of_the_local_hub_is_on_disk_before_it_returns(tmp_path):
    lines = traced(HUB, tmp_path / "hub")
    assert unsynced_commits(lines, "hub.db-wal") == []
