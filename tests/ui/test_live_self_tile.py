"""The doctor's own small view in the live window: named and lettered as the other sites see this station, not
"Bạn" with the letter B (an outsider's finding); the site names' common words (TTYT, huyện, Bệnh viện…) give no
letters, so a station's tile reads MV for TTYT huyện Mèo Vạc, as its tile does at every other site."""

from types import SimpleNamespace

import pytest

from app.media.camera import CameraSource
from app.services.live import LiveService
from app.ui.camera_view import CameraFeed
from app.ui.live_tiles import ParticipantTile, initials
from app.ui.live_window import LiveWindow


def window_for(qtbot, display: str, site: str, camera_feed=None) -> LiveWindow:
    details = SimpleNamespace(case={"code": "00000-1", "initials": "T.T.H.", "age": "58", "sex": "female"},
                              display=display, site=site, recording={})
    # Not started: the tile is drawn at once.
    window = LiveWindow(LiveService(lambda: None), "L1", details, camera_feed=camera_feed)
    qtbot.addWidget(window)
    window.show()
    return window


def as_others_see(display: str, site: str) -> ParticipantTile:
    tile = ParticipantTile("p1")
    tile.set_participant(SimpleNamespace(display=display, site=site))
    return tile


@pytest.mark.parametrize("display, site, letters, caption", [
    ("TTYT huyện Mèo Vạc", "TTYT huyện Mèo Vạc", "MV", "TTYT huyện Mèo Vạc (bạn)"),
    ("PGS.TS Nguyễn Thị Lan — Bệnh viện Bạch Mai", "Bệnh viện Bạch Mai", "NL", "PGS.TS Nguyễn Thị Lan (bạn)"),
])
def test_the_self_tile_shows_what_the_others_see_of_this_station(qtbot, translations, display, site, letters,
                                                                 caption):
    window = window_for(qtbot, display, site)
    tile = window.self_tile
    assert tile.initials() == letters
    assert tile.initials() == as_others_see(display, site).initials()
    assert tile.caption() == caption


def test_without_a_display_the_self_tile_says_you(qtbot, translations):
    tile = window_for(qtbot, "", "").self_tile
    assert tile.caption() == "Bạn" and tile.initials() == "?"


@pytest.mark.parametrize("name, letters", [
    ("BS Nguyễn Thị Lan", "NL"), ("PGS.TS Lan", "L"), ("TTYT huyện Đồng Văn", "ĐV"),
    ("Bệnh viện Đa khoa Trung ương Cần Thơ", "CT"), ("BV Chợ Rẫy", "CR"), ("Bệnh viện K", "K"),
    ("Trạm Y tế xã Lũng Cú", "LC"), ("Trung tâm Y tế", "TT"), ("BS Lê Trung", "LT"),
    ("Máy trạm này (trung tâm cục bộ)", "MN"), ("(trung tâm cục bộ)", "TB"),
])
def test_initials(name, letters):
    assert initials(name) == letters


def test_without_a_camera_its_button_is_off_as_the_microphone_s(qtbot, translations):
    """"Không có camera" on the self view, yet "Tắt camera" could be pressed (an outsider's screenshot): with
    nothing to stop, the button is off and says why, as the microphone's is without a microphone."""
    window = window_for(qtbot, "TTYT huyện Mèo Vạc", "TTYT huyện Mèo Vạc")  # no camera, no microphone given
    window.on_state("joined", "")
    assert window.self_tile.note == "Không có camera"
    assert not window.controls.camera_button.isEnabled()
    assert window.controls.camera_button.toolTip() == "Không có camera: mọi người thấy tên bạn thay cho hình"
    assert not window.controls.mic_button.isEnabled()


@pytest.fixture
def feed(qtbot):
    made = CameraFeed()
    yield made
    made.stop()


def test_a_camera_feed_without_a_camera_leaves_its_button_off(qtbot, translations, feed):
    """The station opens its feed on the configured port (USB 0) whether a camera is there or not: the feed
    exists, keeps trying, and never gives a picture. "Tắt camera" stayed on then, after joining and after each
    "Vào lại" (an outsider's finding): pressed, it said "Camera đang tắt" of a camera that does not exist."""
    with qtbot.waitSignal(feed.state_changed, check_params_cb=lambda state, _m: state == "reconnecting",
                          timeout=10000):
        feed.start(CameraSource("97"))  # a USB index with no camera, as USB 0 on a machine without one
    window = window_for(qtbot, "TTYT huyện Mèo Vạc", "TTYT huyện Mèo Vạc", camera_feed=feed)
    window.on_state("joined", "")
    assert window.self_tile.note == "Không có camera"
    assert not window.controls.camera_button.isEnabled()
    assert window.controls.camera_button.toolTip() == "Không có camera: mọi người thấy tên bạn thay cho hình"
    # Still none after the next failed try (joined first, the camera's report after).
    with qtbot.waitSignal(feed.state_changed, timeout=10000):
        pass
    assert not window.controls.camera_button.isEnabled()


def test_the_camera_button_comes_on_with_the_first_picture(qtbot, translations, feed, video_file):
    """Joined while the camera is still opening (a rejoin opens it anew): off until it gives a picture, then on."""
    feed.start(CameraSource(str(video_file)))
    window = window_for(qtbot, "TTYT huyện Mèo Vạc", "TTYT huyện Mèo Vạc", camera_feed=feed)
    window.on_state("joined", "")
    qtbot.waitUntil(lambda: window.controls.camera_button.isEnabled(), timeout=10000)
    assert window.controls.camera_button.toolTip() == "" and window.self_tile.note == ""
    window.controls.camera_button.click()
    assert window.self_tile.note == "Camera đang tắt"


LOCAL_HUB_STATION = "Máy trạm này (trung tâm cục bộ)"  # the station's display on the embedded local hub


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_a_long_name_is_shortened_and_you_stays_whole(qtbot, translations, size):
    """"Máy trạm này (trung tâm cục bộ) (bạn)" was cut at the right: "(bạn)" never showed (an outsider's
    finding at 1366 and 1280 wide). The name is shortened, "(bạn)" kept."""
    window = window_for(qtbot, LOCAL_HUB_STATION, LOCAL_HUB_STATION)
    window.resize(*size)
    tile = window.self_tile
    assert tile.caption() == "Máy trạm này (trung tâm cục bộ) (bạn)"
    assert tile.initials() == "MN"
    [shown] = tile.caption_lines()  # the station's display is its site: one line
    assert shown.endswith("… (bạn)") and shown.startswith("Máy trạm")
    # A short name is not touched.
    assert window_for(qtbot, "TTYT huyện Mèo Vạc", "").self_tile.caption_lines() == ["TTYT huyện Mèo Vạc (bạn)"]


def test_another_site_s_caption_is_shortened_at_the_right(qtbot):
    tile = as_others_see("PGS.TS Nguyễn Thị Lan Phương Anh Hoàng — Bệnh viện Đa khoa Trung ương Cần Thơ",
                         "Bệnh viện Đa khoa Trung ương Cần Thơ")
    qtbot.addWidget(tile)
    tile.resize(224, 126)
    [shown] = tile.caption_lines()
    assert shown.startswith("PGS.TS Nguyễn") and shown.endswith("…")
    tile.resize(320, 180)  # two lines: the name, the site
    name, site = tile.caption_lines()
    assert name.startswith("PGS.TS Nguyễn") and site.startswith("Bệnh viện")
