"""A translation catalogue rewritten in place while the station runs does not bring it down.

`make translations` (lrelease) and an update both rewrite resources/translations/*.qm in place. The station
used to have the file mapped by QTranslator: the next tr() read the new bytes at the old offsets and died
(SIGSEGV; SIGBUS while the file is shorter). That was the rare crash of the UI tests (issue 13), which struck
whenever another `make` rebuilt the catalogues during a run. The check runs in a child process: before the
fix, it died.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

import app.cli as cli
import app.ui.application as application

resources = Path(sys.argv[1])
application.RESOURCES = resources
cli.TRANSLATIONS = resources / "translations"
qapp = QApplication([])
application.Translations(qapp).use("vi")
words = cli.Words("vi")
ours, qts = resources / "translations" / "diemcau_vi.qm", resources / "translations" / "qtbase_vi.qm"
other = qts.read_bytes()


def said():
    return (QCoreApplication.translate("CheckDialog", "Checking: %1…"),
            QCoreApplication.translate("QPlatformTheme", "Cancel"), words("CheckDialog", "Checking: %1…"))


print(said(), flush=True)
for path in (ours, qts):
    with open(path, "r+b") as f:  # what lrelease does: the same file emptied, then written again
        f.truncate(0)
print(said(), flush=True)
for path, data in ((ours, other), (qts, other[: len(other) // 2])):  # another catalogue's bytes, a half
    with open(path, "r+b") as f:
        f.write(data)
print(said(), flush=True)
"""


def test_a_catalogue_rewritten_in_place_changes_nothing_in_the_running_station(tmp_path):
    shutil.copytree(ROOT / "resources" / "translations", tmp_path / "translations",
                    ignore=shutil.ignore_patterns("*.ts"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", CHILD, str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    expected = str(("Đang kiểm tra: %1…", "Huỷ", "Đang kiểm tra: %1…"))
    assert done.stdout.splitlines() == [expected] * 3
