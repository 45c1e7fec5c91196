"""A LOW station (a 1 Mbit/s district line) receives the video of two participants only: who presents or
talks, then who talked last; the others' video is paused on its subscription, not the others' calls."""

import pytest

from app.live.session import LOW_VIDEO_FEEDS, Quality
from app.media.camera import CameraCapture, CameraSource
from app.wire.live import presenting_message

from .test_session import BlockFeeder, join

pytestmark = pytest.mark.timeout(60)

IN_FLIGHT = 5  # frames already sent or decoded when the pause takes effect


@pytest.fixture
def cameras(numbered_video):
    started = [CameraCapture(CameraSource(str(numbered_video))).start() for _ in range(3)]
    yield started
    for capture in started:
        capture.stop()


@pytest.fixture
def feeders():
    started = [BlockFeeder(frequency) for frequency in (440.0, 550.0, 660.0)]
    yield started
    for feeder in started:
        feeder.stop()


def silent_low_sites(rooms, sessions, cameras, feeders) -> list:
    """A, B and C in the room, each with a camera and a tone, sending LOW (four encoders and decoders on a test
    machine's two cores), silent until their turn to talk."""
    sites = []
    for name, camera, feeder in zip("ABC", cameras, feeders, strict=True):
        session, _ = join(sessions, rooms.details(f"BS {name} — Trạm {name}"), camera=camera, microphone=feeder,
                          quality=Quality.LOW)
        session.set_microphone_muted(True)
        sites.append(session)
    return sites


def test_a_low_station_receives_the_two_latest_speakers_video(rooms, sessions, cameras, feeders):
    sites = a, b, c = silent_low_sites(rooms, sessions, cameras, feeders)
    d, d_sees = join(sessions, rooms.details("BS D — TTYT huyện Mèo Vạc"), quality=Quality.LOW)

    def frames(session):
        return d_sees.frames.get(session.participant_id, 0)

    def seen(session):
        return d_sees.participants.get(session.participant_id)

    def talks(session):
        session.set_microphone_muted(False)
        d_sees.wait(lambda: seen(session) is not None and seen(session).talking, what="talking at D")

    d_sees.wait(lambda: all(seen(s) is not None for s in sites), what="D sees A, B and C")
    talks(a)
    talks(b)
    # A then B spoke: D receives theirs, C's is paused and its tile says so
    d_sees.wait(lambda: seen(c).video_paused and not seen(c).has_video, what="C's video paused at D")
    assert LOW_VIDEO_FEEDS == 2
    d_sees.wait(lambda: frames(a) >= 10 and frames(b) >= 10, timeout=15, what="A's and B's video at D")
    assert not seen(a).video_paused and not seen(b).video_paused and seen(a).has_video
    settled = frames(c)
    before = frames(a), frames(b)
    d_sees.wait(lambda: frames(a) >= before[0] + 20 and frames(b) >= before[1] + 20, what="20 more of A and B")
    assert frames(c) <= settled + IN_FLIGHT, "C's video is not sent to D"
    d_sees.wait(lambda: d.stats().get("paused_video") == [c.participant_id], what="D's stats say C is paused")

    # C starts talking: its video comes, A's (the oldest speaker) stops
    talks(c)
    d_sees.wait(lambda: seen(a).video_paused and seen(c).has_video, what="A paused and C resumed at D")
    c_before = frames(c)
    d_sees.wait(lambda: frames(c) >= c_before + 10, timeout=15, what="C's video arrives at D")
    a_stopped = frames(a)
    before = frames(b), frames(c)
    d_sees.wait(lambda: frames(b) >= before[0] + 20 and frames(c) >= before[1] + 20, what="20 more of B and C")
    assert frames(a) <= a_stopped + IN_FLIGHT, "A's video is not sent to D any more"

    # HIGH: everyone's video again
    d.set_quality(Quality.HIGH)
    d_sees.wait(lambda: not any(seen(s).video_paused for s in sites) and all(seen(s).has_video for s in sites),
                what="nobody paused at D")
    before = [frames(s) for s in sites]
    d_sees.wait(lambda: all(frames(s) >= n + 10 for s, n in zip(sites, before, strict=True)), timeout=30,
                what="A's, B's and C's video at D")
    assert d.stats()["subscriptions"] == 1, "pausing and resuming needed no new subscription"
    assert {s.participant_id for s in sites} == set(d.participants)


def b_and_c_talk_to_low_d(rooms, sessions, cameras, feeders, d_details):
    """A, B and C in the room, D (joined with `d_details`) receiving LOW; B then C talk. ((A, B, C), what D
    sees, seen(site): that site as D sees it)."""
    sites = a, b, c = silent_low_sites(rooms, sessions, cameras, feeders)
    _, d_sees = join(sessions, d_details, quality=Quality.LOW)

    def seen(session):
        return d_sees.participants.get(session.participant_id)

    d_sees.wait(lambda: all(seen(s) is not None for s in sites), what="D sees A, B and C")
    for speaker in (b, c):
        speaker.set_microphone_muted(False)
        d_sees.wait(lambda s=speaker: seen(s).talking, what="talking at D")
    return sites, d_sees, seen


def test_a_low_station_receives_the_presenters_video_first(rooms, sessions, cameras, feeders):
    (a, b, c), d_sees, seen = b_and_c_talk_to_low_d(rooms, sessions, cameras, feeders,
                                                    rooms.details("BS D — TTYT huyện Mèo Vạc"))
    d_sees.wait(lambda: seen(a).video_paused and seen(b).has_video and seen(c).has_video,
                what="B's and C's video at D, A's paused")

    # A, silent, presents the case (the synced viewer says so to all): its video comes first, B's (the
    # oldest speaker) gives way
    a.send(presenting_message("BS A — Trạm A", "BS A — Trạm A"))
    d_sees.wait(lambda: seen(b).video_paused and seen(a).has_video and seen(c).has_video,
                what="A's and C's video at D, B's paused")
    before = d_sees.frames.get(a.participant_id, 0)
    d_sees.wait(lambda: d_sees.frames.get(a.participant_id, 0) >= before + 10, timeout=15, what="A's video at D")


def test_a_low_station_receives_the_case_s_own_site_before_the_speakers(rooms, sessions, cameras, feeders):
    """Where the patient is comes first after the presenter: with nobody presenting and two others talking, a
    LOW site received the two speakers and paused the case's own site (an outsider's finding, on the console
    page that follows the same rule)."""
    from dataclasses import replace

    home = replace(rooms.details("BS D — TTYT huyện Mèo Vạc"), home_sites=["BS A — Trạm A"])
    (a, b, c), d_sees, seen = b_and_c_talk_to_low_d(rooms, sessions, cameras, feeders, home)
    # A, the case's own site, silent: its video and the latest speaker's (C); B's paused
    d_sees.wait(lambda: seen(b).video_paused and seen(a).has_video and seen(c).has_video,
                what="A's and C's video at D, B's paused")
    before = d_sees.frames.get(a.participant_id, 0)
    d_sees.wait(lambda: d_sees.frames.get(a.participant_id, 0) >= before + 10, timeout=30, what="A's video at D")
