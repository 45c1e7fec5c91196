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


def colour_doppler(path: Path) -> Path:
    """A colour Doppler ultrasound of a carotid artery (a phantom drawn here, no real patient): grey B-mode
    speckle in a sector, the artery's flow in red and yellow, the jugular vein's in blue, as RGB DICOM."""
    import cv2
    import numpy as np
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, UltrasoundImageStorage, generate_uid

    rows, columns = 480, 640
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:rows, 0:columns].astype(np.float32)
    apex_x, apex_y = 300.0, -60.0
    radius, angle = np.hypot(xx - apex_x, yy - apex_y), np.degrees(np.arctan2(xx - apex_x, yy - apex_y))
    sector = (np.abs(angle) < 32) & (radius > 80) & (radius < 520)
    speckle = cv2.GaussianBlur(rng.rayleigh(1.0, (rows, columns)).astype(np.float32), (0, 0), 1.2)
    tissue = 70 + 25 * np.sin(yy / 23) + 15 * np.sin(xx / 41 + yy / 67)
    artery = np.hypot((xx - 300) / 150, (yy - 230) / 34) < 1
    vein = np.hypot((xx - 330) / 120, (yy - 330) / 26) < 1
    wall = (np.hypot((xx - 300) / 158, (yy - 230) / 40) < 1) & ~artery
    grey = tissue * speckle * np.clip(1.2 - radius / 700, 0.3, 1)
    grey[wall] *= 2.2
    grey[artery | vein] *= 0.12
    grey = np.where(sector, np.clip(grey, 0, 255), 0)
    image = np.repeat(grey[..., None], 3, axis=-1)
    box = sector & (np.abs(xx - 310) < 170) & (np.abs(yy - 275) < 100)
    # Flow toward the probe: red, fastest (yellow) at the centre of the artery; the vein: away, in blue.
    speed = np.clip(1 - ((yy - 230) / 34) ** 2 - ((xx - 300) / 150) ** 2, 0, 1) * (0.8 + 0.2 * np.sin(xx / 9))
    red = np.stack([150 + 105 * speed, 30 + 200 * speed ** 2, 10 * speed], axis=-1)
    slow = np.clip(1 - ((yy - 330) / 26) ** 2 - ((xx - 330) / 120) ** 2, 0, 1)
    blue = np.stack([10 * slow, 60 + 120 * slow ** 2, 140 + 115 * slow], axis=-1)
    image[box & artery] = red[box & artery]
    image[box & vein] = blue[box & vein]
    image = np.ascontiguousarray(image.astype(np.uint8))
    cv2.polylines(image, [np.array([[140, 175], [480, 175], [480, 375], [140, 375]], np.int32)], True,
                  (200, 200, 200), 1)
    scale = np.linspace(1, -1, 160)
    bar = np.where(scale[:, None] > 0,
                   np.stack([150 + 105 * scale, 30 + 200 * scale ** 2, 0 * scale], -1),
                   np.stack([0 * scale, 60 + 120 * scale ** 2, 140 - 115 * scale], -1))
    image[60:220, 600:614] = np.repeat(bar[:, None, :], 14, axis=1).astype(np.uint8)
    for text, y in (("+38", 56), ("-38", 236)):
        cv2.putText(image, text, (590, y), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (230, 230, 230), 1, cv2.LINE_AA)
    for text, y in (("L12-3  CAROTID R", 20), ("CF 5.0 MHz  PRF 3.5 kHz", 38)):
        cv2.putText(image, text, (8, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (230, 230, 230), 1, cv2.LINE_AA)

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = UltrasoundImageStorage
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = "NGUYEN^VAN^DUOC", "BN-0042", "19680312", "M"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.StudyDate, ds.StudyTime, ds.StudyDescription = "20261121", "091000", "SIEU AM DOPPLER"
    ds.Modality, ds.SeriesDescription, ds.SeriesNumber, ds.InstanceNumber = "US", "Doppler mau DM canh", 1, 1
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = rows, columns, 3, "RGB"
    ds.PlanarConfiguration, ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 0, 8, 8, 7, 0
    ds.BurnedInAnnotation = "NO"
    ds.PixelData = image.tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


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
    doppler = colour_doppler(work / "doppler.dcm")  # a colour ultrasound: shown in colour in the viewer
    station.imports.import_paths(created[0].id, ct + [doppler, work / "ket-qua-xet-nghiem.pdf"])
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

    def screen_shot(name: str) -> None:
        """The window with its pop-ups (a completer's list, a question box): grabbed from the screen."""
        settle(app, runner)
        frame = window.frameGeometry()
        path = out_dir / f"{name}.png"
        window.screen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height()).save(str(path))
        print(path)

    # The ICD-10 picker, as a doctor uses it: words without accents, a readable list.
    picker = editor.inputs["diagnosis_code"]
    editor.scroll.ensureWidgetVisible(picker)
    picker.setFocus()
    picker.clear()
    picker.setText("viem phoi")
    picker.on_text_edited("viem phoi")
    screen_shot("icd-picker")
    picker.popup().hide()
    picker.clear()
    editor.scroll.ensureWidgetVisible(editor.inputs["full_name"])
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
    viewer.series_list.setCurrentRow([s.modality for s in viewer.series].index("US"))
    shot("dicom-viewer-colour-doppler")
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
    # "Send for consultation" asks once, saying what happens (the ready demo case).
    ready = next((c for c in created if station.cases.get_case(c.id).status.value == "ready"), None)
    if ready is not None:
        window.open_case(ready.id)
        settle(app, runner)

        def answer_later() -> None:
            from PySide6.QtWidgets import QMessageBox

            box = app.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(100, answer_later)
                return
            screen_shot("send-confirmation")
            box.reject()
        QTimer.singleShot(300, answer_later)
        editor.submit_button.click()
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
    from tools.screenshot_thread import thread_shots

    thread_shots(app, out_dir, settle, wait_for)  # the Hội chẩn tab, with a hub of its own
    from tools.screenshot_live import live_shots

    live_shots(app, out_dir, settle, wait_for)  # a live consultation: a real Janus, three other sites
    from tools.screenshot_console import console_shots

    console_shots(out_dir)  # the experts' web console in Chromium, with a hub of its own
    link.close()
    pulse.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
