"""Station cold start to case list shown, against a bare PySide6 QMainWindow.

Each run is a new process (Python, Qt, the station's imports, opening and
checking the database, the first page of the case list painted). The limit is
a process that only imports PySide6, shows an empty QMainWindow and waits for
its first paint. The station's data folder holds 1,000 cases. Target: ratio <= 2.5.

    .venv/bin/python bench/startup.py [--runs 7] [--platform offscreen|xcb]
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 2.5
BARE_WINDOW = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1280, 800)
window.show()
def shown():
    print("shown", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def time_until_line(command: list[str], marker: str, env: dict) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                               cwd=ROOT)
    for line in process.stdout:
        if line.startswith(marker):
            elapsed = time.perf_counter() - started
            break
    else:
        raise SystemExit(f"{command} ended without printing {marker!r}")
    process.stdout.close()
    process.wait(30)
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM=args.platform)
    with tempfile.TemporaryDirectory() as tmp:
        from app.services.station import Station
        from bench.search import populate

        station = Station(Path(tmp))
        populate(station, 1000, random.Random(7))
        station.close()
        station_cmd = [sys.executable, "-m", "app", "--data-dir", tmp, "--report-startup", "--quit-after-startup"]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        ours, bare = [], []
        time_until_line(station_cmd, "case-list-shown", env)  # warm the OS file cache for both
        time_until_line(bare_cmd, "shown", env)
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            ours.append(time_until_line(station_cmd, "case-list-shown", env))
            bare.append(time_until_line(bare_cmd, "shown", env))
    ours_ms, bare_ms = statistics.median(ours), statistics.median(bare)
    ratio = ours_ms / bare_ms
    print(f"platform {args.platform}, {args.runs} runs each, medians")
    print(f"station to case list shown: {ours_ms:.0f} ms (runs: {', '.join(f'{x:.0f}' for x in ours)})")
    print(f"bare QMainWindow shown:     {bare_ms:.0f} ms (runs: {', '.join(f'{x:.0f}' for x in bare)})")
    print(f"target ratio <= {TARGET_RATIO}: {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    print(f"RESULT startup {ours_ms:.0f} ms limit={bare_ms:.0f} ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
