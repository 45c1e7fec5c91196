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
