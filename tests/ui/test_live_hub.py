"""A live consultation through the real hub with its own Janus (`serve --local-sfu`): station A opens it from
the case's Hội chẩn tab, station B is invited, hears it by push and joins from the notification; each sees
the other on a named tile with video, through the device preview; the recording question; leaving."""

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from app.services.station import Station
from app.ui.live_controller import LiveController
from app.ui.main_window import MainWindow
from app.ui.media_services import MediaServices
from app.ui.runner import TaskRunner
from app.ui.sync_controller import SyncController
from tests.support.cases import submitted_case
from tests.support.hub import RunningHub

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def stations(tmp_path, live_hub, video_file, microphone_source):
    made = []
    for name, facility in (("TTYT huyện Mèo Vạc", "01234"), ("TTYT huyện Đồng Văn", "01235")):
        station = Station(tmp_path / facility)
        _, code = live_hub.register("station", facility=facility, name=name)
        station.sync.enroll(live_hub.url, code)
        station.save_settings(replace(station.settings, camera=str(video_file), microphone="pulse"))
        made.append(station)
    yield made
    for station in made:
        station.close()


@pytest.fixture
def runner(qtbot):
    made = TaskRunner()
    yield made
    made.shutdown()


def media_of(station) -> MediaServices:
    return MediaServices(lambda: station.capture, lambda: station.attachments, lambda: station.settings,
                         checks=lambda: station.checks, imaging=lambda: station.imaging)


def test_started_from_the_case_joined_from_the_invitation(qtbot, tmp_path, stations, runner, translations):
    meo_vac, dong_van = stations
    case = submitted_case(meo_vac, tmp_path, name="Hoàng Thị Lan", slices=3)
    meo_vac.sync.run_once()

    # Đồng Văn's station runs as the app does: its main window syncing with the hub and listening to its push.
    window_b = MainWindow(dong_van.cases, runner, str(dong_van.paths.root), media_of(dong_van),
                          consultation=lambda: dong_van.consultation, live=lambda: dong_van.live)
    qtbot.addWidget(window_b)
    window_b.show()
    sync_b = SyncController(lambda: dong_van.sync, local_hub=False, parent=window_b)
    window_b.attach_sync(sync_b)
    sync_b.start()
    qtbot.waitUntil(lambda: sync_b.push is not None and sync_b.push.connected.is_set(), timeout=15000)

    window = MainWindow(meo_vac.cases, runner, str(meo_vac.paths.root), media_of(meo_vac),
                        consultation=lambda: meo_vac.consultation, live=lambda: meo_vac.live)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    try:
        window.open_consultation(case.id)
        qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None
                        and window.editor.case.id == case.id, timeout=10000)
        tab = window.editor.consultation
        assert tab.live_button.isVisible() and tab.live_button.text() == "Hội chẩn trực tuyến"

        # The doctor opens it from the tab: the preview, then the window.
        tab.live_button.click()
        controller = window.live
        controller.show_failure = pytest.fail
        qtbot.waitUntil(lambda: controller.preview is not None, timeout=15000)
        preview = controller.preview
        assert preview.case_line.text().startswith("Ca ") and "Hoàng" not in preview.case_line.text()
        qtbot.waitUntil(lambda: preview.feed.live, timeout=10000)
        preview.join_button.click()
        qtbot.waitUntil(lambda: controller.window is not None and controller.window.state == "joined", timeout=30000)
        here = controller.window
        live = meo_vac.live.open_for_case(case.id)
        assert here.live_id == live.id

        # The pre-session check cannot take the camera from the session (it would block here if it opened).
        window.check_action.trigger()
        assert window.statusBar().currentMessage().startswith("Camera và micro đang dùng cho phiên hội chẩn")

        # and invites Đồng Văn, found by its name (app/ui/live_invite.py).
        here.invite_button.click()
        qtbot.keyClicks(here.invite_dialog.search, "dong van")
        qtbot.waitUntil(lambda: here.invite_dialog.row("dong van") is not None, timeout=15000)
        here.invite_dialog.row("dong van").setCheckState(Qt.CheckState.Checked)
        here.invite_dialog.invite_button.click()
        qtbot.waitUntil(lambda: here.note.text() == "Đã mời: TTYT huyện Đồng Văn", timeout=15000)

        # Đồng Văn: the invitation arrived by push, naming the inviting site, with a Join button in the window.
        qtbot.waitUntil(lambda: window_b.live is not None and window_b.live.notice.isVisible(), timeout=20000)
        invited = window_b.live
        invited.show_failure = pytest.fail
        assert invited.last_invitation == live.id
        assert invited.notice.text.text() == "TTYT huyện Mèo Vạc mời tham gia hội chẩn trực tuyến"
        invited.notice.join_button.click()
        qtbot.waitUntil(lambda: invited.preview is not None, timeout=15000)
        invited.preview.join_button.click()
        qtbot.waitUntil(lambda: invited.window is not None and invited.window.state == "joined", timeout=30000)
        there = invited.window

        # Each sees the other, named by the hub, with video.
        for window_, name in ((here, "TTYT huyện Đồng Văn"), (there, "TTYT huyện Mèo Vạc")):
            qtbot.waitUntil(lambda w=window_: len(w.grid.tiles) == 1, timeout=20000)
            tile = next(iter(window_.grid.tiles.values()))
            assert (tile.name, tile.site) == (name, "")  # a station is named by its site, once
            qtbot.waitUntil(lambda t=tile: t.frames_shown >= 5, timeout=30000)

        # "Trình chiếu ảnh": Mèo Vạc's viewer, in front, presents; Đồng Văn's viewer follows it.
        viewer_a = window.editor.viewer
        here.controls.present_button.click()
        assert window.editor.tabs.currentWidget().isAncestorOf(viewer_a)
        assert viewer_a.live_banner.text().startswith("Đang trình chiếu")
        # (Đồng Văn does not hold this case's images: its viewer says whose presentation it follows, and that
        # the images are not on this station.)
        qtbot.waitUntil(lambda: there.viewer_sync.mode == "following", timeout=20000)
        banner = window_b.editor.viewer.live_banner
        assert not banner.isHidden()
        assert banner.text().startswith("Đang theo dõi trình chiếu của TTYT huyện Mèo Vạc")

        # Recording: asked for on the hub; each station is asked, and once both agree the indicator shows.
        import httpx

        client = meo_vac.live._client
        reply = httpx.post(f"{client.base}/live/{live.id}/recording", json={"on": True},
                           headers={"Authorization": f"Bearer {client.token()}"}, timeout=20)
        assert reply.status_code < 300, reply.text
        # The starter's request is its own agreement: only Đồng Văn is asked.
        there.poll_recording()
        qtbot.waitUntil(lambda: there.consent_dialog is not None and there.consent_dialog.isVisible(), timeout=20000)
        box = there.consent_dialog
        assert "TT 49/2017" in box.text()
        here.poll_recording()
        qtbot.waitUntil(lambda: here.recording.get("state") == "waiting", timeout=20000)
        assert here.consent_dialog is None and not here.recording_label.isVisible()
        assert here.recording_wait.text() == "Ghi hình chờ các điểm cầu đồng ý (còn chờ: TTYT huyện Đồng Văn)"
        box.buttons()[0].click()  # Đồng ý ghi hình
        for window_ in (here, there):
            qtbot.waitUntil(lambda w=window_: w.recording_label.isVisible(), timeout=30000)  # polled every 5 s
        assert here.recording_label.text() == "● Đang ghi hình" and here.recording_wait.isHidden()

        # Đồng Văn leaves: Mèo Vạc's tile of it goes.
        there.controls.leave_button.click()
        qtbot.waitUntil(lambda: not here.grid.tiles, timeout=30000)
        there.close()
    finally:
        sync_b.shutdown()
        window_b.close()  # leaves its live session too
        window.close()
        qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


def test_a_hub_without_its_video_server_is_said_plainly(qtbot, tmp_path, video_file, translations):
    hub = RunningHub(tmp_path / "plain-hub").start()  # no Janus configured: the hub answers 503 sfu-unavailable
    station = Station(tmp_path / "station")
    try:
        _, code = hub.register("station", facility="01234", name="TTYT huyện Mèo Vạc")
        station.sync.enroll(hub.url, code)
        case = submitted_case(station, tmp_path, slices=0)
        station.sync.run_once()
        controller = LiveController(lambda: station.live, lambda: station.settings)
        failures = []
        controller.show_failure = failures.append
        controller.start_or_join(case.id)
        qtbot.waitUntil(lambda: len(failures) > 0, timeout=15000)
        assert failures[0].startswith("Không kết nối được máy chủ hình ảnh (Janus): máy chủ trung tâm không "
                                      "liên lạc được. Việc hội chẩn trên hồ sơ vẫn làm bình thường")
        assert controller.window is None and controller.preview is None
        controller.shutdown()
    finally:
        station.close()
        hub.stop()
