"""The DICOM viewer shown to a live session: the presenter's viewer sends its state, another station's viewer
(its own copy of the same files) follows it. Here the two are joined by an in-process pipe; the same over a
real Janus is in tests/integration/live/test_viewer_over_janus.py.

The states name the images by the session's case's de-identified UIDs (an expert abroad hears them too): each
station holds its copy under a local case of its own and maps them with the session's case id."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pydicom
import pytest
import shiboken6
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from app.services.station import Station
from app.ui.dicom_viewer import DicomViewer
from app.ui.viewer_sync import ViewerSync
from app.wire.live import VIEWER, Message, ViewerState, decode, viewer_message
from tests.support.dicom_series import ct_series, ultrasound_cine
from tests.ui.test_dicom_viewer import details, pixels


class Pipe:
    """Text from one side delivered to the other's `on_message` on a later turn of the event loop, as a data
    channel would: nothing is applied inside the sender's call."""

    def __init__(self, participant: str):
        self.participant = participant
        self.sent: list[str] = []
        self.to = None

    def __call__(self, text: str) -> None:
        self.sent.append(text)
        if self.to is not None:
            to = self.to  # the context: nothing is delivered to a sync gone with its viewer
            if shiboken6.isValid(to):
                QTimer.singleShot(0, to, lambda: to.on_message(self.participant, decode(text)))


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("study")
    return ct_series(folder / "ct", slices=30) + [ultrasound_cine(folder / "us.dcm", frames=8)]


def open_viewer(qtbot, station, runner, files, size=(900, 600)) -> DicomViewer:
    case = station.cases.create_case()
    if files:
        station.imports.import_paths(case.id, files)
    made = DicomViewer(station.imaging, runner)
    qtbot.addWidget(made)
    made.resize(*size)
    made.show()
    made.set_case(case.id)
    qtbot.waitUntil(lambda: not made._loading and (made.view.image is not None or not files), timeout=10000)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    return made


@pytest.fixture
def other_station(tmp_path):
    folder = tmp_path / "other-station"
    folder.mkdir()
    opened = Station(folder)
    yield opened
    opened.close()


@pytest.fixture
def pair(qtbot, station, other_station, runner, translations, study):
    """The presenter's viewer and, on another station with its own copy, a follower's of another size."""
    presenter = open_viewer(qtbot, station, runner, study)
    follower = open_viewer(qtbot, other_station, runner, study, size=(700, 520))
    to_follower, to_presenter = Pipe("presenter-1"), Pipe("follower-2")
    case = presenter._case_id  # the session's: the presenter's case (the follower's copy is another local case)
    presenting = ViewerSync(presenter, to_follower, "BS Hoa — TTYT Mèo Vạc", case=case, parent=presenter)
    following = ViewerSync(follower, to_presenter, "BS Lan — BV Bạch Mai", case=case, parent=follower)
    to_follower.to, to_presenter.to = following, presenting
    presenting.present()
    qtbot.waitUntil(lambda: place(follower) == place(presenter), timeout=10000)
    return presenter, follower, presenting, following, to_follower, to_presenter


def place(viewer) -> ViewerState:
    """Where a viewer is, as it would tell the others."""
    return viewer.viewer_state()


def wheel(view, clicks: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    centre = QPointF(view.width() / 2, view.height() / 2)
    QApplication.sendEvent(view, QWheelEvent(centre, view.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120 * clicks),
                                             Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False))


def drag(qtbot, view, by: QPoint, button=Qt.MouseButton.LeftButton) -> None:
    start = QPoint(view.width() // 2, view.height() // 2)
    qtbot.mousePress(view, button, pos=start)
    for step in range(1, 5):
        qtbot.mouseMove(view, start + by * step / 4)
    qtbot.mouseRelease(view, button, pos=start + by)


def shown_slice(viewer) -> str:
    return viewer.current.images[viewer.index].info["sop_instance_uid"]


def centre_point(viewer) -> tuple[float, float]:
    """The image pixel at the centre of the viewer's screen: the same on both when they show the same part."""
    rect, view = viewer.view.target_rect(), viewer.view
    return ((view.width() / 2 - rect.x()) / rect.width() * view.image.width(),
            (view.height() / 2 - rect.y()) / rect.height() * view.image.height())


def test_the_follower_shows_the_presenters_slice_and_window(qtbot, pair):
    presenter, follower, *_ = pair
    assert presenter.live_banner.text() == "Đang trình chiếu: các điểm cầu khác xem theo màn hình này."
    assert follower.live_banner.text() == "Đang theo dõi trình chiếu của BS Hoa — TTYT Mèo Vạc."
    wheel(presenter.view, 7)
    drag(qtbot, presenter.view, QPoint(80, -40))
    assert presenter.position.text() == "8/30" and presenter.window.center != 40

    qtbot.waitUntil(lambda: shown_slice(follower) == shown_slice(presenter) and
                    follower.window == presenter.window, timeout=10000)
    assert follower.position.text() == "8/30" and follower.levels.text() == presenter.levels.text()
    assert np.array_equal(pixels(follower), pixels(presenter))  # drawn from its own copy, the same pixels


def test_zoom_and_pan_follow_in_image_pixels_whatever_the_screen_size(qtbot, pair):
    presenter, follower, *_ = pair
    wheel(presenter.view, -3, Qt.KeyboardModifier.ControlModifier)  # zoom in
    drag(qtbot, presenter.view, QPoint(60, 30), Qt.MouseButton.RightButton)
    assert presenter.view.zoom > 1.9

    qtbot.waitUntil(lambda: follower.view.zoom == pytest.approx(presenter.view.zoom, abs=1e-3), timeout=10000)
    qtbot.waitUntil(lambda: np.allclose(centre_point(follower), centre_point(presenter), atol=0.1), timeout=10000)
    assert centre_point(presenter) != pytest.approx((32, 32))  # it did move off the image's centre


def test_a_change_of_series_and_frame_is_followed(qtbot, pair):
    presenter, follower, *_ = pair
    presenter.series_list.setCurrentRow(1)  # the ultrasound cine: one file, eight frames
    presenter.go_to(5)
    qtbot.waitUntil(lambda: follower.current is not None and follower.current.modality == "US" and
                    follower.index == 5, timeout=10000)
    assert follower.current.images[5].frame == 5 and np.array_equal(pixels(follower), pixels(presenter))


def test_the_key_image_is_shown_to_the_follower(qtbot, pair, runner):
    presenter, follower, *_ = pair
    presenter.go_to(3)
    presenter.key_button.click()
    qtbot.waitUntil(lambda: follower.live_banner.text().endswith("Ảnh chính ★"), timeout=10000)
    qtbot.waitUntil(lambda: not runner.busy)


def test_states_are_coalesced_and_the_last_one_always_arrives(qtbot, pair):
    presenter, follower, _, _, to_follower, _ = pair
    before = len(to_follower.sent)
    for _ in range(25):  # a fast scroll, all within one turn of the event loop
        presenter.step(1)
    qtbot.waitUntil(lambda: shown_slice(follower) == shown_slice(presenter), timeout=10000)
    sent = [decode(text) for text in to_follower.sent[before:]]
    assert 1 <= len(sent) < 5
    seqs = [message.body["seq"] for message in sent]
    assert seqs == sorted(set(seqs)) and sent[-1].body["index"] == 25


def test_an_older_state_arriving_late_is_ignored(qtbot, pair):
    presenter, follower, _, following, *_ = pair
    state = presenter.viewer_state()
    newest, older = (decode(viewer_message(ViewerState(state.study, state.series, index=index, seq=seq), "BS Hoa"))
                     for index, seq in ((12, 10**15 + 2), (4, 10**15 + 1)))
    following.on_message("presenter-1", newest)
    following.on_message("presenter-1", older)
    assert follower.index == 12


def test_the_follower_sends_nothing_and_the_states_do_not_echo(qtbot, pair):
    presenter, follower, _, _, to_follower, to_presenter = pair
    changes = []
    follower.state_changed.connect(lambda: changes.append(1))
    wheel(presenter.view, 4)
    drag(qtbot, presenter.view, QPoint(30, 30))
    qtbot.waitUntil(lambda: follower.window == presenter.window and follower.index == 4, timeout=10000)
    sent = len(to_follower.sent)
    qtbot.wait(300)  # no further traffic either way once both are still
    assert to_presenter.sent == [] and changes == [] and len(to_follower.sent) == sent


def test_a_study_this_station_does_not_have_is_said_not_shown(qtbot, station, other_station, runner, translations,
                                                             study, tmp_path):
    presenter = open_viewer(qtbot, station, runner, study)
    follower = open_viewer(qtbot, other_station, runner, ct_series(tmp_path / "another", slices=5))
    pipe = Pipe("presenter-1")
    following = ViewerSync(follower, lambda _text: None, parent=follower)
    pipe.to = following
    ViewerSync(presenter, pipe, "BS Hoa", parent=presenter).present()
    qtbot.waitUntil(lambda: "Máy trạm không có ảnh này." in follower.live_banner.text(), timeout=10000)
    assert follower.view.image is None and follower.view.message == "Máy trạm không có ảnh này."


def test_a_case_without_any_imaging_says_so_too(qtbot, station, other_station, runner, translations, study):
    presenter = open_viewer(qtbot, station, runner, study)
    follower = open_viewer(qtbot, other_station, runner, [])
    following = ViewerSync(follower, lambda _text: None, parent=follower)
    following.on_message("presenter-1", decode(viewer_message(presenter.viewer_state(), "BS Hoa")))
    assert follower.live_banner.isVisible()
    assert follower.live_banner.text() == "Đang theo dõi trình chiếu của BS Hoa. Máy trạm không có ảnh này."


def test_a_state_that_comes_while_the_case_loads_is_followed_once_it_has(qtbot, station, other_station, runner,
                                                                        study):
    presenter = open_viewer(qtbot, station, runner, study)
    presenter.go_to(17)
    case = other_station.cases.create_case()
    other_station.imports.import_paths(case.id, study)
    follower = DicomViewer(other_station.imaging, runner)
    qtbot.addWidget(follower)
    follower.show()
    follower.set_case(case.id)  # reads the series on the worker thread
    following = ViewerSync(follower, lambda _text: None, case=presenter._case_id, parent=follower)
    following.on_message("p", decode(viewer_message(presenter.viewer_state(), "BS")))
    qtbot.waitUntil(lambda: follower.current is not None and follower.index == 17, timeout=10000)


def test_stopping_the_presentation_releases_the_followers(qtbot, pair):
    presenter, follower, presenting, following, *_ = pair
    presenting.stop()
    qtbot.waitUntil(lambda: following.mode is None, timeout=10000)
    assert not follower.live_banner.isVisibleTo(follower) and not presenter.live_banner.isVisibleTo(presenter)
    follower.step(3)  # the follower's own again: it moves, nothing is sent while nobody presents
    assert follower.index == 3


def test_whoever_presents_last_is_followed(qtbot, pair):
    presenter, follower, presenting, following, *_ = pair
    following.present()  # the other site takes over
    qtbot.waitUntil(lambda: presenting.mode == "following", timeout=10000)
    follower.go_to(21)
    qtbot.waitUntil(lambda: presenter.index == 21, timeout=10000)
    assert presenter.live_banner.text() == "Đang theo dõi trình chiếu của BS Lan — BV Bạch Mai."


def test_while_live_both_viewers_show_the_patients_initials_not_the_name(qtbot, pair):
    presenter, follower, presenting, following, *_ = pair
    for viewer in (presenter, follower):
        shown = details(viewer)
        assert shown["Bệnh nhân"] == "N.V.D." and shown["Giới tính"] == "Nam" and shown["Tuổi"] == "58 tuổi"
        assert "Mã bệnh nhân" not in shown and "Ngày sinh" not in shown, shown
    presenting.stop()
    qtbot.waitUntil(lambda: following.mode is None, timeout=10000)
    assert details(presenter)["Bệnh nhân"] == details(follower)["Bệnh nhân"] == "NGUYEN VAN DUOC"


def test_a_preset_window_is_followed_by_its_name(qtbot, pair):
    presenter, follower, *_ = pair
    presenter.preset.setCurrentIndex(presenter.preset.findData("lung"))
    presenter.on_preset(0)
    qtbot.waitUntil(lambda: follower.window == presenter.window, timeout=10000)
    assert follower.preset.currentText() == "Cửa sổ: Phổi" and follower.levels.text() == "C -600 / W 1500"


def test_resend_tells_a_newcomer_who_presents_and_where_without_a_new_seq(qtbot, pair):
    presenter, _, presenting, _, to_follower, _ = pair
    last = decode(to_follower.sent[-1])
    presenting.resend()
    again = [decode(text) for text in to_follower.sent[-2:]]
    assert [m.type for m in again] == ["presenting", "viewer"]
    assert again[0].body == {"presenter": "BS Hoa — TTYT Mèo Vạc"} and again[1].body == last.body


def test_nonsense_from_the_data_channel_leaves_the_follower_working(qtbot, pair):
    presenter, follower, _, following, *_ = pair
    good = presenter.viewer_state()
    window = follower.window
    seq = iter(range(10**15, 10**16))

    def receive(**body):
        following.on_message("presenter-1", Message(VIEWER, "BS Hoa", {"study": good.study, "series": good.series,
                                                                        **body, "seq": next(seq)}))

    receive(index=10**9, window_center=float("nan"), window_width=-5, zoom=2.0, pan_x=1e300, pan_y=-1e300)
    assert follower.index == 29 and follower.window == window and follower.view.zoom == 2.0
    assert follower.view.target_rect().intersects(follower.view.rect().toRectF())  # the image stays in sight
    receive(index=-7, zoom=float("inf"))
    assert follower.index == 0 and follower.view.zoom == 1.0 and follower.view.image_pan() == (0, 0)
    receive(index="beaucoup")
    receive(window_width="")
    following.on_message("presenter-1", Message(VIEWER, "BS Hoa", {"series": good.series, "seq": next(seq)}))
    assert follower.index == 0 and follower.view.image is not None


def copy_abroad(station, viewer, folder: Path) -> list[pydicom.Dataset]:
    """The case's de-identified copy, as the station sends it for experts abroad."""
    result = station.deidentification.export(viewer._case_id, folder)
    assert result.files > 0 and not result.failed
    return [pydicom.dcmread(path, stop_before_pixels=True) for path in sorted(folder.glob("*.dcm"))]


def original_uids(files: list[Path]) -> set[str]:
    """Every UID in the files (study, series, instance, frame of reference, ...): none may cross the channel."""
    found: set[str] = set()

    def walk(ds) -> None:
        for element in ds:
            if element.VR == "SQ":
                for item in element.value:
                    walk(item)
            elif element.VR == "UI" and element.value and not element.keyword.endswith("ClassUID"):
                found.update(str(v) for v in (element.value if element.VM > 1 else [element.value]))
    for path in files:
        walk(pydicom.dcmread(path, stop_before_pixels=True))
    return found


def test_no_original_uid_crosses_the_channel_and_the_follower_still_follows(qtbot, pair, study):
    """The channel reaches every participant, experts abroad too: the states carry the de-identified UIDs only,
    and nothing else that names the patient or the study (no name, no dates)."""
    presenter, follower, _, _, to_follower, _ = pair
    presenter.go_to(11)
    presenter.key_button.click()
    qtbot.waitUntil(lambda: shown_slice(follower) == shown_slice(presenter), timeout=10000)
    presenter.series_list.setCurrentRow(1)  # the ultrasound cine: another series, frames of one instance
    presenter.go_to(4)
    qtbot.waitUntil(lambda: follower.current.modality == "US" and follower.index == 4, timeout=10000)
    assert np.array_equal(pixels(follower), pixels(presenter))

    originals = original_uids(study)
    assert {presenter.series[0].study_uid, shown_slice(presenter)} <= originals  # the scan would see them
    texts = to_follower.sent
    assert [m.type for m in map(decode, texts)].count(VIEWER) >= 3
    leaked = {uid for uid in originals for text in texts if uid in text}
    assert not leaked, f"original UIDs sent: {sorted(leaked)[:3]}"
    for text in texts:
        assert "NGUYEN" not in text.upper() and "DUOC" not in text.upper()
        assert not any(key in decode(text).body for key in ("patient", "name", "birth", "date")), text


def test_an_expert_abroad_finds_the_presenters_slice_in_the_copy_it_holds(qtbot, pair, station, tmp_path):
    presenter, _, _, _, to_follower, _ = pair
    presenter.go_to(13)
    qtbot.waitUntil(lambda: decode(to_follower.sent[-1]).body["index"] == 13, timeout=10000)
    sent = decode(to_follower.sent[-1]).body
    copy = {ds.SOPInstanceUID: ds for ds in copy_abroad(station, presenter, tmp_path / "abroad")}
    assert sent["instance"] in copy and sent["instance"] != shown_slice(presenter)
    there = copy[sent["instance"]]
    assert (there.StudyInstanceUID, there.SeriesInstanceUID) == (sent["study"], sent["series"])
    assert there.InstanceNumber == presenter.current.images[13].info["instance_number"]


def test_a_viewer_holding_only_the_de_identified_copy_follows(qtbot, station, other_station, runner, study,
                                                               tmp_path):
    """As an expert abroad's: the states' UIDs are its own as they are."""
    presenter = open_viewer(qtbot, station, runner, study)
    copy_abroad(station, presenter, tmp_path / "abroad")
    holder = open_viewer(qtbot, other_station, runner, sorted((tmp_path / "abroad").glob("*.dcm")), size=(600, 500))
    assert holder.current.study_uid != presenter.current.study_uid  # another study to anyone without the case
    pipe = Pipe("presenter-1")
    pipe.to = ViewerSync(holder, lambda _text: None, "Dr Martin — Hôpital Saint-Louis", parent=holder)
    ViewerSync(presenter, pipe, "BS Hoa — TTYT Mèo Vạc", case=presenter._case_id, parent=presenter).present()
    presenter.go_to(21)
    presenter.on_window_dragged(40, -30)
    qtbot.waitUntil(lambda: holder.current.images[holder.index].info["instance_number"] == 22 and
                    holder.window == presenter.window, timeout=10000)
    assert np.array_equal(pixels(holder), pixels(presenter))


def test_the_station_follows_an_expert_abroad_presenting_from_the_copy(qtbot, pair, station, tmp_path):
    presenter, follower, _, following, *_ = pair
    following.stop()
    copy = copy_abroad(station, presenter, tmp_path / "abroad")  # the case's copy, as the hub serves it abroad
    slice_17 = next(ds for ds in copy if ds.Modality == "CT" and ds.InstanceNumber == 17)
    # The expert's browser knows only its copy's UIDs (and its own order: an index that is not ours).
    following.on_message("expert-9", Message(VIEWER, "Dr Martin — Hôpital Saint-Louis", {
        "study": slice_17.StudyInstanceUID, "series": slice_17.SeriesInstanceUID, "index": 2,
        "instance": slice_17.SOPInstanceUID, "window_center": -600, "window_width": 1500, "seq": 1}))
    assert follower.current.modality == "CT"
    assert follower.current.images[follower.index].info["instance_number"] == 17
    assert follower.levels.text() == "C -600 / W 1500"
    assert follower.live_banner.text() == "Đang theo dõi trình chiếu của Dr Martin — Hôpital Saint-Louis."


def test_the_live_windows_button_presents_and_its_data_channel_is_followed(qtbot, station, runner, translations,
                                                                          study):
    from app.live.details import JoinDetails
    from app.ui.live_window import LiveWindow
    from app.ui.viewer_sync import attach_to_live_window

    viewer = open_viewer(qtbot, station, runner, study)
    details = JoinDetails(live_id="L1", janus_url="http://127.0.0.1:9/janus", token="t", room="r", room_token="k",
                          opaque_id="o", display="BS Lan — BV Bạch Mai", case={"code": "HC-0001"})
    window = LiveWindow(None, "L1", details)  # not started: what reaches it here is what its bridge hands on
    qtbot.addWidget(window)
    sync = attach_to_live_window(viewer, window)
    assert window.controls.present_button.isVisibleTo(window)
    window.controls.set_in_session(True, False)  # as once joined
    window.controls.present_button.click()
    assert sync.mode == "presenting" and viewer.live_banner.text().startswith("Đang trình chiếu")
    window.controls.present_button.click()
    assert sync.mode is None and not viewer.live_banner.isVisibleTo(viewer)

    state = replace(viewer.viewer_state(), index=7, instance="", seq=5)
    window.bridge.data_received.emit("expert-3", decode(viewer_message(state, "Dr Martin — Saint-Louis")))
    assert viewer.index == 7 and viewer.live_banner.text() == "Đang theo dõi trình chiếu của Dr Martin — Saint-Louis."


def test_a_viewer_closed_while_loading_says_it_lacks_the_images_rather_than_waiting(qtbot, station, runner,
                                                                                   translations, study):
    case = station.cases.create_case()
    station.imports.import_paths(case.id, study)
    viewer = DicomViewer(station.imaging, runner)
    qtbot.addWidget(viewer)
    viewer.set_case(case.id)
    viewer.set_case(None)  # the case closed before its series were read
    following = ViewerSync(viewer, lambda _text: None, parent=viewer)
    state = ViewerState("1.2.3", "1.2.3.4", seq=1)
    following.on_message("p", Message(VIEWER, "BS Hoa", {**state.__dict__}))
    assert viewer.live_banner.text() == "Đang theo dõi trình chiếu của BS Hoa. Máy trạm không có ảnh này."
    qtbot.waitUntil(lambda: not runner.busy)


def test_a_viewer_closed_during_the_session_leaves_its_sync_quiet(qtbot, station, runner, study):
    case = station.cases.create_case()
    station.imports.import_paths(case.id, study)
    viewer = DicomViewer(station.imaging, runner)  # not qtbot's: this test closes it itself
    viewer.set_case(case.id)
    qtbot.waitUntil(lambda: viewer.view.image is not None and not runner.busy, timeout=10000)
    message = decode(viewer_message(replace(viewer.viewer_state(), index=3, seq=1), "BS Hoa"))
    sync = ViewerSync(viewer, lambda _text: None)  # parented elsewhere, as the live window does
    viewer.deleteLater()  # the case closed while the session goes on
    qtbot.waitUntil(lambda: sync.viewer is None, timeout=10000)
    sync.on_message("presenter-1", message)
    sync.present()
    sync.stop()
    assert sync.mode is None


def test_a_follower_that_opens_the_case_afterwards_shows_where_the_presenter_is(qtbot, pair, other_station,
                                                                                 translations, tmp_path):
    """The live window opens the presented case when a state arrives; the state came first."""
    presenter, follower, _, following, *_ = pair
    case_id = follower._case_id
    follower.set_case(other_station.cases.create_case().id)  # the follower had another case open
    qtbot.waitUntil(lambda: not follower._loading, timeout=10000)
    presenter.go_to(18)
    presenter.preset.setCurrentIndex(presenter.preset.findData("bone"))
    presenter.on_preset(0)
    qtbot.waitUntil(lambda: following.viewer._followed is not None and
                    following.viewer._followed.window_center == 400, timeout=10000)  # both changes have come
    assert "Máy trạm không có ảnh này." in follower.live_banner.text()
    follower.set_case(case_id)  # ...and now the case is open
    qtbot.waitUntil(lambda: follower.current is not None and follower.index == 18 and
                    follower.window == presenter.window, timeout=10000)
    assert shown_slice(follower) == shown_slice(presenter)
    assert follower.live_banner.text() == "Đang theo dõi trình chiếu của BS Hoa — TTYT Mèo Vạc."
