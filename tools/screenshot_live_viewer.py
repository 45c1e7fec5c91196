"""Screenshot of 'Show the case' in a live session (runnable alone under Xvfb:
`xvfb-run -a -s "-screen 0 1600x900x24" .venv/bin/python tools/screenshot_live_viewer.py docs/screenshots`).

live-viewer.png  two stations' DICOM viewers side by side, each over its own copy of the same CT: the
                 presenter's (left) has scrolled, zoomed, panned and set the lung window; the follower's
                 (right) shows the same slice and window, and says whom it follows. Patient details show
                 initials only while live.

The two viewers are joined by an in-process pipe: what travels is exactly what the data channel carries
(tests/integration/live/test_viewer_over_janus.py carries it through a real Janus).
"""

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget  # noqa: E402

from app.services.station import Station  # noqa: E402
from app.ui.application import RESOURCES, Translations  # noqa: E402
from app.ui.dicom_viewer import DicomViewer  # noqa: E402
from app.ui.runner import TaskRunner  # noqa: E402
from app.ui.viewer_sync import ViewerSync  # noqa: E402
from app.wire.live import decode  # noqa: E402


def wait_for(condition, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("screenshot: timed out waiting for the viewers")
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()


def main(out_dir: Path) -> None:
    from tests.support.dicom_series import ct_series

    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="diemcau-live-viewer-"))
    app = QApplication(sys.argv)
    app.setStyleSheet((RESOURCES / "style.qss").read_text(encoding="utf-8"))
    Translations(app).use("vi")
    runner = TaskRunner()
    ct = ct_series(work / "ct", slices=40, size=256)  # a phantom, no real patient

    side = QWidget()
    layout = QHBoxLayout(side)
    layout.setContentsMargins(4, 4, 4, 4)
    viewers = []
    for name in ("tram-a", "tram-b"):
        station = Station(work / name)
        case = station.cases.create_case()
        station.imports.import_paths(case.id, ct)
        viewer = DicomViewer(station.imaging, runner)
        viewer.set_case(case.id)
        layout.addWidget(viewer)
        viewers.append(viewer)
    presenter, follower = viewers
    side.resize(1600, 720)
    side.show()
    wait_for(lambda: all(v.view.image is not None for v in viewers) and not runner.busy)

    case = presenter._case_id  # the session's case: the states carry its de-identified UIDs
    following = ViewerSync(follower, lambda _text: None, "BS Lan — BV Bạch Mai", case=case)
    presenting = ViewerSync(presenter, lambda text: QTimer.singleShot(
        0, lambda: following.on_message("tram-a", decode(text))), "BS Hoa — TTYT huyện Mèo Vạc", case=case)
    presenting.present()
    presenter.preset.setCurrentIndex(presenter.preset.findData("lung"))
    presenter.on_preset(0)
    presenter.go_to(22)
    presenter.view.set_view(1.6, -20, 10)
    presenter.view.moved.emit()
    wait_for(lambda: (follower.index, follower.window) == (presenter.index, presenter.window))
    wait_for(lambda: not runner.busy)
    for _ in range(5):
        app.processEvents()
    path = out_dir / "live-viewer.png"
    side.grab().save(str(path))
    print(path)
    runner.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
