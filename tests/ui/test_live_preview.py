"""The device preview before joining a live consultation: self view from the configured camera (a video
file), the microphone's level (PulseAudio tone), the link grade of the last pre-session check with the
quality it suggests, and the devices going on into the session on Join."""

from datetime import datetime, timezone

import pytest

from app.domain.check import CheckReport, grade_link
from app.domain.case import new_id
from app.services.live import LiveService
from app.services.settings import Settings
from app.storage.check_reports import CheckReportRepository
from app.ui.live_preview import LivePreviewDialog
from app.ui.live_window import quality_key


def keep_link_check(station, rtt_ms: float, up_kbps: float, down_kbps: float) -> None:
    report = CheckReport(new_id(), datetime.now(timezone.utc).isoformat(timespec="seconds"),
                         (grade_link(rtt_ms, up_kbps, down_kbps),))
    with station.db.transaction() as session:
        CheckReportRepository().insert(session, report)


@pytest.fixture
def service(station):
    return LiveService(lambda: None, checks=lambda: station.checks)


def test_no_check_yet_suggests_high_and_says_so(service):
    quality, item = service.suggested_quality()
    assert item is None and quality_key(quality) == "high"


@pytest.mark.parametrize("link, expected", [((40, 5000, 8000), "high"), ((300, 900, 1500), "low"),
                                            ((600, 300, 500), "audio-only")])
def test_the_last_link_check_chooses_the_quality(station, service, link, expected):
    keep_link_check(station, *link)
    quality, item = service.suggested_quality()
    assert item.part == "link" and quality_key(quality) == expected


def test_preview_shows_self_view_level_and_link_then_hands_devices_on(qtbot, station, service, video_file,
                                                                     microphone_source, translations):
    keep_link_check(station, 300, 900, 1500)  # a weak district link: low bandwidth suggested
    quality, item = service.suggested_quality()
    dialog = LivePreviewDialog(Settings(camera=str(video_file), microphone="pulse"), "BS Lan",
                               "Ca HC-0012 · N.V.A · 45 tuổi · Nam", quality_key(quality), item)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Tham gia hội chẩn trực tuyến"
    qtbot.waitUntil(lambda: dialog.self_view.frames_shown >= 5, timeout=10000)
    qtbot.waitUntil(lambda: dialog.meter.rms_dbfs > -40, timeout=10000)  # the 440 Hz tone is heard
    assert dialog.link_label.text().startswith("<b style='color:#ef6c00'>Yếu</b>")
    assert dialog.quality.currentText() == "Băng thông thấp (360p)" and dialog.chosen_quality == "low"
    assert dialog.quality_note.text().startswith("Đã chọn sẵn theo lần kiểm tra đường truyền")
    dialog.quality.setCurrentIndex(2)  # the doctor switches to audio only
    assert dialog.chosen_quality == "audio-only"

    dialog.join_button.click()
    assert dialog.result() == LivePreviewDialog.DialogCode.Accepted
    feed, mic = dialog.take_devices()
    try:
        assert feed.live and mic is not None and not mic.lost  # still open: the session takes them as they are
    finally:
        feed.stop()
        mic.stop()


def test_cancel_closes_the_devices(qtbot, video_file, microphone_source, translations):
    dialog = LivePreviewDialog(Settings(camera=str(video_file), microphone="pulse"), "BS Lan", "", "high", None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.link_label.text() == "Chưa kiểm tra (Công cụ → Kiểm tra trước phiên)."
    qtbot.waitUntil(lambda: dialog.feed.live, timeout=10000)
    capture = dialog.feed.capture
    dialog.cancel_button.click()
    assert dialog.feed.capture is None and not capture.running and dialog.mic is None


def test_no_microphone_still_lets_the_doctor_join(qtbot, video_file, translations):
    dialog = LivePreviewDialog(Settings(camera=str(video_file), microphone="no such microphone"), "BS Lan", "",
                               "high", None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.mic is None
    assert "Vẫn tham gia được" in dialog.mic_state.text()
    assert dialog.join_button.isEnabled()
    dialog.reject()
