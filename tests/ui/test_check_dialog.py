import json

from app.services.settings import Settings
from app.ui.check_dialog import CheckDialog
from tests.support.link_server import LinkServer


def test_a_check_shows_each_part_graded_and_exports(qtbot, runner, station, video_file, microphone_source,
                                                   translations, tmp_path):
    server = LinkServer()
    settings = Settings(camera=str(video_file), microphone="pulse", speaker="pulse", check_url=server.url)
    dialog = CheckDialog(station.checks, lambda: settings, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        with qtbot.waitSignal(runner.idle, timeout=60000):
            dialog.run_button.click()
    finally:
        server.close()
    assert dialog.summary.text() == "Điểm cầu đã sẵn sàng cho phiên hội chẩn."
    parts = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert parts == ["Camera", "Micro", "Loa", "Đường truyền"]
    assert all(dialog.table.item(r, 1).text() == "Tốt" for r in range(4))
    assert dialog.table.item(0, 2).text().startswith("Camera hoạt động tốt")
    target = tmp_path / "ket-qua.json"
    with qtbot.waitSignal(runner.idle, timeout=10000):
        dialog.export(str(target))
    assert json.loads(target.read_text(encoding="utf-8"))[0]["fit"] is True


def test_an_unfit_station_says_so(qtbot, runner, station, translations):
    dialog = CheckDialog(station.checks, lambda: Settings(camera="9", microphone="no such mic",
                                                         speaker="no such speaker"), runner)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(runner.idle, timeout=60000):
        dialog.run_check()
    assert dialog.summary.text().startswith("Điểm cầu CHƯA sẵn sàng")
    assert dialog.table.item(0, 1).text() == "Không đạt"
    # Each hint in the user's language to its end: no English fragment of the device's own words.
    camera, microphone, speaker = (dialog.table.item(r, 2).text() for r in range(3))
    assert "Không có camera ở cổng USB số 9" in camera and "no camera" not in camera
    assert "Không tìm thấy micro" in microphone and "microphone" not in microphone
    assert "speaker" not in speaker.lower()


def test_the_check_borrows_the_camera_the_preview_holds_and_gives_it_back(qtbot, runner, station, translations,
                                                                          microphone_source):
    from dataclasses import replace

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.domain.check import Grade
    from app.ui.main_window import MainWindow
    from app.ui.media_services import MediaServices
    from tests.support.mjpeg import MjpegCamera
    from tests.ui.conftest import open_new_case

    camera = MjpegCamera(max_viewers=1)  # like a USB camera: one program at a time
    station.save_settings(replace(station.settings, camera=camera.url, microphone="pulse", speaker="pulse"))
    media = MediaServices(lambda: station.capture, lambda: station.attachments, lambda: station.settings,
                          lambda: station.checks, station.save_settings)
    window = MainWindow(station.cases, runner, str(station.paths.root), media)
    qtbot.addWidget(window)
    window.show()
    try:
        editor = open_new_case(qtbot, window)
        editor.tabs.setCurrentWidget(editor.tabs.widget(1))  # photos, clips and sound
        panel = editor.capture_panel
        panel.camera_button.click()
        qtbot.waitUntil(lambda: panel.feed.live, timeout=10000)
        reports, lent = [], []

        def run_in_dialog():
            dialog = QApplication.activeModalWidget()
            try:
                lent.append(panel.camera_state.text())
                with qtbot.waitSignal(runner.idle, timeout=60000):
                    dialog.run_check()
                reports.append(dialog.report)
            finally:
                dialog.accept()

        QTimer.singleShot(0, run_in_dialog)
        window.check_action.trigger()
        assert "kiểm tra" in lent[0]  # a word on the tab while the check has the camera
        assert reports and reports[0].items[0].part == "camera"
        assert reports[0].items[0].grade is Grade.GOOD, reports[0].items[0]
        qtbot.waitUntil(lambda: panel.feed.live, timeout=10000)  # back on the tab
        assert camera.refused == 0
    finally:
        window.close()
        qtbot.waitUntil(lambda: not runner.busy, timeout=15000)
        camera.close()


def test_closing_the_check_while_it_runs_gives_the_devices_back_only_once_it_has_let_go(
        qtbot, runner, station, translations, microphone_source):
    from dataclasses import replace

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow
    from app.ui.media_services import MediaServices
    from tests.support.mjpeg import MjpegCamera
    from tests.ui.conftest import open_new_case

    camera = MjpegCamera(max_viewers=1)  # like a USB camera: one program at a time
    station.save_settings(replace(station.settings, camera=camera.url, microphone="pulse", speaker="pulse"))
    media = MediaServices(lambda: station.capture, lambda: station.attachments, lambda: station.settings,
                          lambda: station.checks, station.save_settings)
    window = MainWindow(station.cases, runner, str(station.paths.root), media)
    qtbot.addWidget(window)
    window.show()
    try:
        editor = open_new_case(qtbot, window)
        editor.tabs.setCurrentWidget(editor.tabs.widget(1))
        panel = editor.capture_panel
        panel.camera_button.click()
        qtbot.waitUntil(lambda: panel.feed.live, timeout=10000)
        still_open = []

        def close_at_once():
            dialog = QApplication.activeModalWidget()
            dialog.run_check()
            dialog.reject()  # the user closes the window the moment the check starts
            still_open.append(dialog.isVisible())

        QTimer.singleShot(0, close_at_once)
        window.check_action.trigger()  # returns when the dialog has closed
        assert still_open == [True]
        assert not runner.busy  # it closed once the check had released the camera and microphone
        qtbot.waitUntil(lambda: panel.feed.live, timeout=10000)  # back on the tab
        assert camera.refused == 0  # never opened twice
        assert panel.mic is not None
    finally:
        window.close()
        qtbot.waitUntil(lambda: not runner.busy, timeout=15000)
        camera.close()
