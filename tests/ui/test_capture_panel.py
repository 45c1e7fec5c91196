"""The capture panel with a real camera stream (video file, MJPEG) and a real sound server."""

from dataclasses import replace

import av
import cv2
import numpy as np
import pytest
import soundfile

from app.domain.attachment import AttachmentKind
from app.media.audio import dominant_frequency, rescan
from app.services.settings import Settings
from app.ui.capture_panel import CapturePanel
from app.ui.media_services import MediaServices


@pytest.fixture
def draft(station):
    case = station.cases.create_case()
    return station.cases.save_draft(replace(case, patient=replace(case.patient, full_name="Giàng Thị Mỷ")))


@pytest.fixture
def make_panel(qtbot, station, runner, microphone_source, translations):
    made = []

    def make(settings: Settings, case):
        panel = CapturePanel(MediaServices(lambda: station.capture, lambda: station.attachments, lambda: settings),
                             runner)
        qtbot.addWidget(panel)
        panel.resize(900, 700)
        panel.show()  # starts the microphone
        with qtbot.waitSignal(panel.attachments_changed):
            panel.set_case(case)
        made.append(panel)
        return panel

    yield make
    for panel in made:
        panel.shutdown()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


def test_preview_and_a_photo_attached_to_the_case(qtbot, make_panel, draft, video_file, station):
    panel = make_panel(Settings(camera=str(video_file), microphone="pulse"), draft)
    panel.camera_button.click()
    qtbot.waitUntil(lambda: panel.preview.frames_shown > 10, timeout=10000)
    assert panel.camera_state.text().endswith("— trực tiếp")
    assert panel.photo_button.isEnabled()
    with qtbot.waitSignal(panel.attachments_changed, timeout=10000):
        panel.photo_button.click()
    photo = panel.model.attachment(0)
    assert photo.kind is AttachmentKind.PHOTO and photo.details["width"] == 640
    image = cv2.imdecode(np.fromfile(station.attachments.path(photo), np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (480, 640, 3)


def test_a_video_clip_with_sound(qtbot, make_panel, draft, video_file, station):
    panel = make_panel(Settings(camera=str(video_file), microphone="pulse"), draft)
    panel.camera_button.click()
    qtbot.waitUntil(lambda: panel.feed.live and panel.mic is not None and panel.mic.levels.blocks > 0,
                    timeout=10000)
    panel.clip_button.click()
    qtbot.waitUntil(lambda: panel.recording_label.text() == "● 00:02", timeout=10000)
    with qtbot.waitSignal(panel.attachments_changed, timeout=15000):
        panel.clip_button.click()
    clip = panel.model.attachment(0)
    assert clip.kind is AttachmentKind.VIDEO and clip.media_type == "video/mp4"
    with av.open(str(station.attachments.path(clip))) as container:
        kinds = {s.type: s.codec_context.name for s in container.streams}
        frames = sum(1 for _ in container.decode(video=0))
    assert kinds == {"video": "h264", "audio": "aac"} and frames >= 45


def test_a_sound_recording(qtbot, make_panel, draft, station):
    panel = make_panel(Settings(camera="0", microphone="pulse"), draft)
    qtbot.waitUntil(lambda: panel.voice_button.isEnabled() and panel.mic.first_block.is_set(), timeout=10000)
    panel.voice_button.click()
    qtbot.waitUntil(lambda: panel.recording_label.text() == "● 00:01", timeout=10000)
    with qtbot.waitSignal(panel.attachments_changed, timeout=10000):
        panel.voice_button.click()
    note = panel.model.attachment(0)
    assert note.kind is AttachmentKind.AUDIO and note.media_type == "audio/flac"
    data, rate = soundfile.read(station.attachments.path(note))
    assert rate == 48000 and abs(dominant_frequency(data) - 440) < 5


def test_camera_lost_mid_recording_keeps_what_was_recorded(qtbot, make_panel, draft, mjpeg_camera):
    panel = make_panel(Settings(camera=mjpeg_camera.url, microphone="pulse"), draft)
    panel.camera_button.click()
    qtbot.waitUntil(lambda: panel.feed.live, timeout=10000)
    panel.clip_button.click()
    qtbot.waitUntil(lambda: panel.recording_label.text() == "● 00:01", timeout=10000)
    with qtbot.waitSignal(panel.problem, timeout=15000) as problem:
        mjpeg_camera.close()
    assert "đã ghi được vẫn được giữ" in problem.args[0]
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=15000)
    assert panel.model.attachment(0).kind is AttachmentKind.VIDEO


def test_no_microphone_and_no_camera_are_said_plainly(qtbot, make_panel, draft, microphone_source, monkeypatch):
    panel = make_panel(Settings(camera="6", microphone="Không có micro này"), draft)
    assert panel.mic is None and "micro" in panel.mic_state.text().lower()
    assert not panel.voice_button.isEnabled()
    panel.camera_button.click()
    qtbot.waitUntil(lambda: "USB" in panel.camera_state.text(), timeout=10000)
    assert panel.camera_state.text().startswith("Không có camera ở cổng USB số 6")
    assert not panel.photo_button.isEnabled()


def test_no_camera_is_said_once(qtbot, make_panel, draft):
    panel = make_panel(Settings(camera="6", microphone="pulse"), draft)
    panel.camera_button.click()
    qtbot.waitUntil(lambda: "USB" in panel.camera_state.text(), timeout=10000)
    said = [text for text in (panel.preview.message, panel.camera_state.text()) if "USB số 6" in text]
    assert len(said) == 1  # under the picture, not also painted in it


def test_a_sent_case_takes_no_new_evidence(qtbot, make_panel, draft, station, video_file):
    sent = station.cases.save_draft(replace(draft, patient=replace(draft.patient, age="30", sex="female"),
                                            reason="r", question="q", specialty="surgery", hospital="k"))
    sent = station.cases.mark_ready(sent.id)
    panel = make_panel(Settings(camera=str(video_file), microphone="pulse"), sent)
    panel.camera_button.click()
    qtbot.waitUntil(lambda: panel.feed.live, timeout=10000)
    assert not panel.photo_button.isEnabled() and not panel.clip_button.isEnabled()
    assert not panel.voice_button.isEnabled() and not panel.remove_button.isEnabled()


def test_microphone_lost_mid_recording_is_said_at_once_and_comes_back_by_itself(qtbot, make_panel, draft, station,
                                                                                pulse):
    panel = make_panel(Settings(camera="0", microphone="pulse"), draft)
    qtbot.waitUntil(lambda: panel.voice_button.isEnabled() and panel.mic.first_block.is_set(), timeout=10000)
    panel.voice_button.click()
    qtbot.waitUntil(lambda: panel.recording_label.text() == "● 00:01", timeout=10000)
    try:
        with qtbot.waitSignal(panel.problem, timeout=10000) as problem:
            pulse.stop()  # the sound system dies (or the USB microphone is pulled out)
        assert "micro" in problem.args[0].lower() and "đã ghi được (1" in problem.args[0]
        assert panel.recording_label.text() == "" and not panel.voice_button.isChecked()  # the clock stopped
        assert panel.meter.rms_dbfs == -120 and "micro" in panel.mic_state.text().lower()
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)  # what was recorded is kept
        kept = panel.model.attachment(0)
        assert kept.kind is AttachmentKind.AUDIO and kept.details["duration_s"] >= 1.0
    finally:
        pulse.start()
    # Back by itself, on the same tab: a new note records the tone again.
    qtbot.waitUntil(lambda: panel.mic is not None and panel.mic.first_block.is_set() and panel.voice_button.isEnabled(),
                    timeout=15000)
    assert panel.mic_state.text() == ""
    panel.voice_button.click()
    qtbot.waitUntil(lambda: panel.recording_label.text() == "● 00:01", timeout=10000)
    with qtbot.waitSignal(panel.attachments_changed, timeout=10000):
        panel.voice_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=10000)
    newest = max((panel.model.attachment(r) for r in range(2)), key=lambda a: a.created_at)
    data, _rate = soundfile.read(station.attachments.path(newest))
    assert abs(dominant_frequency(data) - 440) < 5


def test_a_sound_server_that_comes_up_later_is_found_when_the_tab_opens(qtbot, make_panel, draft, pulse,
                                                                      monkeypatch):
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/socket")
    rescan()  # the station started before the sound system
    try:
        panel = make_panel(Settings(camera="0", microphone="pulse"), draft)
        assert panel.mic is None and not panel.voice_button.isEnabled()
        panel.hide()
        monkeypatch.undo()  # the sound system is up now
        panel.show()  # the doctor comes back to the tab
        qtbot.waitUntil(lambda: panel.mic is not None and panel.mic.first_block.is_set(), timeout=10000)
        assert panel.voice_button.isEnabled() and panel.mic_state.text() == ""
    finally:
        monkeypatch.undo()
        rescan()


def test_device_settings_borrow_the_camera_during_a_clip_and_give_it_back(qtbot, make_panel, draft, runner):
    from app.ui.device_settings import DeviceSettingsDialog
    from tests.support.mjpeg import MjpegCamera

    camera = MjpegCamera(max_viewers=1)  # like a USB camera: one program at a time
    try:
        settings = Settings(camera=camera.url, microphone="pulse")
        panel = make_panel(settings, draft)
        panel.camera_button.click()
        qtbot.waitUntil(lambda: panel.clip_button.isEnabled(), timeout=10000)
        panel.clip_button.click()
        qtbot.waitUntil(lambda: panel.recording_label.text() == "● 00:01", timeout=10000)
        with qtbot.waitSignal(panel.problem, timeout=10000) as word:
            panel.hand_over_devices("settings")
        assert "cài đặt thiết bị" in word.args[0] and "giữ" in word.args[0]
        assert "cài đặt thiết bị" in panel.camera_state.text() and not panel.feed.live
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=15000)  # the clip is kept
        assert panel.model.attachment(0).kind is AttachmentKind.VIDEO

        dialog = DeviceSettingsDialog(settings, runner)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.camera_test.click()
        qtbot.waitUntil(lambda: dialog.preview.frames_shown > 5, timeout=10000)  # the camera is the dialog's
        dialog.reject()
        with qtbot.waitSignal(panel.problem, timeout=10000) as back:
            panel.take_back_devices()
        assert "camera" in back.args[0].lower()
        qtbot.waitUntil(lambda: panel.clip_button.isEnabled() and panel.mic is not None, timeout=10000)
        assert panel.camera_button.isChecked() and panel.feed.live and camera.refused == 0
    finally:
        camera.close()


def test_a_usb_camera_is_named_in_the_users_language(qtbot, make_panel, draft, video_file, monkeypatch):
    import app.media.camera as camera_module

    real_open = camera_module._open

    def usb_camera_0(source, *args):  # a fake only for the physical USB camera: the video file stands in
        assert source.is_device and source.text == "0"
        return real_open(camera_module.CameraSource(str(video_file)), *args)

    monkeypatch.setattr(camera_module, "_open", usb_camera_0)
    panel = make_panel(Settings(camera="0", microphone="pulse"), draft)
    panel.camera_button.click()
    qtbot.waitUntil(lambda: panel.feed.live, timeout=10000)
    qtbot.waitUntil(lambda: panel.camera_state.text() != "", timeout=10000)
    assert panel.camera_state.text() == "Camera USB số 0 — trực tiếp"
