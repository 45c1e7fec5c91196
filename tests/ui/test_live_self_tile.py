"""The doctor's own small view in the live window: named and lettered as the other sites see this station, not
"Bạn" with the letter B (an outsider's finding); the site names' common words (TTYT, huyện, Bệnh viện…) give no
letters, so a station's tile reads MV for TTYT huyện Mèo Vạc, as its tile does at every other site."""

from types import SimpleNamespace

import pytest

from app.services.live import LiveService
from app.ui.live_tiles import ParticipantTile, initials
from app.ui.live_window import LiveWindow


def window_for(qtbot, display: str, site: str) -> LiveWindow:
    details = SimpleNamespace(case={"code": "00000-1", "initials": "T.T.H.", "age": "58", "sex": "female"},
                              display=display, site=site, recording={})
    window = LiveWindow(LiveService(lambda: None), "L1", details)  # not started: the tile is drawn at once
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
