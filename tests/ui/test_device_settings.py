from app.services.settings import Settings
from app.ui.device_settings import DeviceSettingsDialog


def make(qtbot, runner, settings):
    dialog = DeviceSettingsDialog(settings, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def close(qtbot, dialog, runner):
    dialog.reject()
    qtbot.waitUntil(lambda: not runner.busy, timeout=15000)


def test_the_chosen_devices_come_back_as_settings(qtbot, runner, microphone_source, video_file, translations):
    dialog = make(qtbot, runner, Settings(camera="0", microphone="pulse", check_url="http://hub.local/check"))
    qtbot.waitUntil(lambda: dialog.microphone.findData("pulse") >= 0 and dialog.mic is not None, timeout=10000)
    dialog.camera.setCurrentText(str(video_file))
    dialog.resolution.setCurrentIndex(dialog.resolution.findData("640x480"))
    dialog.fps.setValue(25)
    chosen = dialog.settings()
    assert (chosen.camera, chosen.camera_width, chosen.camera_height, chosen.camera_fps) == \
        (str(video_file), 640, 480, 25)
    assert chosen.microphone == "pulse" and chosen.check_url == "http://hub.local/check"
    qtbot.waitUntil(lambda: dialog.meter.rms_dbfs > -40, timeout=10000)  # the tone source moves the meter
    dialog.camera_test.click()
    qtbot.waitUntil(lambda: dialog.preview.frames_shown > 5, timeout=10000)
    qtbot.waitUntil(lambda: "khung hình/giây" in dialog.camera_status.text(), timeout=10000)
    assert dialog.camera_status.text().startswith("640×480")
    close(qtbot, dialog, runner)


def test_bad_addresses_are_refused_by_name(qtbot, runner, microphone_source, translations):
    dialog = make(qtbot, runner, Settings())
    dialog.camera.setCurrentText("ftp://camera.local/stream")
    dialog.check_url.setText("hub.local")
    dialog.accept_if_valid()
    assert dialog.isVisible() and dialog.error.isVisibleTo(dialog)
    assert "Camera" in dialog.error.text() and "Địa chỉ kiểm tra" in dialog.error.text()
    dialog.camera.setCurrentText("rtsp://10.0.0.5/live")
    dialog.check_url.setText("https://hub.local/check")
    dialog.accept_if_valid()
    assert dialog.result() == DeviceSettingsDialog.DialogCode.Accepted
    qtbot.waitUntil(lambda: not runner.busy, timeout=15000)


def test_speaker_tone_and_record_then_play_back(qtbot, runner, microphone_source, translations):
    dialog = make(qtbot, runner, Settings(microphone="pulse", speaker="pulse"))
    qtbot.waitUntil(lambda: dialog.speaker.findData("pulse") >= 0 and dialog.mic is not None, timeout=10000)
    dialog.speaker.setCurrentIndex(dialog.speaker.findData("pulse"))
    dialog.tone_button.click()
    qtbot.waitUntil(lambda: dialog.speaker_status.text() == "Xong.", timeout=10000)
    dialog.playback_button.click()
    qtbot.waitUntil(lambda: dialog.speaker_status.text().startswith("Đang ghi"), timeout=10000)
    qtbot.waitUntil(lambda: dialog.speaker_status.text() == "Xong.", timeout=15000)
    close(qtbot, dialog, runner)


def test_no_camera_is_said_plainly(qtbot, runner, microphone_source, translations):
    dialog = make(qtbot, runner, Settings(camera="8"))
    dialog.camera_test.click()
    qtbot.waitUntil(lambda: dialog.camera_status.text().startswith("Không có camera ở cổng USB số 8"), timeout=10000)
    close(qtbot, dialog, runner)


def test_sample_rate_and_channels_are_chosen_and_used(qtbot, runner, microphone_source, translations):
    dialog = make(qtbot, runner, Settings(microphone="pulse", microphone_samplerate=44100, microphone_channels=2))
    qtbot.waitUntil(lambda: dialog.mic is not None, timeout=10000)
    assert (dialog.mic.samplerate, dialog.mic.channels) == (44100, 2)
    dialog.samplerate.setCurrentIndex(dialog.samplerate.findData(16000))
    dialog.channels.setCurrentIndex(dialog.channels.findData(1))
    qtbot.waitUntil(lambda: dialog.mic is not None and dialog.mic.samplerate == 16000, timeout=10000)
    chosen = dialog.settings()
    assert (chosen.microphone_samplerate, chosen.microphone_channels) == (16000, 1)
    qtbot.waitUntil(lambda: dialog.mic.first_block.is_set(), timeout=10000)
    assert dialog.mic.last(0.5).shape[1] == 1
    close(qtbot, dialog, runner)


def test_a_sound_server_that_comes_up_later_is_listed_when_the_dialog_opens(qtbot, runner, pulse, monkeypatch,
                                                                          translations):
    from app.media.audio import list_devices, rescan

    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/socket")
    rescan()  # the station started before the sound system
    assert list_devices() == []
    monkeypatch.undo()  # the sound system is up now
    try:
        dialog = make(qtbot, runner, Settings(microphone="pulse"))
        qtbot.waitUntil(lambda: dialog.speaker.findData("pulse") >= 0 and dialog.mic is not None, timeout=10000)
        assert dialog.mic.first_block.wait(5) and dialog.mic_status.text() == ""
        close(qtbot, dialog, runner)
    finally:
        rescan()


def test_no_camera_found_is_said_not_listed_as_zero(qtbot, runner, microphone_source, translations):
    dialog = make(qtbot, runner, Settings(camera="0"))  # the default setting, on a machine with no camera
    qtbot.waitUntil(lambda: "Không tìm thấy camera USB" in dialog.camera_status.text(), timeout=10000)
    assert [dialog.camera.itemText(i) for i in range(dialog.camera.count())] == []
    assert dialog.camera.currentText() == "0"  # the setting itself is kept as typed
    close(qtbot, dialog, runner)


def test_opening_the_settings_during_a_clip_keeps_it_says_so_and_gives_the_camera_back(
        qtbot, runner, station, microphone_source, translations):
    from dataclasses import replace

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.domain.attachment import AttachmentKind
    from app.ui.main_window import MainWindow
    from app.ui.media_services import MediaServices
    from tests.support.mjpeg import MjpegCamera
    from tests.ui.conftest import open_new_case

    camera = MjpegCamera(max_viewers=1)  # like a USB camera: one program at a time
    station.save_settings(replace(station.settings, camera=camera.url, microphone="pulse"))
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
        qtbot.waitUntil(lambda: panel.clip_button.isEnabled(), timeout=10000)
        panel.clip_button.click()
        qtbot.waitUntil(lambda: panel.recording_label.text() == "● 00:01", timeout=10000)
        words, shown = [], []
        panel.problem.connect(words.append)

        def test_camera_in_dialog():
            dialog = QApplication.activeModalWidget()
            try:
                dialog.camera_test.click()
                qtbot.waitUntil(lambda: dialog.preview.frames_shown > 5, timeout=10000)
                shown.append(dialog.preview.frames_shown)
            finally:
                dialog.reject()

        QTimer.singleShot(0, test_camera_in_dialog)
        window.devices_action.trigger()
        assert shown, "the dialog's camera test got no picture"
        assert any("cài đặt thiết bị" in w and "giữ" in w for w in words), words
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=15000)  # the clip is kept
        assert panel.model.attachment(0).kind is AttachmentKind.VIDEO
        qtbot.waitUntil(lambda: panel.feed.live, timeout=10000)  # the camera is back on the tab
        assert any("trở lại" in w for w in words) and camera.refused == 0
    finally:
        window.close()
        qtbot.waitUntil(lambda: not runner.busy, timeout=15000)
        camera.close()
