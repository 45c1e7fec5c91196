"""A doctor types a case in Vietnamese; the station is killed (kill -9) within 2 s.

Runs the real station in its own process on a real X server (Xvfb) and types
with real X key events (XTEST, tests/support/x_keyboard.py), as a keyboard would.
"""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.domain.summary import CaseQuery
from app.services.station import Station
from tests.support.x_keyboard import Keyboard

pytestmark = pytest.mark.e2e
NAME = "Nguyễn Văn Được"


@pytest.fixture
def display():
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: `make test` installs it (apt-get)")
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    yield f":{number}"
    server.terminate()
    server.wait(10)


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def rows(db: Path, sql: str):
    if not db.exists():
        return []
    con = sqlite3.connect(db, timeout=5)
    try:
        return con.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []  # not migrated yet
    finally:
        con.close()


def test_a_case_typed_in_vietnamese_survives_kill_9_within_two_seconds(display, tmp_path):
    data_dir = tmp_path / "station"
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    keyboard = Keyboard(display, NAME)  # before the station starts: it reads the keymap once
    station = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(data_dir), "--lang", "vi",
                                "--report-startup"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert station.stdout.readline().startswith("case-list-shown")

        def xdotool(*args: str) -> str:
            return subprocess.run(["xdotool", *args], env=env, check=True, capture_output=True, text=True,
                                  timeout=20).stdout

        window = wait_for(lambda: xdotool("search", "--name", "Điểm Cầu").split(), 10, "the window")[0]
        xdotool("windowfocus", "--sync", window)
        xdotool("key", "ctrl+n")
        db = data_dir / "station.db"
        wait_for(lambda: rows(db, "SELECT count(*) FROM cases") == [(1,)], 10, "the new case")
        time.sleep(1.0)  # the editor takes focus once the new case is delivered to the window (slow CI: margin)
        keyboard.type(NAME)  # real key events, 40 ms apart
        typed_at = time.monotonic()
        time.sleep(1.5)
        station.send_signal(signal.SIGKILL)
        station.wait(10)
        assert time.monotonic() - typed_at < 2.0
    finally:
        if station.poll() is None:
            station.kill()
            station.wait(10)
        station.stdout.close()
        keyboard.close()

    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    reopened = Station(data_dir)
    try:
        (summary,) = reopened.cases.search(CaseQuery()).items
        assert summary.full_name == NAME
    finally:
        reopened.close()
