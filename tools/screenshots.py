"""Screenshots of the station's main screens (run under Xvfb): `make screenshots`.

Builds a station with demo cases in a temporary data folder, drives the real
window and saves PNGs of what a user sees.
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.services.station import Station  # noqa: E402
from app.ui.application import RESOURCES, StationApp  # noqa: E402
from app.ui.runner import TaskRunner  # noqa: E402
from tools.demo_data import add_demo_cases  # noqa: E402


def settle(app: QApplication, runner: TaskRunner, ms: int = 300) -> None:
    """Let queued work finish and the window repaint."""
    for _ in range(50):
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        if not runner.busy:
            break
    app.processEvents()


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    app.setStyleSheet((RESOURCES / "style.qss").read_text(encoding="utf-8"))
    station = Station(Path(tempfile.mkdtemp(prefix="diemcau-shots-")))
    created = add_demo_cases(station.cases)
    shell = StationApp(app, station, "vi")
    window, runner = shell.window, shell.runner
    shell.start()
    settle(app, runner)

    def shot(name: str) -> None:
        settle(app, runner)
        path = out_dir / f"{name}.png"
        window.grab().save(str(path))
        print(path)

    shot("case-list")
    window.open_case(created[0].id)
    shot("case-editor")
    window.open_case(created[1].id)
    settle(app, runner)
    editor = window.editor
    editor.inputs["cccd"].setText("04019000456")
    editor.inputs["spo2"].setText("180")
    editor.mark_ready()
    shot("case-editor-validation")
    window.case_list.search.setText("nguyen van duoc")
    shot("case-search")
    window.case_list.search.clear()
    shell.on_language_requested("en")
    window.set_language("en")
    window.open_case(created[0].id)
    shot("case-editor-english")
    window.close()
    shell.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
