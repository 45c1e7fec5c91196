"""'Show the case' over a real Janus: two stations in one room, each with its own copy of the study; the
presenter scrolls and changes the window, the other station's viewer shows the same slice and window. The
viewer states travel over the LiveSessions' data channels (through Janus), nothing else joins the two. Each
station holds the study under a local case of its own; the states name it by the session's case's de-identified
UIDs, never the originals (an expert abroad hears the channel too).

Also measures, and prints, how long a change takes from the presenter's viewer to the follower's (the issue
asks for 300 ms); the figure is reported, not asserted."""

import statistics
import time

import pytest
from PySide6.QtCore import QObject, QPoint, Signal

from app.live.session import JOINED, LiveSession
from app.services.station import Station
from app.ui.dicom_viewer import DicomViewer
from app.ui.runner import TaskRunner
from app.ui.viewer_sync import ViewerSync
from app.wire.live import VIEWER, encode
from tests.support.dicom_series import ct_series

from tests.ui.test_viewer_sync import drag, original_uids, place, wheel

from .conftest import Recorder

pytestmark = pytest.mark.timeout(120)


class QtListener(Recorder):
    """The session's listener: data messages handed to the Qt thread, as the live window's bridge does."""

    class _Bridge(QObject):
        data = Signal(str, object)

    def __init__(self):
        super().__init__()
        self.bridge = self._Bridge()
        self.heard: list[tuple[float, dict]] = []  # viewer states as the session's thread had them, and when

    def on_data(self, participant_id, message):
        if message.type == VIEWER:
            self.heard.append((time.perf_counter(), message.body))
        super().on_data(participant_id, message)
        self.bridge.data.emit(participant_id, message)  # queued: emitted from the session's thread


def viewer_on(qtbot, station: Station, runner, files, size) -> DicomViewer:
    case = station.cases.create_case()
    station.imports.import_paths(case.id, files)
    made = DicomViewer(station.imaging, runner)
    qtbot.addWidget(made)
    made.resize(*size)
    made.show()
    made.set_case(case.id)
    qtbot.waitUntil(lambda: made.view.image is not None, timeout=10000)
    return made


@pytest.fixture
def runner(qtbot):
    made = TaskRunner()
    yield made
    made.shutdown()


@pytest.fixture
def two_stations(tmp_path):
    opened = []
    for name in ("presenter", "follower"):
        (tmp_path / name).mkdir()
        opened.append(Station(tmp_path / name))
    yield opened
    for station in opened:
        station.close()


def where(state) -> tuple:
    return state.index, state.window_center, state.window_width


def where_body(body: dict) -> tuple:
    return body.get("index"), body.get("window_center"), body.get("window_width")


def shown_slice(viewer) -> str:
    return viewer.current.images[viewer.index].info["sop_instance_uid"]


def test_the_other_station_follows_the_presenters_slice_and_window_through_janus(qtbot, rooms, sessions, runner,
                                                                              two_stations, tmp_path):
    study = ct_series(tmp_path / "ct", slices=60)
    presenter = viewer_on(qtbot, two_stations[0], runner, study, (900, 600))
    follower = viewer_on(qtbot, two_stations[1], runner, study, (800, 560))

    hoa_hears, lan_hears = QtListener(), QtListener()
    hoa = LiveSession(rooms.details("BS Hoa — TTYT Mèo Vạc", site="TTYT Mèo Vạc"), hoa_hears)
    lan = LiveSession(rooms.details("BS Lan — BV Bạch Mai", site="BV Bạch Mai"), lan_hears)
    for session in (hoa, lan):
        sessions.append(session)
        session.start()
    qtbot.waitUntil(lambda: hoa_hears.state == JOINED and lan_hears.state == JOINED and
                    hoa.participant_id in lan_hears.participants and lan.participant_id in hoa_hears.participants,
                    timeout=20000)

    sent: list[str] = []  # the presenter's data-channel text, as it leaves
    presenting = ViewerSync(presenter, lambda text: (sent.append(text), hoa.send(text)), hoa.details.display,
                            case=hoa.details.request)
    following = ViewerSync(follower, lan.send, lan.details.display, case=lan.details.request)
    hoa_hears.bridge.data.connect(presenting.on_message)
    lan_hears.bridge.data.connect(following.on_message)
    presenting.present()
    # Lan's subscription to Hoa's data may come up just after the first state: the 2 s repeat covers it.
    qtbot.waitUntil(lambda: following.followed == "BS Hoa — TTYT Mèo Vạc" and
                    place(follower) == place(presenter), timeout=10000)
    assert follower.live_banner.text() == "Following BS Hoa — TTYT Mèo Vạc's presentation."

    # The presenter scrolls with the wheel and drags the window.
    wheel(presenter.view, 9)
    drag(qtbot, presenter.view, QPoint(90, -50))
    assert presenter.index == 9 and presenter.window.center != 40
    qtbot.waitUntil(lambda: shown_slice(follower) == shown_slice(presenter) and follower.window == presenter.window,
                    timeout=10000)
    assert follower.levels.text() == presenter.levels.text() and follower.position.text() == "10/60"
    assert [m for _, m in hoa_hears.data if m.type == "viewer"] == [], "the follower sent no viewer state"
    # Not one of the study's original UIDs crossed the channel: neither in what left nor in what Lan received.
    received = [encode(m) for _, m in lan_hears.data]
    assert any('"viewer"' in text for text in received) and len(sent) >= 3
    originals = original_uids(study)
    assert not {uid for uid in originals for text in sent + received if uid in text}

    # The latency: from the presenter's change to the follower's viewer showing it, one change at a time after a
    # pause: a slice, a window, or a burst of five slices at once (a fast wheel turn: the first goes at once,
    # the last up to 50 ms later, coalesced).
    applied: list[tuple[float, tuple]] = []
    following.applied.connect(lambda state: applied.append((time.perf_counter(), where(state))))
    kinds = ("slice", "window", "burst of 5 slices")
    took, carried = {kind: [] for kind in kinds}, {kind: [] for kind in kinds}
    lan_hears.heard.clear()
    for change in range(45):
        qtbot.wait(80)
        kind = kinds[change % 3]
        started = time.perf_counter()
        if kind == "window":
            presenter.on_window_dragged(5, 10)
        else:
            for _ in range(5 if kind.startswith("burst") else 1):
                presenter.step(1 if change % 2 else -1)
        wanted = where(presenter.viewer_state())
        qtbot.waitUntil(lambda: any(seen == wanted for _, seen in applied), timeout=10000)
        took[kind].append((next(t for t, seen in applied if seen == wanted) - started) * 1000)
        carried[kind].append((next(t for t, body in lan_hears.heard if where_body(body) == wanted) - started) * 1000)
        assert follower.window == presenter.window and shown_slice(follower) == shown_slice(presenter)

    def figures(values: list[float]) -> str:
        values = sorted(values)
        return (f"median {statistics.median(values):.1f} ms, p95 {values[int(len(values) * 0.95) - 1]:.1f} ms, "
                f"max {values[-1]:.1f} ms")

    print("\nviewer state through Janus, presenter's change -> follower's viewer showing it (of which: -> the "
          "follower's session thread)")
    for kind in took:
        print(f"  {kind}, {len(took[kind])} changes: {figures(took[kind])} ({figures(carried[kind])})")
