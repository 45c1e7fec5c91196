"""A participant whose video a LOW station does not receive keeps its tile: name, initials, and why."""

from PySide6.QtCore import QCoreApplication

from app.live.session import Participant
from app.ui.live_tiles import ParticipantTile


def test_a_paused_video_tile_says_so_in_vietnamese(qtbot, translations):
    assert QCoreApplication.translate("ParticipantTile", "Video paused to save bandwidth") == \
        "Tạm dừng hình để tiết kiệm băng thông"
    tile = ParticipantTile("p1")
    qtbot.addWidget(tile)
    tile.resize(320, 180)
    sending = Participant("p1", "BS Lan — TTYT huyện Mèo Vạc", "TTYT huyện Mèo Vạc", has_video=False, has_audio=True)
    tile.set_participant(sending)
    plain = tile.grab().toImage()
    tile.set_participant(Participant("p1", sending.display, sending.site, has_video=False, has_audio=True,
                                     video_paused=True))
    assert tile.video_paused and not tile.showing_video
    assert tile.grab().toImage() != plain, "the note is painted over the initials"
    assert tile.name  # the name stays


def test_a_note_on_a_small_tile_stays_at_its_top_and_leaves_the_initials_clear(qtbot, translations):
    """The self view at 1366×768 is 224×126: its note ("camera lost") was painted in the initials' big bold
    font, filling the tile and covering the initials. It is in the caption's size now, over the top only."""
    tile = ParticipantTile("self", is_self=True)
    qtbot.addWidget(tile)
    tile.resize(224, 126)
    tile.name = "Bạn"
    tile.note = "Mất camera: mọi người thấy tên bạn thay cho hình"
    image = tile.grab().toImage()
    width, height = image.width(), image.height()
    ratio = width / tile.width()  # a high-DPI grab has more pixels than the widget
    circle = min(tile.width(), tile.height()) * 0.42 * ratio  # as _paint_initials draws it
    left, right = (width - circle) / 2, (width + circle) / 2

    def white(x, y):
        colour = image.pixelColor(x, y)
        return min(colour.red(), colour.green(), colour.blue()) > 200

    # No text beside the initials, between the top half and the caption band at the bottom.
    rows = range(int(height * 0.5), int(height - 30 * ratio))
    stray = [(x, y) for y in rows for x in range(width) if not left - 2 <= x <= right + 2 and white(x, y)]
    assert not stray, f"the note reaches down beside the initials, e.g. at {stray[:3]}"
    assert any(white(x, y) for y in range(int(height * 0.4)) for x in range(width)), "the note is painted"
