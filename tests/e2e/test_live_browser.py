"""A central expert joins a station's live consultation from the console in Chromium.

Real parts only: the hub with its own Janus (RunningHub(local_sfu=True)) and Orthanc, a district station
that submitted a case with a CT and joins with app.live.LiveSession (its camera a video file whose frames
carry their number), and Debian's Chromium with a fake camera and microphone signed in as the routed expert.

The browser sees the station's tile by name with its video playing; the station receives the browser's
video; the station presents the CT and the browser's viewer follows (slice by SOP Instance UID, window,
zoom); the expert presents and the station hears the viewer's state. Once more at 1 Mbit/s, where the page
chooses low quality: of four sites it receives two videos, the others paused, everyone's voice.
"""

import json
import time
from dataclasses import replace
from pathlib import Path

import pydicom
import pytest

from app.imaging.deid import deidentified_uid
from app.live.details import JoinDetails
from app.live.session import JOINED, LiveSession, Quality
from app.media.camera import CameraCapture, CameraSource
from app.sync.hub_client import DicomPart, HubClient, enroll
from app.wire.imaging import imaging_study
from app.wire.live import VIEWER, ViewerState, presenting_message, viewer_message, viewer_state
from tests.integration.hub.console.support import CCCD, NAME, make_case, submit
from tests.integration.live.conftest import Recorder, numbered_video  # noqa: F401 (a fixture)
from tests.integration.live.test_session import BlockFeeder
from tests.support.browser import WEBRTC_ARGS, chromium, screenshot, signed_in_page, throttle
from tests.support.dicom_series import ct_series

from .test_viewer import make_person

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
STATION = "TTYT huyện Ba Vì"


@pytest.fixture(scope="module")
def browser():
    """Chromium with the WebRTC flags of RECIPES.md and a fake camera and microphone."""
    with chromium(WEBRTC_ARGS) as opened:
        yield opened


@pytest.fixture
def station(live_hub):
    _, code = live_hub.register("station", facility="0100A", name=STATION)
    client = HubClient(enroll(live_hub.url, code))
    yield client
    client.close()


@pytest.fixture
def ct_case(station, tmp_path):
    """A case routed to Bạch Mai cardiology with a 12-slice CT: (case id, study UID, the slices' files)."""
    case = submit(station, make_case(hospital="bachmai", specialty="cardiology"), "0100A")
    paths = ct_series(tmp_path / "ct", slices=12, size=128, patient_name="NGUYEN^THI^HONG^NHUNG")
    study = str(pydicom.dcmread(paths[0]).StudyInstanceUID)
    stored = station.stow(study, case.id, [DicomPart(path=p) for p in paths])
    assert len(stored.stored) == 12 and not stored.failed
    # And its ImagingStudy, as the station's sync sends it after the pixels: how the hub knows the case's studies.
    station.transaction([imaging_study(case, study, [instance_item(p) for p in paths], f"{station.base}/dicomweb")])
    return case.id, study, paths


def instance_item(path) -> dict:
    d = pydicom.dcmread(path, stop_before_pixels=True)
    return {"0020000E": {"vr": "UI", "Value": [str(d.SeriesInstanceUID)]}, "00080060": {"vr": "CS", "Value": ["CT"]},
            "00080018": {"vr": "UI", "Value": [str(d.SOPInstanceUID)]},
            "00080016": {"vr": "UI", "Value": [str(d.SOPClassUID)]},
            "00200013": {"vr": "IS", "Value": [int(d.InstanceNumber)]}}


@pytest.fixture
def camera(numbered_video):  # noqa: F811 (the fixture imported above)
    capture = CameraCapture(CameraSource(str(numbered_video))).start()
    yield capture
    capture.stop()


@pytest.fixture
def microphone():
    """The station's microphone: a 440 Hz tone in 20 ms blocks (as app.media's capture hands them over)."""
    feeder = BlockFeeder()
    yield feeder
    feeder.stop()


@pytest.fixture
def sessions():
    running = []
    yield running
    for session in running:
        session.leave()


def wait_until(predicate, timeout=30.0, what=""):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def tile_playing(page, display: str, timeout=30_000):
    """Wait until the tile named `display` plays video: a size, and frames coming (requestVideoFrameCallback)."""
    page.wait_for_function("""(display) => {
        const tile = [...document.querySelectorAll('.tile')].find((t) => t.dataset.display === display);
        const video = tile && tile.querySelector('video');
        if (!video || video.videoWidth === 0) return false;
        if (!video._frames) {
          video._frames = 0;
          const count = () => { video._frames += 1; video.requestVideoFrameCallback(count); };
          video.requestVideoFrameCallback(count);
        }
        return video._frames >= 10;
    }""", arg=display, timeout=timeout)
    return page.evaluate("""(display) => {
        const tile = [...document.querySelectorAll('.tile')].find((t) => t.dataset.display === display);
        const v = tile.querySelector('video');
        return {width: v.videoWidth, height: v.videoHeight, time: v.currentTime, frames: v._frames,
                caption: tile.querySelector('figcaption').innerText};
    }""", display)


def viewer_frame(page):
    """The embedded viewer's frame once it shows the whole series (what it shows otherwise, in the failure)."""
    ready = ("() => { const f = document.getElementById('viewer-frame');"
             " const v = f && f.contentDocument && f.contentDocument.getElementById('viewer');"
             " return v && v.dataset.state === 'ready' && v.dataset.complete === 'true'; }")
    try:
        page.wait_for_function(ready, timeout=60_000)
    except Exception:
        shown = page.evaluate("() => { const f = document.getElementById('viewer-frame');"
                              " const v = f && f.contentDocument && f.contentDocument.getElementById('viewer');"
                              " return {src: f && f.src, state: v && {...v.dataset},"
                              " live: {...document.getElementById('live').dataset}}; }")
        raise AssertionError(f"the embedded viewer did not show the study: {shown}") from None
    return next(f for f in page.frames if "/console/viewer" in f.url)


def present_until(session, page, state: ViewerState, sender: str, condition: str, timeout=20.0):
    """The station presents `state` (seq rising, as a presenter repeats it for late joiners) until the
    browser's viewer shows it (`condition`, run in the viewer's frame)."""
    frame = viewer_frame(page)
    session.send(presenting_message(sender, sender))
    deadline = time.monotonic() + timeout
    seq = state.seq
    while not frame.evaluate(condition):
        shown = frame.evaluate("() => ({...document.getElementById('viewer').dataset})")
        assert time.monotonic() < deadline, f"the browser's viewer did not follow: it shows {shown}"
        seq += 1
        session.send(viewer_message(replace(state, seq=seq), sender))
        time.sleep(0.3)
    return frame


def test_a_browser_expert_joins_the_station_and_follows_its_images(browser, live_hub, station, ct_case, camera,
                                                                  microphone, sessions):
    case_id, study, paths = ct_case
    expert = make_person(live_hub, "bs.lan", "bachmai")
    started = station.start_live(case_id)
    live_id = started["id"]
    details = JoinDetails.parse(station.join_live(live_id))
    assert details.display == STATION
    seen = Recorder()
    session = LiveSession(details, seen, camera=camera, microphone=microphone)
    sessions.append(session)
    session.start()
    seen.wait(lambda: seen.state == JOINED, 20, "the station joined")

    page = signed_in_page(browser, live_hub, expert)
    page.goto(f"{live_hub.url}/console/cases/{case_id}")
    assert "Đang hội chẩn trực tuyến" in page.inner_text("#live-session")
    page.click("#live-session a")
    page.wait_for_url(f"**/console/live/{live_id}")
    page.wait_for_selector("#live[data-state=joined]", timeout=20_000)

    # The station's tile: its name, its video playing (frames keep coming).
    playing = tile_playing(page, STATION)
    assert playing["width"] == 640 and playing["height"] == 480 and STATION in playing["caption"]
    later = tile_playing(page, STATION)
    assert later["time"] > playing["time"]
    # Its voice too: the tile plays an audio track, and the station speaking (its tone) lights the tile.
    station_tile = page.locator(f".tile[data-display='{STATION}']")
    assert page.evaluate(f"""() => document.querySelector(".tile[data-display='{STATION}'] video")
                            .srcObject.getAudioTracks().length""") == 1
    page.wait_for_function(f"""() => document.querySelector(".tile[data-display='{STATION}']")
                                 .matches('.speaking, .talking')""", timeout=15_000)
    assert station_tile.count() == 1
    # The case on the shared screen: code, initials, age and sex, never the name.
    case_line = page.inner_text("#case-line")
    assert "N.T.H.N." in case_line and "Nữ" in case_line
    body = page.inner_text("body")
    assert NAME not in body and CCCD not in body

    # The browser's own camera (Chromium's fake one) reaches the station, by the expert's name.
    expert_display = page.evaluate("() => document.querySelector('.tile.mine').dataset.display")
    assert expert_display.endswith("Bệnh viện Bạch Mai")
    seen.wait(lambda: seen.by_display(expert_display) is not None, 20, "the browser's participant")
    browser_id = seen.by_display(expert_display).id
    seen.wait(lambda: seen.frames.get(browser_id, 0) >= 10, 20, "10 frames of the browser's camera")
    seen.wait(lambda: len(seen.audio.get(browser_id, [])) >= 25, 20, "the browser's microphone at the station")
    viewer_frame(page)  # the case's CT, from the hub's DICOMweb
    screenshot(page, SCREENSHOTS / "console-live.png")

    # The station presents slice 4 of the CT (by its SOP Instance UID) at the bone window, zoomed x2: by the
    # de-identified UIDs, as a station's viewer states name images (app/wire/live.py); the page maps them to
    # the originals its viewer holds with the hub's mapping.
    slice4 = pydicom.dcmread(paths[4])
    series = str(slice4.SeriesInstanceUID)
    shared = lambda uid: deidentified_uid(case_id, uid)  # noqa: E731
    state = ViewerState(study=shared(study), series=shared(series), index=4, instance=shared(slice4.SOPInstanceUID),
                        window_center=400, window_width=1800, zoom=2.0, seq=1)
    frame = present_until(session, page, state, STATION,
                          f"() => {{ const d = document.getElementById('viewer').dataset;"
                          f" return d.instance === '{slice4.SOPInstanceUID}' && d.window === '400/1800'"
                          f" && d.zoom === '2.00'; }}")
    assert STATION in page.inner_text("#presenter")
    # An older state arriving late is ignored (seq lower than the one shown).
    session.send(viewer_message(ViewerState(study=shared(study), series=shared(series), index=0, window_center=40,
                                            window_width=400, seq=0), STATION))
    page.wait_for_timeout(500)
    assert frame.evaluate("() => document.getElementById('viewer').dataset.window") == "400/1800"
    screenshot(page, SCREENSHOTS / "console-live-viewer.png")

    # The expert presents: their scroll reaches the station as viewer states.
    page.click("#present")
    assert page.get_attribute("#present", "aria-pressed") == "true"
    before = len(seen.data)
    frame.locator("#layerGroup0").click()
    frame.press("body", "ArrowDown")
    shown = frame.evaluate("() => document.getElementById('viewer').dataset.instance")
    assert shown and shown != str(slice4.SOPInstanceUID)

    def browser_state():
        states = [viewer_state(m) for _, m in seen.data[before:] if m.type == VIEWER]
        return next((s for s in reversed(states) if s is not None and s.instance == shared(shown)), None)
    seen.wait(lambda: browser_state() is not None, 10, "the browser's viewer state at the station")
    sent = browser_state()
    assert sent.study == shared(study) and sent.series == shared(series)
    assert sent.window_center == 400 and sent.window_width == 1800
    # The page named no original UID on the channel (every participant hears it, experts abroad too).
    originals = {study, series} | {str(pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID) for p in paths}
    assert not [uid for _, m in seen.data[before:] for uid in originals if uid in json.dumps(m.body)]

    # Leaving: the station sees the browser go.
    page.click("#leave")
    page.wait_for_url(f"**/console/cases/{case_id}")
    seen.wait(lambda: seen.by_display(expert_display) is None, 20, "the browser left the room")
    page.context.close()


GUESTS = (("TTYT huyện Sóc Sơn", "0200B"), ("TTYT huyện Mỹ Đức", "0300C"), ("TTYT huyện Đông Anh", "0400D"))
PAUSED = "Tạm dừng hình để tiết kiệm băng thông"
IN_FLIGHT = 5  # frames already on their way when a pause takes effect


@pytest.fixture
def guests(live_hub, numbered_video):  # noqa: F811 (the fixture imported above)
    """Three more district stations, each with its camera (the numbered video); the last one speaks (a tone)."""
    made, cameras = [], []
    for name, facility in GUESTS:
        _, code = live_hub.register("station", facility=facility, name=name)
        made.append(HubClient(enroll(live_hub.url, code)))
        cameras.append(CameraCapture(CameraSource(str(numbered_video))).start())
    talker = BlockFeeder(660.0)
    yield list(zip(made, cameras, [None, None, talker], strict=True))
    talker.stop()
    for client, camera in zip(made, cameras, strict=True):
        camera.stop()
        client.close()


def received(page) -> dict:
    """What the page's subscription received of each participant: {display: {"video": frames, "audio": packets,
    "paused": bool}}, from getStats per mid (live.js diemcauLive.received())."""
    rows = page.evaluate("() => window.diemcauLive.received()")
    seen = {}
    for row in rows:
        entry = seen.setdefault(row["display"], {"video": 0, "audio": 0, "paused": False})
        if row["kind"] == "video":
            entry["video"] += row["frames"]
            entry["paused"] = entry["paused"] or row["paused"]
        elif row["kind"] == "audio":
            entry["audio"] += row["packets"]
    return seen


def wait_received(page, predicate, what: str, timeout=60.0):
    """Polls the page's receive statistics until `predicate(them)`; returns them."""
    deadline = time.monotonic() + timeout
    while True:
        them = received(page)
        if predicate(them):
            return them
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {them}"
        time.sleep(0.5)


def wait_sending(page, predicate, what: str, timeout=20.0):
    """Until one of the page's camera encodings (live.js diemcauLive.sending()) satisfies `predicate`."""
    deadline = time.monotonic() + timeout
    while True:
        encodings = page.evaluate("() => window.diemcauLive.sending()")
        if any(predicate(e) for e in encodings):
            return
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {encodings}"
        time.sleep(0.3)


def test_at_1_mbit_the_page_loads_chooses_low_quality_and_receives_two_videos(
        browser, live_hub, station, ct_case, camera, guests, sessions):
    case_id, _, _ = ct_case
    expert = make_person(live_hub, "bs.mai", "bachmai")
    live_id = station.start_live(case_id, facilities=[facility for _, facility in GUESTS])["id"]
    seen = Recorder()
    session = LiveSession(JoinDetails.parse(station.join_live(live_id)), seen, camera=camera)
    sessions.append(session)
    session.start()
    seen.wait(lambda: seen.state == JOINED, 20, "the station joined")

    page = signed_in_page(browser, live_hub, expert)
    throttle(page, 1, latency_ms=100)
    started = time.monotonic()
    page.goto(f"{live_hub.url}/console/live/{live_id}")
    page.wait_for_selector("#live[data-state=joined]", timeout=60_000)
    joined_s = time.monotonic() - started
    tile_playing(page, STATION, timeout=60_000)
    playing_s = time.monotonic() - started
    viewer_frame(page)
    images_s = time.monotonic() - started
    print(f"\nlive page at 1 Mbit/s, 100 ms: joined after {joined_s:.1f} s, the station's video after {playing_s:.1f} s,"
          f" the CT in the viewer after {images_s:.1f} s")

    # The browser's link says 1 Mbit/s (navigator.connection): low bandwidth was chosen, and the page says so.
    assert page.get_attribute("#live", "data-quality") == "low"
    assert page.get_attribute("#live", "data-quality-by") == "link"
    assert page.input_value("#quality") == "low"
    assert "Đường truyền chậm" in page.inner_text("#quality-note")
    # Its own camera goes out as a LOW station's: 15 fps at most, 300 kbit/s, 360p.
    wait_sending(page, lambda e: e["maxFramerate"] == 15 and e["maxBitrate"] == 300_000 and e["active"]
                 and e["height"] == 360, "the camera sent at 360p, 15 fps, 300 kbit/s")

    # Three more sites join, each with its camera; the last one talks.
    for client, guest_camera, microphone in guests:
        guest = LiveSession(JoinDetails.parse(client.join_live(live_id)), Recorder(), camera=guest_camera,
                            microphone=microphone, quality=Quality.LOW)
        sessions.append(guest)
        guest.start()
    everyone = [STATION, *(name for name, _ in GUESTS)]
    talker = GUESTS[-1][0]
    page.wait_for_function(f"() => document.querySelectorAll('.tile:not(.mine)').length === {len(everyone)}",
                           timeout=60_000)
    page.wait_for_function("(talker) => document.querySelector(`.tile[data-display='${talker}']`)"
                           ".matches('.speaking, .talking')", arg=talker, timeout=30_000)

    # LOW: two videos come (the case's own site, where the patient is, and the one who talks), the two others are
    # paused and their tiles say why.
    def settled(them):
        return (set(them) == set(everyone) and sum(1 for e in them.values() if e["paused"]) == len(everyone) - 2
                and not them[talker]["paused"] and not them[STATION]["paused"])
    first = wait_received(page, settled, "two of four videos paused")
    shown = [name for name in everyone if not first[name]["paused"]]
    hidden = [name for name in everyone if first[name]["paused"]]
    # Counted from once the two shown have moved on by 10 frames: the pause has reached Janus by then.
    before = wait_received(page, lambda them: settled(them) and all(
        them[name]["video"] >= first[name]["video"] + 10 for name in shown), "10 frames of the two videos")
    after = wait_received(page, lambda them: settled(them) and all(
        them[name]["video"] >= before[name]["video"] + 20 for name in shown), "20 more frames of the two videos")
    for name in hidden:
        assert after[name]["video"] <= before[name]["video"] + IN_FLIGHT, f"{name}'s video is not sent to the page"
    # Everyone's voice still comes.
    after = wait_received(page, lambda them: all(them[name]["audio"] >= before[name]["audio"] + 25
                                                 for name in everyone), "everyone's audio")
    tiles = page.locator(".tile[data-paused=low]")
    assert sorted(tiles.nth(i).get_attribute("data-display") for i in range(tiles.count())) == sorted(hidden)
    for i in range(tiles.count()):
        assert tiles.nth(i).locator(".paused-note").inner_text() == PAUSED
        assert tiles.nth(i).locator(".nameplate").is_visible()
    assert page.locator(".paused-note:visible").count() == 2
    screenshot(page, SCREENSHOTS / "console-live-low.png")

    # "Chỉ âm thanh": nobody's video, ours not sent (the station sees the expert without video), voices still come.
    page.select_option("#quality", "audio-only")
    before = wait_received(page, lambda them: all(e["paused"] for e in them.values()), "every video paused")
    wait_sending(page, lambda e: not e["active"], "the camera no longer sent")
    expert_display = page.evaluate("() => document.querySelector('.tile.mine').dataset.display")
    seen.wait(lambda: seen.by_display(expert_display) is not None and not seen.by_display(expert_display).has_video,
              30, "the expert without video at the station")
    wait_received(page, lambda them: all(them[name]["audio"] >= before[name]["audio"] + 25 for name in everyone),
                  "everyone's audio without video")
    assert page.locator(".tile[data-paused=audio-only] .paused-note:visible").count() == len(everyone)
    assert page.locator(".paused-note:visible").first.inner_text() == "Chỉ âm thanh: không nhận hình"

    # "Cao" (HIGH): every video again, on the same subscription.
    page.select_option("#quality", "high")
    assert page.get_attribute("#live", "data-quality-by") == "person"
    assert page.inner_text("#quality-note") == ""
    before = wait_received(page, lambda them: not any(e["paused"] for e in them.values()), "nobody paused")
    wait_received(page, lambda them: all(them[name]["video"] >= before[name]["video"] + 10 for name in everyone),
                  "everyone's video")
    assert page.locator(".tile[data-paused]").count() == 0
    wait_sending(page, lambda e: not e["maxFramerate"] and not e["maxBitrate"] and e["active"],
                 "the camera sent without LOW's caps")
    page.context.close()


# A browser on a computer with neither camera nor microphone: the device list is empty (Chromium's fake devices are
# hidden from the page), the only change to the real browser.
NO_DEVICES = """
navigator.mediaDevices.enumerateDevices = async () => [];
navigator.mediaDevices.getUserMedia = async () => { throw new DOMException('Requested device not found', 'NotFoundError'); };
"""


def station_joined(station, live_id: str, camera, sessions) -> Recorder:
    """The station in the session's room with its camera (left at the test's end); what it sees."""
    seen = Recorder()
    session = LiveSession(JoinDetails.parse(station.join_live(live_id)), seen, camera=camera)
    sessions.append(session)
    session.start()
    seen.wait(lambda: seen.state == JOINED, 20, "the station joined")
    return seen


def expert_joined(browser, live_hub, expert, live_id: str):
    """The expert's live page, without camera or microphone, once joined."""
    page = signed_in_page(browser, live_hub, expert)
    page.add_init_script(NO_DEVICES)
    page.goto(f"{live_hub.url}/console/live/{live_id}")
    page.wait_for_selector("#live[data-state=joined]", timeout=20_000)
    return page


def test_without_camera_or_microphone_the_expert_takes_part_by_name_and_answers_the_recording(
        browser, live_hub, station, ct_case, camera, sessions):
    case_id, _, _ = ct_case
    expert = make_person(live_hub, "bs.hoa", "bachmai")
    # Two more sites of Ba Vì district for the invite search at the end; one is invited from the start.
    live_hub.register("station", facility="0101A", name="Trạm Y tế xã Ba Trại, Ba Vì")
    live_hub.register("station", facility="0102A", name="Phòng khám đa khoa khu vực Tản Lĩnh, Ba Vì")
    live_id = station.start_live(case_id, facilities=["0102A"])["id"]
    seen = station_joined(station, live_id, camera, sessions)

    page = expert_joined(browser, live_hub, expert, live_id)
    page.wait_for_selector("#live[data-camera=none][data-microphone=none]", timeout=20_000)
    assert "Không có camera hay micrô" in page.inner_text("#live-status")
    assert page.is_disabled("#mute") and page.is_disabled("#camera")
    tile_playing(page, STATION)  # it still sees the station
    mine = page.locator(".tile.mine")
    assert mine.locator(".nameplate").is_visible()  # a name tile, no picture

    # The station sees the expert by name, without video; a raised hand reaches it over the data channel.
    display = mine.get_attribute("data-display")
    seen.wait(lambda: seen.by_display(display) is not None, 20, "the expert in the station's room")
    assert not seen.by_display(display).has_video
    page.click("#hand")
    seen.wait(lambda: seen.by_display(display).hand, 10, "the expert's raised hand at the station")

    # The station asks for a recording: the browser is asked (no recording until it agrees), then it runs.
    station._live("POST", f"/live/{live_id}/recording", {"on": True})
    page.wait_for_selector("#consent:not([hidden])", timeout=15_000)
    assert page.get_attribute("#live", "data-recording") in ("waiting", "paused")
    assert "Ghi hình phiên hội chẩn này?" in page.inner_text("#consent")
    screenshot(page, SCREENSHOTS / "console-live-consent.png")
    page.click("#agree")
    page.wait_for_selector("#live[data-recording=on]", timeout=15_000)
    assert page.is_hidden("#consent") and "Đang ghi hình" in page.inner_text("#recording")

    # Inviting by words: "ba vi" lists Ba Vì's other sites as one types (htmx), the one invited marked; tick, Mời.
    # The invitation goes without reloading the page: the call goes on.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.click("details.manage summary")
    page.evaluate("window.notReloaded = true")
    page.locator("#invite-q").press_sequentially("tan linh", delay=60)
    page.press("#invite-q", "Enter")  # htmx's search too: the page is not reloaded, its call not dropped
    page.wait_for_selector("#invite-results input[value='0102A']", timeout=15_000)
    page.fill("#invite-q", "ba vi")
    page.wait_for_selector("#invite-results input[value='0101A']", timeout=15_000)
    assert page.is_checked("#invite-results input[value='0102A']")
    assert page.is_disabled("#invite-results input[value='0102A']")
    page.check("#invite-results input[value='0101A']")
    page.locator("details.manage").scroll_into_view_if_needed()
    screenshot(page, SCREENSHOTS / "console-live-invite.png")
    # Searching on keeps what is ticked (live-invite.js), and does not list it twice.
    page.fill("#invite-q", "tan linh")
    page.wait_for_function("() => !document.querySelector('#invite-results input[value=\"0101A\"]')"
                           " && !!document.querySelector('#invite-results input[value=\"0102A\"]')", timeout=15_000)
    assert page.is_checked("#invite-chosen input[value='0101A']")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector("#invite .notice", timeout=15_000)
    assert "Đã gửi lời mời" in page.inner_text("#invite .notice")
    assert sorted(station.live_session(live_id)["invited"]["facilities"]) == ["0101A", "0102A"]
    page.fill("#invite-q", "ba trai")
    page.wait_for_selector("#invite-results input[value='0101A'][disabled]", timeout=15_000)  # now marked invited
    assert page.get_attribute("#live", "data-state") == "joined" and page.evaluate("window.notReloaded === true")
    page.context.close()


def test_when_janus_restarts_the_page_says_so_and_comes_back_by_itself(browser, live_hub, station, ct_case, camera,
                                                                      sessions):
    from server.live.janus_process import JanusProcess

    case_id, _, _ = ct_case
    expert = make_person(live_hub, "bs.tuan", "bachmai")
    live_id = station.start_live(case_id)["id"]
    seen = Recorder()
    session = LiveSession(JoinDetails.parse(station.join_live(live_id)), seen, camera=camera,
                          rejoin=lambda: JoinDetails.parse(station.join_live(live_id)))
    sessions.append(session)
    session.start()
    seen.wait(lambda: seen.state == JOINED, 20, "the station joined")
    page = signed_in_page(browser, live_hub, expert)
    page.goto(f"{live_hub.url}/console/live/{live_id}")
    page.wait_for_selector("#live[data-state=joined]", timeout=20_000)
    tile_playing(page, STATION)

    sfu = live_hub.sfu
    sfu.kill()
    page.wait_for_selector("#live[data-state=reconnecting]", timeout=30_000)
    assert "Mất kết nối. Đang kết nối lại" in page.inner_text("#live-status")
    assert page.locator(".tile").count() == 0  # nobody shown as present while the call is down
    live_hub.sfu = JanusProcess(sfu.folder, settings=sfu.settings, events_url=sfu.events_url).start()

    # The page joins again with a new ticket (the hub makes the room again) and sees the station again.
    page.wait_for_selector("#live[data-state=joined]", timeout=40_000)
    tile_playing(page, STATION, timeout=40_000)
    assert page.inner_text("#live-status") == ""

    # The link falls to 200 kbit/s (navigator.connection says so): the page goes to sound only by itself.
    throttle(page, 0.2)
    page.wait_for_selector("#live[data-quality=audio-only][data-quality-by=link]", timeout=20_000)
    assert "chỉ nhận âm thanh" in page.inner_text("#quality-note")
    page.wait_for_selector(f".tile[data-display='{STATION}'][data-paused=audio-only] .paused-note:visible",
                           timeout=20_000)
    before = wait_received(page, lambda them: STATION in them, "the station's streams")
    wait_received(page, lambda them: them[STATION]["audio"] >= before[STATION]["audio"] + 25, "the station's voice")
    page.context.close()
