"""A live session that loses Janus (restarted, or the signalling cut) comes back by itself; a camera that
dies leaves the audio going; the real microphone (PulseAudio) is heard at the far end."""

import time
from dataclasses import replace

import numpy as np
import pytest

from app.live.session import FAILED, JOINED, RECONNECTING, LiveSession, Quality
from app.media.audio import MicrophoneCapture, dominant_frequency
from app.media.camera import CameraCapture, CameraSource
from server.live.janus_process import JanusProcess
from tests.support.faulty_proxy import FaultyProxy
from tests.support.killing_relay import KillingRelay, plugin_request

from .conftest import Recorder
from .test_session import BlockFeeder

pytestmark = pytest.mark.timeout(90)


def join(sessions, details, **kwargs):
    recorder = Recorder()
    session = LiveSession(details, recorder, **kwargs)
    session.BACKOFF_S = (0.5, 1.0)  # the tests do not wait out the production backoff
    sessions.append(session)
    session.start()
    return session, recorder


def went(recorder, *states):
    """The states seen, in order, include `states` in that order."""
    seen = iter(state for state, _ in recorder.states)
    return all(any(s == wanted for s in seen) for wanted in states)


@pytest.fixture
def feeder():
    running = BlockFeeder()
    yield running
    running.stop()


def test_janus_restarted_the_stations_come_back(rooms, sessions, feeder, tmp_path):
    janus = rooms.janus
    a, a_sees = join(sessions, rooms.details("BS A — Trạm A"), microphone=feeder,
                     rejoin=rooms.rejoin_for("BS A — Trạm A"))
    b, b_sees = join(sessions, rooms.details("BS B — Trạm B"), microphone=feeder,
                     rejoin=rooms.rejoin_for("BS B — Trạm B"))
    b_sees.wait(lambda: b_sees.heard(a.participant_id) > 25, what="A heard at B")
    for sees in (a_sees, b_sees):  # a Janus lost before one's own offer is answered is a failed join
        sees.wait(lambda: sees.state == JOINED, what="both joined")
    first_a = a.participant_id

    janus.kill()
    a_sees.wait(lambda: a_sees.state == RECONNECTING, what="A reconnecting")
    assert a_sees.states[-1][1], "the state says why"
    assert not a_sees.participants, "no one is shown as present while the call is down"
    restarted = JanusProcess(janus.folder, settings=janus.settings).start()
    rooms.janus = restarted
    try:
        a_sees.wait(lambda: a_sees.state == JOINED and went(a_sees, RECONNECTING, JOINED), timeout=20,
                    what="A joined again")
        b_sees.wait(lambda: b_sees.state == JOINED and went(b_sees, RECONNECTING, JOINED), timeout=20,
                    what="B joined again")
        assert a.participant_id != first_a
        b_sees.wait(lambda: b_sees.heard(a.participant_id) > 25, what="A heard at B again")
        a_sees.wait(lambda: b.participant_id in a_sees.participants, what="B listed at A again")
    finally:
        for session in sessions:
            session.leave()
        restarted.stop()


def test_signalling_cut_for_ten_seconds_the_station_comes_back_without_a_ghost(janus, sessions, feeder):
    from .conftest import Rooms

    proxy = FaultyProxy(janus.http_port)
    try:
        rooms = Rooms(janus)
        via_proxy = Rooms.__new__(Rooms)
        via_proxy.__dict__.update(rooms.__dict__)
        via_proxy.url = proxy.url + "/janus"
        a, a_sees = join(sessions, via_proxy.details("BS A — Trạm A"), microphone=feeder,
                         rejoin=via_proxy.rejoin_for("BS A — Trạm A"))
        b, b_sees = join(sessions, rooms.details("BS B — Trạm B"))
        b_sees.wait(lambda: b_sees.heard(a.participant_id) > 25, what="A heard at B")
        a_sees.wait(lambda: a_sees.state == JOINED, what="A joined")  # a cut before that is a failed join
        first_a = a.participant_id

        proxy.down = True
        proxy.cut()
        a_sees.wait(lambda: a_sees.state == RECONNECTING, what="A notices the cut")
        time.sleep(10)  # the cut lasts ten seconds (the scenario, not an assertion)
        proxy.down = False
        a_sees.wait(lambda: a_sees.state == JOINED and went(a_sees, RECONNECTING, JOINED), timeout=20,
                    what="A joined again")
        assert a.participant_id != first_a
        b_sees.wait(lambda: first_a not in b_sees.participants, what="A's old self gone at B at once")
        b_sees.wait(lambda: b_sees.heard(a.participant_id) > 25, what="A heard at B again")
        assert [p.display for p in b_sees.participants.values()] == ["BS A — Trạm A"]
    finally:
        for session in sessions:  # before the proxy goes: no connection of theirs left open through it
            session.leave()
        proxy.close()


def test_reconnection_gives_up_with_failed(janus, sessions):
    from .conftest import Rooms

    rooms = Rooms(janus)

    def rejoin():
        raise ConnectionError("the hub cannot be reached")

    a, a_sees = join(sessions, rooms.details("BS A — Trạm A"), rejoin=rejoin)
    a.RECONNECT_GIVE_UP_S = 2.0
    a_sees.wait(lambda: a_sees.state == JOINED, what="joined")
    janus.kill()
    a_sees.wait(lambda: a_sees.state == FAILED, timeout=20, what="gave up")
    assert went(a_sees, JOINED, RECONNECTING, FAILED)
    assert "could not be resumed" in a_sees.states[-1][1]


def test_janus_killed_while_the_station_sends_its_media_offer_is_said_at_once(janus, sessions, feeder):
    """Janus takes the offer (its ack is relayed) and dies before answering it: the station must hear that the
    video server is gone from its event poll, not sit on "connecting" until the answer's 15 s timeout."""
    from .conftest import Rooms

    relay = KillingRelay(janus.url, kills_on=lambda body: plugin_request(body) == "configure" and "jsep" in body,
                         answer=True)
    try:
        rooms = Rooms(janus, url=relay.url)
        relay.armed = janus.process
        a, a_sees = join(sessions, rooms.details("BS A — Trạm A"), microphone=feeder)
        a_sees.wait(lambda: a_sees.state == FAILED, timeout=30, what="the join failed")
        assert relay.killed.is_set()
        assert "video server stopped answering" in a_sees.states[-1][1], a_sees.states
        assert not a_sees.participants
    finally:
        for session in sessions:
            session.leave()
        relay.close()


def test_a_camera_that_dies_mid_session_leaves_the_audio(rooms, sessions, feeder, mjpeg_camera):
    camera = CameraCapture(CameraSource(mjpeg_camera.url), open_timeout_ms=1000, read_timeout_ms=1000).start()
    try:
        a, a_sees = join(sessions, rooms.details("BS A — Trạm A"), camera=camera, microphone=feeder)
        b, b_sees = join(sessions, rooms.details("BS B — Trạm B"))
        b_sees.wait(lambda: b_sees.frames.get(a.participant_id, 0) >= 10, what="A's video at B")
        assert b_sees.participants[a.participant_id].has_video

        mjpeg_camera.close()
        b_sees.wait(lambda: not b_sees.participants[a.participant_id].has_video, what="A's video off at B")
        heard = b_sees.heard(a.participant_id)
        b_sees.wait(lambda: b_sees.heard(a.participant_id) > heard + 50, what="A still heard")
        assert a_sees.state == JOINED
    finally:
        camera.stop()


def test_the_real_microphone_is_heard_at_the_far_end(rooms, sessions, microphone_source):
    microphone = MicrophoneCapture().start()
    try:
        a, a_sees = join(sessions, rooms.details("BS A — Trạm A"), microphone=microphone, quality=Quality.LOW)
        b, b_sees = join(sessions, rooms.details("BS B — Trạm B"))
        b_sees.wait(lambda: b_sees.heard(a.participant_id) >= 150, what="three seconds of A")
        heard = np.concatenate(b_sees.audio[a.participant_id][-50:])
        assert abs(dominant_frequency(heard) - 440) < 10
        a.set_microphone_muted(True)
        b_sees.wait(lambda: b_sees.participants[a.participant_id].muted, what="A muted at B")
        count = b_sees.heard(a.participant_id)
        b_sees.wait(lambda: b_sees.heard(a.participant_id) >= count + 60, what="more audio after muting")
        assert float(np.abs(np.concatenate(b_sees.audio[a.participant_id][-25:])).max()) < 0.01, "silence"
    finally:
        for session in sessions:
            session.leave()
        microphone.stop()


def test_join_details_from_the_hubs_answer():
    from app.live.details import BadJoinDetails, JoinDetails

    answer = {"id": "L7", "janus": {"url": "http://10.0.0.2:8088/janus", "token": "t", "room": "r", "room_token": "rt",
                                    "opaque_id": "o", "ice_servers": [{"urls": ["turn:x"], "username": "u",
                                                                       "credential": "c"}]},
              "display": "BS Lan — TTYT huyện Mèo Vạc", "site": "TTYT huyện Mèo Vạc",
              "case": {"code": "HC-1", "initials": "N.V.A", "age": 54, "sex": "male"}, "request": "R",
              "studies": ["1.2.3"], "recording": {"state": "off"}}
    details = JoinDetails.parse(answer)
    assert details.live_id == "L7" and details.room_token == "rt" and details.ice_servers[0]["username"] == "u"
    assert details.case["initials"] == "N.V.A" and details.studies == ["1.2.3"]
    assert replace(details, token="u").token == "u"
    with pytest.raises(BadJoinDetails):
        JoinDetails.parse({"id": "L7", "janus": {"url": "x"}})


def test_the_others_voices_reach_the_speaker(rooms, sessions, feeder, microphone_source):
    from app.live.speaker import Speaker

    microphone_source.set_default_source("speaker.monitor")  # what the station's speaker plays
    speaker = Speaker(device="pulse").start()
    listening = MicrophoneCapture(device="pulse").start()
    try:
        a, _ = join(sessions, rooms.details("BS A — Trạm A"), microphone=feeder)
        b, b_sees = join(sessions, rooms.details("BS B — Trạm B"), speaker=speaker)
        b_sees.wait(lambda: b_sees.heard(a.participant_id) >= 100, what="two seconds of A at B")
        # What the speaker played, as its monitor hears it: A's tone. A loaded machine's player can fall silent a
        # moment (an underrun: a second mostly of zeros); the tone comes back in the next seconds.
        deadline = time.monotonic() + 10
        while abs((heard := dominant_frequency(listening.last(1.0))) - 440) >= 10:
            assert time.monotonic() < deadline, f"B's speaker did not play A's 440 Hz tone: {heard} Hz"
            time.sleep(0.2)
        a.leave()
        b_sees.wait(lambda: a.participant_id in b_sees.left, what="A gone")
        assert a.participant_id not in speaker._voices
    finally:
        for session in sessions:
            session.leave()
        listening.stop()
        speaker.stop()
