"""Screenshots of the station's main screens (run under Xvfb): `make screenshots`.

Builds a station with demo cases in a temporary data folder, drives the real
window and saves PNGs of what a user sees.
"""

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.services.station import Station  # noqa: E402
from app.ui.application import RESOURCES, StationApp  # noqa: E402
from app.ui.runner import TaskRunner  # noqa: E402
from tools.demo_data import add_demo_cases, make_demo_video  # noqa: E402


def settle(app: QApplication, runner: TaskRunner, ms: int = 300) -> None:
    """Let queued work finish and the window repaint."""
    for _ in range(50):
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        if not runner.busy:
            break
    app.processEvents()


def wait_for(app: QApplication, condition, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("screenshots: timed out waiting for the screen to be ready")
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()


def grab(widget, path: Path) -> None:
    widget.grab().save(str(path))
    print(path)


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="diemcau-shots-"))
    # A private sound server with a tone as the microphone, a demo video as the camera,
    # and a local stand-in for the hub's link check: the screens show live devices.
    from tests.support.link_server import LinkServer
    from tests.support.pulse import PulseServer

    pulse = PulseServer(work / "pulse")
    pulse.use_environment()
    link = LinkServer(rate_kbps=8000, delay_ms=40)  # like a provincial link
    video = work / "camera.mp4"
    make_demo_video(video)
    app = QApplication(sys.argv)
    app.setStyleSheet((RESOURCES / "style.qss").read_text(encoding="utf-8"))
    station = Station(work / "station")
    station.save_settings(replace(station.settings, camera=str(video), camera_width=960, camera_height=540,
                                  microphone="pulse", speaker="pulse", check_url=link.url))
    created = add_demo_cases(station.cases)
    # Imaging and documents for the first case: a generated chest CT (a phantom, no real patient).
    from tests.support.dicom_series import ct_series

    ct = ct_series(work / "ct", slices=40, size=256)
    (work / "ket-qua-xet-nghiem.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    station.imports.import_paths(created[0].id, ct + [work / "ket-qua-xet-nghiem.pdf"])
    shell = StationApp(app, station, "vi")
    window, runner = shell.window, shell.runner
    shell.start()
    settle(app, runner)

    def shot(name: str) -> None:
        settle(app, runner)
        path = out_dir / f"{name}.png"
        window.grab().save(str(path))
        print(path)

    wait_for(app, lambda: shell.sync is not None and shell.sync.last_status is not None)  # the local hub answered
    shot("case-list")
    window.open_case(created[0].id)
    shot("case-editor")
    settle(app, runner)
    editor = window.editor
    editor.tabs.setCurrentIndex(1)
    panel = editor.capture_panel
    panel.camera_button.click()
    wait_for(app, lambda: panel.preview.frames_shown > 20)
    panel.photo_button.click()
    settle(app, runner)
    wait_for(app, lambda: panel.mic is not None and panel.mic.levels.blocks > 10)
    shot("capture-panel")
    panel.camera_button.click()
    editor.tabs.setCurrentIndex(2)
    viewer = editor.viewer
    wait_for(app, lambda: viewer.view.image is not None)
    viewer.preset.setCurrentIndex(viewer.preset.findData("lung"))
    viewer.on_preset(0)
    viewer.go_to(20)
    shot("dicom-viewer")
    editor.tabs.setCurrentIndex(0)

    from app.ui.check_dialog import CheckDialog
    from app.ui.device_settings import DeviceSettingsDialog

    dialog = DeviceSettingsDialog(station.settings, runner, window)
    dialog.show()
    dialog.camera_test.click()
    wait_for(app, lambda: dialog.preview.frames_shown > 20 and "×" in dialog.camera_status.text())
    settle(app, runner)
    grab(dialog, out_dir / "device-settings.png")
    dialog.reject()
    check = CheckDialog(station.checks, lambda: station.settings, runner, window)
    check.show()
    check.run_check()
    wait_for(app, lambda: check.report is not None, timeout_s=60)
    settle(app, runner)
    grab(check, out_dir / "check-results.png")
    check.accept()
    from app.ui.hub_dialog import HubDialog

    hub_dialog = HubDialog(shell.sync, window)
    hub_dialog.show()
    hub_dialog.url.setText("https://hub.telehealth.example.vn")
    hub_dialog.code.setText("K7QM-X2PA-9FHT")
    settle(app, runner)
    grab(hub_dialog, out_dir / "hub-dialog.png")
    hub_dialog.reject()
    window.open_case(created[1].id)
    settle(app, runner)
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
    link.close()
    pulse.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
