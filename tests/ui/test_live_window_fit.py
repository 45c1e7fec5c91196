"""The live window stays within a 1280×720 screen whatever its notes say: a long list of invited sites (or of
sites whose consent a recording waits for) once widened it past the screen, Mời… and Rời phiên out of reach."""

from types import SimpleNamespace

from app.services.live import UNREACHABLE, LiveError, LiveService
from app.ui.live_window import LiveWindow

SITES = "; ".join(f"Trung tâm Y tế huyện Đồng Văn cơ sở {n}" for n in range(1, 9))


def test_long_notes_wrap_instead_of_widening_the_window(qtbot, translations):
    details = SimpleNamespace(case={"code": "00000-1", "initials": "T.T.H.", "age": "58", "sex": "female"},
                              display="Máy trạm", site="TTYT huyện Mèo Vạc", recording={})
    window = LiveWindow(LiveService(lambda: None), "L1", details)  # not started: no session is needed here
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    window.note.setText(f"Đã mời: {SITES}")
    window.recording_wait.setText(f"Ghi hình chờ các điểm cầu đồng ý (còn chờ: {SITES})")
    window.recording_wait.show()
    qtbot.waitUntil(lambda: window.note.isVisible())
    assert window.minimumSizeHint().width() <= 1280
    assert window.width() <= 1280
    for button in (window.invite_button, window.controls.leave_button):
        assert window.rect().contains(button.mapTo(window, button.rect().topRight()))


class NoHub(LiveService):
    """The hub's part of a rejoin, never answering in the test's time: the window stays "connecting"."""

    def join(self, live_id):
        raise LiveError(UNREACHABLE, "not in this test")


def test_leave_and_rejoin_keep_the_window_size(qtbot, translations):
    """Rejoin showed Rời phiên while Tham gia lại and Đóng were still shown: for that moment the bottom row
    was one button wider than the window, which Qt widened for good (1100 -> 1125 px at 1366x768)."""
    details = SimpleNamespace(case={"code": "00000-1", "initials": "T.T.H.", "age": "58", "sex": "female"},
                              display="Máy trạm", site="TTYT huyện Mèo Vạc", recording={})
    window = LiveWindow(NoHub(lambda: None), "L1", details, present=lambda _window: None)
    qtbot.addWidget(window)
    window.show()
    window.on_state("joined", "")
    window.on_state("left", "")
    # As narrow as the window goes with its rejoin and close buttons: any wider moment shows in its size.
    window.resize(window.minimumSizeHint().width(), 700)
    qtbot.waitUntil(lambda: window.width() == window.minimumSizeHint().width())
    before = window.size()
    window.controls.rejoin_button.click()
    assert window.state in ("connecting", "failed")
    qtbot.waitUntil(lambda: window.state == "failed")
    window.on_state("joined", "")
    assert window.size() == before
    window.on_state("left", "")
    window.on_state("connecting", "")
    assert window.size() == before
