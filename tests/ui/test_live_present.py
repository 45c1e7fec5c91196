"""The live window's "Trình chiếu ảnh" button as the station wires it (MainWindow.attach_live_viewer): a toggle.
Pressed, the case's DICOM viewer comes in front of the live window on its tab and presents, the button says
"Dừng trình chiếu"; pressed again, every site is told the presentation stopped. No Janus: what the session
would carry is what the window hands to its session's `send`."""

import pytest
from PySide6.QtWidgets import QApplication

from app.live.details import JoinDetails
from app.ui.live_window import LiveWindow
from app.ui.main_window import MainWindow
from app.ui.media_services import MediaServices
from app.wire.live import PRESENTING, decode, presenting_message
from tests.support.dicom_series import ct_series


class Channel:
    """Stands for the joined session's data channel: what the window sends, kept."""

    def __init__(self):
        self.sent = []

    def send(self, text: str) -> None:
        self.sent.append(decode(text))

    def presenting(self) -> list[str]:
        return [message.body.get("presenter", "") for message in self.sent if message.type == PRESENTING]


@pytest.fixture
def scene(qtbot, tmp_path, station, runner, translations):
    case = station.cases.create_case()
    station.imports.import_paths(case.id, ct_series(tmp_path / "ct", slices=5))
    media = MediaServices(lambda: station.capture, lambda: station.attachments, lambda: station.settings,
                          checks=lambda: station.checks, imaging=lambda: station.imaging)
    main = MainWindow(station.cases, runner, str(station.paths.root), media)
    qtbot.addWidget(main)
    main.resize(1000, 700)
    main.show()
    main.open_case(case.id)
    qtbot.waitUntil(lambda: main.editor is not None and main.editor.case is not None, timeout=10000)
    main.editor.tabs.setCurrentIndex(0)  # the doctor is on Hồ sơ
    details = JoinDetails(live_id="L1", janus_url="http://127.0.0.1:9/janus", token="t", room="r", room_token="k",
                          opaque_id="o", display="BS Lan — TTYT huyện Mèo Vạc", request=case.id,
                          case={"code": "HC-0001"})
    live = LiveWindow(None, "L1", details)  # not started: its session stands in below
    qtbot.addWidget(live)
    main.attach_live_viewer(live)
    live.controls.set_in_session(True, False)  # as once joined
    channel = Channel()
    live.session = channel
    live.show()
    live.activateWindow()  # the doctor is in the live window, over the case
    qtbot.waitUntil(lambda: QApplication.activeWindow() is live)
    yield main, live, channel
    live.session = None


def test_show_images_brings_the_viewer_forward_and_the_second_press_stops_for_everyone(qtbot, scene):
    main, live, channel = scene
    button, viewer, sync = live.controls.present_button, main.editor.viewer, live.viewer_sync
    assert button.text() == "Trình chiếu ảnh" and not button.isChecked()

    button.click()
    assert sync.mode == "presenting"
    assert main.editor.tabs.currentWidget().isAncestorOf(viewer)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main)  # in front of the live window
    assert button.isChecked() and button.text() == "Dừng trình chiếu"
    assert viewer.live_banner.text().startswith("Đang trình chiếu")
    assert channel.presenting() == ["BS Lan — TTYT huyện Mèo Vạc"]

    button.click()  # again: a stop, not a second presentation
    assert sync.mode is None
    assert not button.isChecked() and button.text() == "Trình chiếu ảnh"
    assert channel.presenting() == ["BS Lan — TTYT huyện Mèo Vạc", ""]  # the others are told
    assert not viewer.live_banner.isVisibleTo(viewer)

    button.click()  # and a third press presents again
    assert sync.mode == "presenting" and button.isChecked()


def test_another_site_taking_over_turns_the_button_off(qtbot, scene):
    main, live, channel = scene
    button, sync = live.controls.present_button, live.viewer_sync
    button.click()
    assert button.isChecked()

    live.bridge.data_received.emit("expert-3", decode(presenting_message("Dr Martin — Saint-Louis",
                                                                         "Dr Martin — Saint-Louis")))
    assert sync.mode == "following"
    assert not button.isChecked() and button.text() == "Trình chiếu ảnh"
    button.click()  # this site presents again, taking it back
    assert sync.mode == "presenting" and button.isChecked()
