"""The station's live consultation window against a real Janus: a second station (a bare LiveSession
publishing a numbered video) in the same room, rooms and join details made as the hub makes them
(tests/integration/live/conftest.py Rooms). The hub is not needed for what is checked here: the window
is given the join details, and what it tells the hub (leave, consent) goes through LiveService, whose
failures without a hub are only logged."""

from dataclasses import replace

import pytest

from app.live.session import JOINED, LiveSession, Quality
from app.media.camera import CameraCapture, CameraSource
from app.services.live import LiveService
from app.services.settings import Settings
from app.ui.capture_panel import CapturePanel
from app.ui.live_controller import LiveController
from app.ui.media_services import MediaServices
from tests.integration.live.conftest import Recorder, Rooms, numbered_image
from tests.support.janus import start_janus

pytestmark = pytest.mark.timeout(90)

HUNG = "BS Hùng — BV Bạch Mai"
LAN = "BS Lan — TTYT huyện Mèo Vạc"


@pytest.fixture
def janus(tmp_path):
    running = start_janus(tmp_path / "janus")
    yield running
    running.stop()


@pytest.fixture
def rooms(janus):
    return Rooms(janus)


@pytest.fixture(scope="module")
def numbered_video(tmp_path_factory):
    import cv2

    path = tmp_path_factory.mktemp("live-ui-video") / "numbered.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (640, 480))
    for number in range(120):
        writer.write(numbered_image(number))
    writer.release()
    return path


@pytest.fixture
def other_station(rooms, numbered_video):
    """Dr Hùng at Bạch Mai: a bare live session publishing a numbered video."""
    camera = CameraCapture(CameraSource(str(numbered_video))).start()
    recorder = Recorder()
    session = LiveSession(rooms.details(HUNG, site="BV Bạch Mai"), recorder, camera=camera, quality=Quality.LOW)
    session.start()
    recorder.wait(lambda: recorder.state == JOINED, what="the other station joined")
    yield session, recorder
    session.leave()
    camera.stop()


@pytest.fixture
def draft(station):
    case = station.cases.create_case()
    return station.cases.save_draft(replace(case, patient=replace(case.patient, full_name="Nguyễn Văn An")))


@pytest.fixture
def panel(qtbot, station, runner, video_file, microphone_source, draft, translations):
    settings = Settings(camera=str(video_file), microphone="pulse")
    made = CapturePanel(MediaServices(lambda: station.capture, lambda: station.attachments, lambda: settings), runner)
    made.settings = settings
    qtbot.addWidget(made)
    made.resize(900, 700)
    made.show()
    with qtbot.waitSignal(made.attachments_changed):
        made.set_case(draft)
    made.camera_button.click()
    qtbot.waitUntil(lambda: made.feed.live, timeout=10000)
    yield made
    made.shutdown()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


@pytest.fixture
def controller(qtbot, panel):
    service = LiveService(lambda: None)  # no hub: the window is given its join details
    made = LiveController(lambda: service, lambda: panel.settings, panel=lambda: panel)
    made.show_failure = lambda text: made.failures.append(text)
    made.failures = []
    yield made
    made.shutdown()


def open_window(qtbot, controller, details, video_file):
    """As the preview's Join does: the capture tab lends the devices, the window gets them opened."""
    controller._lend()
    feed, mic = controller._open_devices()
    return controller.open_window("L1", details, feed, mic, "high")  # closed by the controller's shutdown


def test_the_other_site_on_a_named_tile_with_video_and_the_controls_reach_it(qtbot, controller, panel, rooms,
                                                                           other_station, video_file):
    hung_session, _hung_sees = other_station
    details = replace(rooms.details(LAN), case={"code": "HC-0012", "initials": "N.V.A", "age": 45, "sex": "male"})
    assert panel.lent_to == "" and panel.feed.live
    window = open_window(qtbot, controller, details, video_file)
    assert panel.lent_to == "live" and not panel.feed.live and panel.mic is None  # one owner at a time
    assert window.banner.text() == "Đang kết nối…"
    qtbot.waitUntil(lambda: window.state == "joined", timeout=20000)
    assert window.banner.isHidden()
    # The shared screen names the case by code and initials, never the patient's name.
    assert window.case_label.text() == "Ca HC-0012 · N.V.A · 45 tuổi · Nam"
    assert "Nguyễn" not in window.windowTitle()

    qtbot.waitUntil(lambda: len(window.grid.tiles) == 1, timeout=15000)
    tile = next(iter(window.grid.tiles.values()))
    assert (tile.name, tile.site) == ("BS Hùng", "BV Bạch Mai")
    qtbot.waitUntil(lambda: tile.frames_shown >= 10, timeout=20000)
    assert tile.showing_video
    qtbot.waitUntil(lambda: window.self_tile.frames_shown >= 5, timeout=10000)  # the doctor sees themself

    # The other side sees what the doctor does.
    lan_id = lambda: next((p for p in hung_session.participants.values() if p.display == LAN), None)  # noqa: E731
    qtbot.waitUntil(lambda: lan_id() is not None and lan_id().has_video and not lan_id().muted, timeout=20000)
    window.controls.mic_button.click()
    assert window.controls.mic_button.text() == "Bật micro"
    qtbot.waitUntil(lambda: lan_id().muted, timeout=15000)
    window.controls.hand_button.click()
    qtbot.waitUntil(lambda: lan_id().hand, timeout=15000)
    window.controls.camera_button.click()
    qtbot.waitUntil(lambda: not lan_id().has_video, timeout=15000)
    assert window.self_tile.note == "Camera đang tắt"

    # And the doctor sees what the other side does.
    hung_session.raise_hand(True)
    hung_session.set_microphone_muted(True)
    qtbot.waitUntil(lambda: tile.hand and tile.muted, timeout=15000)

    # Low-bandwidth switch: audio only receives no video; back to high, the video returns.
    subscriptions = window.session.stats().get("subscriptions", 0)
    window.controls.quality.setCurrentIndex(2)
    window.controls.quality.activated.emit(2)
    assert window.session.quality is Quality.AUDIO_ONLY
    qtbot.waitUntil(lambda: not tile.has_video and not tile.showing_video, timeout=15000)
    handed = window.bridge.frames_received
    # The old subscription's video runs on until the audio-only one is up (make before break, slow on a loaded
    # machine): none of it may reach the tile, which would freeze on its last frame.
    qtbot.waitUntil(lambda: window.session.stats().get("subscriptions", 0) > subscriptions
                    and window.session.stats().get("subscribed_video") == [], timeout=60000)
    assert window.bridge.frames_received == handed and not tile.showing_video
    window.controls.quality.setCurrentIndex(0)
    window.controls.quality.activated.emit(0)
    qtbot.waitUntil(lambda: tile.has_video, timeout=15000)
    shown = tile.frames_shown
    qtbot.waitUntil(lambda: tile.frames_shown >= shown + 5, timeout=20000)

    # Leave: the session ends and the camera goes back to the capture tab.
    window.controls.leave_button.click()
    qtbot.waitUntil(lambda: panel.lent_to == "" and panel.feed.live, timeout=20000)
    assert window.state == "left" and window.controls.rejoin_button.isVisible()
    assert window.banner.text().startswith("Bạn đã rời phiên hội chẩn trực tuyến.")
    qtbot.waitUntil(lambda: all(p.display != LAN for p in hung_session.participants.values()), timeout=20000)

    # Rejoin: the camera is taken again and the other side sees the station back.
    window.service = RejoiningService(rooms, LAN)
    window.controls.rejoin_button.click()
    assert panel.lent_to == "live" and not panel.feed.live
    qtbot.waitUntil(lambda: window.state == "joined" and len(window.grid.tiles) == 1, timeout=30000)
    qtbot.waitUntil(lambda: lan_id() is not None and lan_id().has_video, timeout=20000)
    # The hand raised before leaving is down in the new session, on the self view as on the button.
    assert window.controls.hand_button.text() == "Giơ tay" and not window.self_tile.hand
    assert not lan_id().hand
    window.close()
    qtbot.waitUntil(lambda: panel.lent_to == "" and panel.feed.live, timeout=20000)


def test_janus_down_says_so_and_the_window_closes_cleanly(qtbot, controller, panel, rooms, janus, video_file):
    details = rooms.details(LAN)
    janus.stop()
    window = open_window(qtbot, controller, details, video_file)
    qtbot.waitUntil(lambda: window.state == "failed", timeout=30000)
    text = window.banner.text()
    assert text.startswith("Không kết nối được máy chủ hình ảnh (Janus): ")
    assert "Việc hội chẩn trên hồ sơ vẫn làm bình thường" in text
    assert window.controls.rejoin_button.isVisible() and window.close_button.isVisible()
    qtbot.waitUntil(lambda: panel.lent_to == "" and panel.feed.live, timeout=10000)  # the devices came back
    with qtbot.waitSignal(window.closed, timeout=10000):
        window.close_button.click()
    assert controller.window is None


class RejoiningService(LiveService):
    """The hub's part of a rejoin (fresh joining details for the same room) played by Rooms, as the hub does."""

    def __init__(self, rooms, display):
        super().__init__(lambda: None)
        self._rejoin = rooms.rejoin_for(display)

    def rejoin_for(self, live_id):
        return self._rejoin

    def join(self, live_id):
        return self._rejoin()


def test_a_dropped_link_is_said_and_the_session_comes_back(qtbot, panel, janus, rooms, other_station, video_file):
    from tests.support.faulty_proxy import FaultyProxy

    proxy = FaultyProxy(janus.http_port)
    rooms.url = f"{proxy.url}/janus"  # this station reaches Janus through a link that can drop
    service = RejoiningService(rooms, LAN)
    controller = LiveController(lambda: service, lambda: panel.settings, panel=lambda: panel)
    controller.show_failure = pytest.fail
    try:
        window = open_window(qtbot, controller, rooms.details(LAN), video_file)
        qtbot.waitUntil(lambda: window.state == "joined" and len(window.grid.tiles) == 1, timeout=20000)
        proxy.down = True
        proxy.cut()
        qtbot.waitUntil(lambda: window.state == "reconnecting", timeout=30000)
        assert window.banner.text() == "Mất kết nối — đang kết nối lại…" and window.banner.isVisible()
        assert not window.grid.tiles  # nobody is shown as present while the call is down
        proxy.down = False
        qtbot.waitUntil(lambda: window.state == "joined", timeout=40000)
        assert window.banner.isHidden()
        qtbot.waitUntil(lambda: len(window.grid.tiles) == 1, timeout=20000)
        tile = next(iter(window.grid.tiles.values()))
        shown = tile.frames_shown
        qtbot.waitUntil(lambda: tile.frames_shown >= shown + 5, timeout=20000)  # video again
        window.close()
    finally:
        controller.shutdown()
        proxy.close()


def test_the_other_site_is_heard_on_the_speaker(qtbot, controller, panel, rooms, microphone_source, video_file):
    from app.media.audio import MicrophoneCapture, dominant_frequency
    from tests.integration.live.test_session import BlockFeeder

    feeder = BlockFeeder(440.0)  # Dr Hùng speaks: a 440 Hz tone, no camera
    hung = LiveSession(rooms.details(HUNG, site="BV Bạch Mai"), Recorder(), microphone=feeder)
    hung.start()
    microphone_source.set_default_source("speaker.monitor")  # what this station's speaker plays
    listening = MicrophoneCapture(device="pulse").start()
    try:
        window = open_window(qtbot, controller, rooms.details(LAN), video_file)
        qtbot.waitUntil(lambda: window.state == "joined" and len(window.grid.tiles) == 1, timeout=20000)
        tile = next(iter(window.grid.tiles.values()))
        assert not tile.has_video and not tile.showing_video  # no camera: his initials and name
        assert window.speaker is not None and window.device_note.isHidden()
        qtbot.waitUntil(lambda: abs(dominant_frequency(listening.last(1.0)) - 440) < 10, timeout=20000)
        speaker = window.speaker
        window.close()
        assert window.speaker is None and speaker._stream is None  # the speaker is let go with the window
    finally:
        hung.leave()
        feeder.stop()
        listening.stop()


def test_the_camera_lost_mid_session_is_said_and_the_others_see_the_name(qtbot, rooms, other_station,
                                                                         mjpeg_camera, translations):
    hung_session, _ = other_station
    settings = Settings(camera=mjpeg_camera.url, microphone="no such microphone")
    controller = LiveController(lambda: LiveService(lambda: None), lambda: settings)
    controller.show_failure = pytest.fail
    try:
        feed, mic = controller._open_devices()
        window = controller.open_window("L1", rooms.details(LAN), feed, mic, "high")
        lan = lambda: next((p for p in hung_session.participants.values() if p.display == LAN), None)  # noqa: E731
        qtbot.waitUntil(lambda: lan() is not None and lan().has_video, timeout=20000)
        qtbot.waitUntil(lambda: window.self_tile.frames_shown >= 3, timeout=10000)
        mjpeg_camera.dead.set()  # unplugged
        qtbot.waitUntil(lambda: window.self_tile.note == "Mất camera: mọi người thấy tên bạn thay cho hình",
                        timeout=20000)
        qtbot.waitUntil(lambda: not lan().has_video, timeout=20000)  # the others see the name tile
        mjpeg_camera.dead.clear()  # plugged back in
        qtbot.waitUntil(lambda: window.self_tile.note == "" and lan().has_video, timeout=30000)
        window.close()
    finally:
        controller.shutdown()


def test_no_camera_at_the_configured_port_is_said_as_none_not_as_lost(qtbot, rooms, other_station, translations):
    """A camera that never gave a picture was not "lost": the self view says there is none."""
    settings = Settings(camera="/dev/video97", microphone="no such microphone")
    controller = LiveController(lambda: LiveService(lambda: None), lambda: settings)
    controller.show_failure = pytest.fail
    try:
        feed, mic = controller._open_devices()
        window = controller.open_window("L1", rooms.details(LAN), feed, mic, "high")
        qtbot.waitUntil(lambda: window.state == "joined", timeout=20000)
        qtbot.waitUntil(lambda: getattr(window, "_camera_lost", False), timeout=20000)
        assert window.self_tile.note == "Không có camera"
        # No microphone either: nothing to mute, so the button is not offered (it only changed its label).
        assert not window.controls.mic_button.isEnabled() and window.self_tile.muted
        assert window.controls.mic_button.toolTip() == "Không có micro: mọi người không nghe được bạn"
        window.close()
    finally:
        controller.shutdown()


def test_a_ticket_janus_refuses_is_said_with_what_to_do(qtbot, controller, panel, rooms, video_file):
    refused = replace(rooms.details(LAN), room_token="not-a-ticket-the-hub-gave")
    window = open_window(qtbot, controller, refused, video_file)
    qtbot.waitUntil(lambda: window.state == "failed", timeout=30000)
    assert window.banner.text().startswith("Máy chủ hình ảnh (Janus) từ chối vé vào phiên của máy trạm")
    assert window.controls.rejoin_button.isVisible()
    qtbot.waitUntil(lambda: panel.lent_to == "" and panel.feed.live, timeout=10000)  # the devices came back
    window.close()
