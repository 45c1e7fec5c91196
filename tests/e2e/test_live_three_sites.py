"""A live consultation of three sites, end to end (issue 15, "Done when"): two stations of two facilities and a
browser expert, with the synced DICOM viewer and a recording made only once everyone agreed.

Real parts only: the hub with its own Janus (RunningHub(local_sfu=True)) and Orthanc; two stations as the app
runs them (app.services.station.Station, enrolled with the hub: the case's station submits a case with a CT
through its sync, starts the session on it and invites the other facility; each joins through its LiveService
with app.live.LiveSession, a video file as camera) each with its own DicomViewer and ViewerSync; the expert the
case is routed to, signed in to the console in Debian's Chromium (fake camera and microphone) on
/console/live/{id}.

Each sees the other two by the names the hub gave and receives their video; the case's station presents its
CT (slice and bone window) and both the other station's viewer (from its own copy of the study) and the
browser's viewer follow; the case's station asks for a recording: nothing is written until all three agreed
(the other station through its service, the expert on the page's prompt), then Janus records; after the end
each participant's recording is a DocumentReference (category recording) the case's station reads and the
invited facility does not; the attendance lists all three with their join and leave times.
"""

import time

import httpx
import pytest
from PySide6.QtCore import QObject, Signal

from app.live.session import JOINED, LiveSession
from app.media.camera import CameraCapture, CameraSource
from app.services.station import Station
from app.sync.hub_client import HubClient
from app.ui.dicom_viewer import DicomViewer
from app.ui.runner import TaskRunner
from app.ui.viewer_sync import ViewerSync
from app.wire import consultation as wire
from server.live import recording
from tests.integration.hub.live.test_recording import janus_records, mjr
from tests.integration.live.conftest import Recorder, numbered_video  # noqa: F401 (a fixture)
from tests.support.browser import WEBRTC_ARGS, chromium, signed_in_page
from tests.support.cases import submitted_case

from .test_live_browser import tile_playing, viewer_frame
from .test_viewer import make_person

pytestmark = pytest.mark.timeout(240)

HOME = ("TTYT huyện Mèo Vạc", "0100A")      # the case's station: starts, presents, asks for the recording
GUEST = ("TTYT huyện Đồng Văn", "0200B")    # the invited facility


@pytest.fixture(scope="module")
def browser():
    """Chromium with the WebRTC flags of RECIPES.md and a fake camera and microphone."""
    with chromium(WEBRTC_ARGS) as opened:
        yield opened


@pytest.fixture
def stations(tmp_path, live_hub):
    made = []
    for name, facility in (HOME, GUEST):
        station = Station(tmp_path / facility)
        _, code = live_hub.register("station", facility=facility, name=name)
        station.sync.enroll(live_hub.url, code)
        made.append(station)
    yield made
    for station in made:
        station.close()


@pytest.fixture
def runner(qtbot):
    made = TaskRunner()
    yield made
    made.shutdown()


@pytest.fixture
def cameras(numbered_video):  # noqa: F811 (the fixture imported above)
    """One camera per station: the numbered video file (the only stand-in: no USB camera here)."""
    opened = [CameraCapture(CameraSource(str(numbered_video))).start() for _ in range(2)]
    yield opened
    for camera in opened:
        camera.stop()


@pytest.fixture
def sessions():
    started = []
    yield started
    for session in started:
        session.leave()
    for session in started:
        assert session._thread is None or not session._thread.is_alive(), "a live session's thread outlived it"


class Heard(Recorder):
    """A station's listener: what it is told, kept; data messages and participants also handed to the Qt thread
    (queued signals, as the live window's bridge does), where the viewer's sync hears them."""

    class _Bridge(QObject):
        data = Signal(str, object)
        participant = Signal(object)

    def __init__(self):
        super().__init__()
        self.bridge = self._Bridge()

    def on_data(self, participant_id, message):
        super().on_data(participant_id, message)
        self.bridge.data.emit(participant_id, message)

    def on_participant(self, participant):
        super().on_participant(participant)
        self.bridge.participant.emit(participant)


def wire_sync(viewer, session: LiveSession, heard: Heard) -> ViewerSync:
    """The viewer's ViewerSync on the session's data channel, as attach_to_live_window wires it: the others'
    messages reach it, and a participant who starts hearing us is told where we are."""
    sync = ViewerSync(viewer, session.send, session.details.display, case=session.details.request, parent=viewer)
    heard.bridge.data.connect(sync.on_message)
    hearing: set[str] = set()

    def changed(participant):
        if participant.listening and participant.id not in hearing:
            sync.resend()
        (hearing.add if participant.listening else hearing.discard)(participant.id)
    heard.bridge.participant.connect(changed)
    return sync


def open_viewer(qtbot, station: Station, runner, case_id: str) -> DicomViewer:
    viewer = DicomViewer(station.imaging, runner)
    qtbot.addWidget(viewer)
    viewer.resize(800, 560)
    viewer.show()
    viewer.set_case(case_id)
    qtbot.waitUntil(lambda: viewer.view.image is not None, timeout=15000)
    return viewer


def until(qtbot, condition, what: str, timeout_s: float = 20.0) -> None:
    """Run the stations' event loop until `condition()` (which may also look at the browser)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"after {timeout_s:.0f} s still not: {what}"
        qtbot.wait(50)


def shown_instance(viewer) -> str:
    return viewer.current.images[viewer.index].info["sop_instance_uid"]


def more_frames(heard: Heard, display: str, count: int, sessions) -> None:
    """`count` more frames of `display`'s video decoded (media still flowing); what each side had, if not."""
    who = heard.by_display(display).id
    target = heard.frames[who] + count
    try:
        heard.wait(lambda: heard.frames[who] >= target, 20, f"{count} more frames of {display}")
    except AssertionError as failed:
        seen = {p.display: heard.frames.get(p.id, 0) for p in heard.participants.values()}
        raise AssertionError(f"{failed}; frames so far {seen}; the sessions' stats {[s.stats() for s in sessions]}")


def hub_get(client: HubClient, path: str) -> httpx.Response:
    return httpx.get(f"{client.base}{path}", headers={"Authorization": f"Bearer {client.token()}"}, timeout=20)


def test_two_stations_and_a_browser_expert_with_the_synced_viewer_and_a_consented_recording(
        qtbot, browser, live_hub, stations, runner, cameras, sessions, tmp_path):
    started = time.monotonic()
    home, guest = stations
    home_api, guest_api = (HubClient(s.sync.credential()) for s in stations)

    # The case's station submits a case with a 12-slice CT; its sync sends it all (the CT through the hub to
    # Orthanc). The invited facility holds its own copy of the same study (the patient's images came with them).
    case = submitted_case(home, tmp_path, slices=12, size=128)
    for _ in range(5):
        home.sync.run_once()
        if not home.sync.status().unsent_by_case:
            break
    assert not home.sync.status().unsent_by_case, "the case's station sent everything"
    ct = sorted((tmp_path / f"ct-{case.id[:8]}").iterdir())
    copy = guest.cases.create_case()
    guest.imports.import_paths(copy.id, ct)

    # Mèo Vạc starts the session on its case and invites Đồng Văn; both join through their live service.
    live = home.live.start(case.id, facilities=[GUEST[1]])
    assert live.request == case.id
    assert [s.id for s in guest.live.sessions()] == [live.id]  # the invitation, as the guest's pass finds it
    joined = []
    for station, camera in zip(stations, cameras):
        details = station.live.join(live.id)
        heard = Heard()
        session = station.live.connect(live.id, details, heard, camera=camera)
        sessions.append(session)
        session.start()
        joined.append((details, heard, session))
    (home_details, home_heard, home_session), (guest_details, guest_heard, guest_session) = joined
    assert (home_details.display, guest_details.display) == (HOME[0], GUEST[0])  # the hub's names
    for heard in (home_heard, guest_heard):
        heard.wait(lambda h=heard: h.state == JOINED, 20, "the station joined")

    # The expert the case is routed to, in Chromium, on the session's page.
    expert = make_person(live_hub, "bs.lan", "bachmai")
    page = signed_in_page(browser, live_hub, expert)
    page.goto(f"{live_hub.url}/console/live/{live.id}")
    page.wait_for_selector("#live[data-state=joined]", timeout=20_000)
    expert_display = page.evaluate("() => document.querySelector('.tile.mine').dataset.display")
    assert expert_display.endswith("Bệnh viện Bạch Mai")

    # -- each sees the other two, named by the hub, with their video ---------------------------------------
    for heard, others in ((home_heard, (GUEST[0], expert_display)), (guest_heard, (HOME[0], expert_display))):
        for display in others:
            heard.wait(lambda h=heard, d=display: h.by_display(d) is not None and
                       h.frames.get(h.by_display(d).id, 0) >= 10, 30, f"10 frames of {display}")
        assert sorted(p.display for p in heard.participants.values()) == sorted(others)
    for display in (HOME[0], GUEST[0]):
        playing = tile_playing(page, display)
        assert playing["width"] == 640 and playing["height"] == 480 and display in playing["caption"]
        assert tile_playing(page, display)["time"] > playing["time"]  # and it keeps playing
    assert sorted(page.evaluate("() => [...document.querySelectorAll('.tile:not(.mine)')].map(t => t.dataset.display)")
                  ) == sorted([HOME[0], GUEST[0]])
    phases = {"everyone seen with video": time.monotonic() - started}

    # -- the synced viewer: Mèo Vạc presents its CT, Đồng Văn's viewer and the browser's follow -------------
    presenter = open_viewer(qtbot, home, runner, case.id)
    follower = open_viewer(qtbot, guest, runner, copy.id)
    presenting = wire_sync(presenter, home_session, home_heard)
    following = wire_sync(follower, guest_session, guest_heard)
    frame = viewer_frame(page)  # the browser's viewer has the case's CT from the hub's DICOMweb
    presenting.present()
    presenter.preset.setCurrentIndex(presenter.preset.findData("bone"))
    presenter.on_preset(presenter.preset.currentIndex())  # what choosing it in the list does (activated)
    presenter.step(7)
    instance = shown_instance(presenter)
    assert presenter.window.center == 400 and presenter.window.width == 1800 and instance != shown_instance(follower)
    until(qtbot, lambda: following.followed == HOME[0] and shown_instance(follower) == instance
          and follower.window == presenter.window, "Đồng Văn's viewer on the presented slice and window")
    assert HOME[0] in follower.live_banner.text()  # whose presentation it follows
    until(qtbot, lambda: frame.evaluate("() => { const d = document.getElementById('viewer').dataset;"
                                        f" return d.instance === '{instance}' && d.window === '400/1800'; }}"),
          "the browser's viewer on the presented slice and window")
    assert HOME[0] in page.inner_text("#presenter")
    phases["viewers following"] = time.monotonic() - started

    # -- recording: asked by the case's station, held until all three agreed ---------------------------------
    folder = recording.record_dir(live_hub.config, live.id)
    asked = home_api._live("POST", f"/live/{live.id}/recording", {"on": True})["recording"]
    assert asked["state"] == "waiting"
    assert sorted(p["display"] for p in asked["missing"]) == sorted([GUEST[0], expert_display])
    guest.live.consent(live.id, True)
    waiting = home_api.live_session(live.id)["recording"]
    assert waiting["state"] == "waiting" and [p["display"] for p in waiting["missing"]] == [expert_display]
    page.wait_for_selector("#consent:not([hidden])", timeout=15_000)
    assert page.get_attribute("#live", "data-recording") == "waiting"
    # Media flowed all along, and nothing was written.
    more_frames(home_heard, GUEST[0], 30, (home_session, guest_session))
    assert mjr(folder) == {} and not janus_records(live_hub, home_details.room)
    page.click("#agree")
    page.wait_for_selector("#live[data-recording=on]", timeout=15_000)
    assert home_api.live_session(live.id)["recording"]["state"] == "on" and janus_records(live_hub,
                                                                                         home_details.room)
    until(qtbot, lambda: len([n for n, size in mjr(folder).items() if size > 0]) >= 4,
          "the recording's files: video of each station, the browser's audio and video")
    more_frames(home_heard, GUEST[0], 45, (home_session, guest_session))

    # -- the end: the expert leaves, Đồng Văn leaves, Mèo Vạc ends -------------------------------------------
    page.click("#leave")
    page.wait_for_url("**/console/cases/**")
    home_heard.wait(lambda: home_heard.by_display(expert_display) is None, 20, "the expert left the room")
    guest_session.leave()
    guest.live.leave(live.id)
    home_heard.wait(lambda: home_heard.by_display(GUEST[0]) is None, 20, "Đồng Văn left the room")
    home_session.leave()
    home.live.end(live.id)
    page.context.close()
    phases["ended"] = time.monotonic() - started

    # Each participant's recording is a DocumentReference of the case: Mèo Vạc reads them, Đồng Văn does not.
    def stored():
        view = home_api.live_session(live.id)["recording"]
        return view if view["documents"] and not view["processing"] else None
    until(qtbot, stored, "the recordings post-processed and stored", timeout_s=120)
    documents = [home_api.read("DocumentReference", d) for d in stored()["documents"]]
    phases["recordings stored"] = time.monotonic() - started
    assert len(documents) == 3
    assert all(wire.is_recording(d) and wire.recording_session(d) == live.id for d in documents)
    assert all({"reference": f"ServiceRequest/{case.id}"} in d["context"]["related"] for d in documents)
    described = {d["description"] for d in documents}
    assert {HOME[0], GUEST[0]} < described and any(expert_display.split(" — ")[0] in d for d in described)
    for document in documents:
        url = document["content"][0]["attachment"]["url"]
        path = url[len(home_api.base):] if url.startswith("http") else url
        assert hub_get(home_api, path).status_code == 200
        assert hub_get(guest_api, f"/DocumentReference/{document['id']}").status_code == 404
        assert hub_get(guest_api, path).status_code == 404

    # The attendance: the three, each with when they joined and left.
    rows = home_api.live_attendance(live.id)["attendance"]
    assert sorted({r["display"] for r in rows}) == sorted([HOME[0], GUEST[0], expert_display])
    assert all(r["joined_at"] and r["left_at"] and r["seconds"] is not None for r in rows), rows
    for api in (home_api, guest_api):
        api.close()
    print("\nthree-site live consultation, seconds from the start: "
          + ", ".join(f"{what} {at:.1f}" for what, at in phases.items()) + f", all {time.monotonic() - started:.1f}")
