"""A participant who leaves and joins again (a reloaded page, a station restarted) is seen and received anew;
a participant cannot rewrite its name or site through its own data messages."""

import pytest

from app.live.session import MEDIA
from app.media.camera import CameraCapture, CameraSource
from app.wire.live import Message

from .test_session import BlockFeeder, join, joined

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def microphone():
    running = BlockFeeder()
    yield running
    running.stop()


@pytest.fixture
def cameras(numbered_video):
    made = [CameraCapture(CameraSource(str(numbered_video))).start() for _ in range(3)]
    yield made
    for capture in made:
        capture.stop()


def test_a_participant_who_rejoins_is_received_again(rooms, sessions, cameras, microphone):
    a, a_sees = join(sessions, rooms.details("BS A — Trạm A", site="Trạm A"), camera=cameras[0])
    b, b_sees = join(sessions, rooms.details("BS B — Trạm B", site="Trạm B"), camera=cameras[1])
    c, c_sees = join(sessions, rooms.details("BS C — Trạm C", site="Trạm C"), camera=cameras[2], microphone=microphone)
    a_sees.wait(lambda: a_sees.frames.get(c.participant_id, 0) >= 10, what="C's video at A")
    a_sees.wait(lambda: a_sees.frames.get(b.participant_id, 0) >= 10, what="B's video at A")
    gone = c.participant_id

    c.leave()
    sessions.remove(c)
    a_sees.wait(lambda: gone not in a_sees.participants, what="C gone at A")
    frames_of_gone = a_sees.frames.get(gone, 0)
    # C comes back (a new ticket, a new publisher id): Janus may give it the m-line C had on A's subscription
    again, _ = join(sessions, rooms.details("BS C — Trạm C", site="Trạm C"), camera=cameras[2], microphone=microphone)
    a_sees.wait(lambda: again.participant_id in a_sees.participants, what="C back at A")
    assert again.participant_id != gone
    a_sees.wait(lambda: a_sees.frames.get(again.participant_id, 0) >= 10, timeout=20, what="C's new video at A")
    a_sees.wait(lambda: a_sees.heard(again.participant_id) >= 25, what="C's new audio at A")
    a_sees.wait(lambda: a_sees.frames.get(again.participant_id, 0) >= 40, what="more of C's new video at A")
    numbers = a_sees.numbers[again.participant_id][-30:]
    assert len(set(numbers)) >= 20, f"the frames are the camera's, each new (not a frozen picture): {numbers}"
    before = a_sees.frames.get(b.participant_id, 0)
    a_sees.wait(lambda: a_sees.frames.get(b.participant_id, 0) > before + 10, what="B's video at A still")
    assert a_sees.frames.get(gone, 0) == frames_of_gone, "the new frames are not credited to the C who left"


def test_a_participant_cannot_claim_another_site_or_name(rooms, sessions):
    a, a_sees = join(sessions, rooms.details("Trạm A", site="Trạm A"))
    b, b_sees = join(sessions, rooms.details("BS B — Trạm B", site="Trạm B"))
    a_sees.wait(lambda: b.participant_id in a_sees.participants and a_sees.participants[b.participant_id].listening,
                what="B heard at A")
    b_sees.wait(lambda: joined(b_sees) and a.participant_id in b_sees.participants, what="A at B")
    b_sees.wait(lambda: b_sees.participants[a.participant_id].listening, what="A heard at B")
    assert b_sees.participants[a.participant_id].site == "Trạm A"
    # A says it is another station, with another sender name
    a.send(Message(MEDIA, "BS B — Trạm B", {"audio": True, "video": False, "site": "BV Bạch Mai",
                                            "display": "BS Giả — BV Bạch Mai", "hears": [b.participant_id]}))
    a.send(Message("hand", "BS B — Trạm B", {"up": True}))
    b_sees.wait(lambda: any(m.body.get("site") == "BV Bạch Mai" for _, m in b_sees.data), what="A's message at B")
    b_sees.wait(lambda: b_sees.participants[a.participant_id].hand, what="A's hand at B")
    seen = b_sees.participants[a.participant_id]
    assert seen.site == "Trạm A" and seen.display == "Trạm A"
    claims = [(who, m) for who, m in b_sees.data if m.body.get("site") == "BV Bạch Mai" or m.type == "hand"]
    assert claims and all(who == a.participant_id and m.sender == "Trạm A" for who, m in claims), \
        "attributed to A by its channel, under the name Janus gives it"
