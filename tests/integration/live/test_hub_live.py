"""Live sessions as stations run them: the hub's /live routes through HubClient (the real hub with its own
Janus, `serve --local-sfu`), then LiveSession with the details the hub handed out."""

import pytest

from app.live.details import JoinDetails
from app.live.session import JOINED, LEFT, LiveSession
from app.sync.hub_client import HubClient, LiveRefused, LiveUnavailable, enroll
from app.wire.live import VIEWER, Message
from tests.integration.hub.test_access import consultation

from .conftest import Recorder

pytestmark = pytest.mark.timeout(120)

CASE = "case-live-station"


@pytest.fixture
def clients(live_hub):
    made = []

    def make(facility, name) -> HubClient:
        _, code = live_hub.register("station", facility=facility, name=name)
        made.append(HubClient(enroll(live_hub.url, code)))
        return made[-1]
    yield make
    for client in made:
        client.close()


def session_for(client, live_id, sessions):
    recorder = Recorder()
    details = JoinDetails.parse(client.join_live(live_id))
    session = LiveSession(details, recorder, rejoin=lambda: JoinDetails.parse(client.join_live(live_id)))
    sessions.append(session)
    session.start()
    return session, recorder


def test_started_joined_talked_and_ended_through_the_hub(clients, sessions):
    meo_vac = clients("0100A", "TTYT huyện Mèo Vạc")
    dong_van = clients("0200B", "TTYT huyện Đồng Văn")
    elsewhere = clients("0300C", "TTYT huyện Yên Minh")
    meo_vac.transaction(consultation(CASE, "pat-live-station"))

    live = meo_vac.start_live(CASE, facilities=["0200B"])
    assert live["state"] == "open" and live["invited"]["facilities"] == ["0200B"]
    assert [s["id"] for s in dong_van.live_sessions()["sessions"]] == [live["id"]]
    assert dong_van.live_session(live["id"])["request"] == CASE
    with pytest.raises(LiveRefused) as refused:
        elsewhere.join_live(live["id"])
    assert refused.value.status == 403 and refused.value.code == "not-invited"

    a, a_sees = session_for(meo_vac, live["id"], sessions)
    b, b_sees = session_for(dong_van, live["id"], sessions)
    a_sees.wait(lambda: a_sees.by_display("TTYT huyện Đồng Văn") is not None, timeout=20, what="Đồng Văn at Mèo Vạc")
    b_sees.wait(lambda: b_sees.by_display("TTYT huyện Mèo Vạc") is not None, timeout=20, what="Mèo Vạc at Đồng Văn")
    assert a_sees.state == JOINED and b_sees.state == JOINED
    a_sees.wait(lambda: a_sees.participants[b.participant_id].listening, what="Đồng Văn hears Mèo Vạc")
    a.send(Message(VIEWER, "TTYT huyện Mèo Vạc", {"study": "1.2.3", "series": "1.2.3.4", "index": 3}))
    b_sees.wait(lambda: any(who == a.participant_id and m.type == VIEWER for who, m in b_sees.data),
                what="the viewer state at Đồng Văn")

    meo_vac.live_consent(live["id"], True)
    present = meo_vac.live_session(live["id"])["present"]
    assert {p["site"] for p in present} >= {"TTYT huyện Mèo Vạc"}

    meo_vac.end_live(live["id"])
    b_sees.wait(lambda: b_sees.state == LEFT, timeout=15, what="Đồng Văn told the session ended")
    assert "ended" in b_sees.states[-1][1]
    with pytest.raises(LiveRefused) as gone:
        dong_van.join_live(live["id"])
    assert gone.value.code == "ended"


def test_the_hubs_janus_down_is_told_apart_from_the_hub_down(live_hub, clients):
    meo_vac = clients("0100A", "TTYT huyện Mèo Vạc")
    meo_vac.transaction(consultation(CASE, "pat-live-station"))
    live = meo_vac.start_live(CASE)
    live_hub.sfu.stop()
    with pytest.raises(LiveUnavailable) as unavailable:
        meo_vac.join_live(live["id"])
    assert "sfu-unavailable" in str(unavailable.value)
    assert meo_vac.live_session(live["id"])["state"] == "open"  # the rest of the hub answers


def test_the_hubs_janus_restarted_the_stations_come_back_through_the_hub(live_hub, clients, sessions):
    from server.live.janus_process import JanusProcess

    from .test_reconnect import went

    meo_vac = clients("0100A", "TTYT huyện Mèo Vạc")
    dong_van = clients("0200B", "TTYT huyện Đồng Văn")
    meo_vac.transaction(consultation(CASE, "pat-live-station"))
    live = meo_vac.start_live(CASE, facilities=["0200B"])
    a, a_sees = session_for(meo_vac, live["id"], sessions)
    b, b_sees = session_for(dong_van, live["id"], sessions)
    for session in (a, b):
        session.BACKOFF_S = (0.5, 1.0)
    a_sees.wait(lambda: b.participant_id in a_sees.participants, timeout=20, what="Đồng Văn at Mèo Vạc")
    # Seeing the other comes before one's own media offer is answered; a Janus lost before that is a failed
    # join (test_reconnect), not a reconnection.
    for sees in (a_sees, b_sees):
        sees.wait(lambda: sees.state == JOINED, timeout=20, what="both joined")

    sfu = live_hub.sfu
    sfu.kill()
    a_sees.wait(lambda: a_sees.state == "reconnecting", what="Mèo Vạc reconnecting")
    live_hub.sfu = JanusProcess(sfu.folder, settings=sfu.settings, events_url=sfu.events_url).start()
    a_sees.wait(lambda: a_sees.state == JOINED and went(a_sees, "reconnecting", JOINED), timeout=30,
                what="Mèo Vạc back (the hub made the room again)")
    b_sees.wait(lambda: b_sees.state == JOINED and went(b_sees, "reconnecting", JOINED), timeout=30,
                what="Đồng Văn back")
    a_sees.wait(lambda: b.participant_id in a_sees.participants, timeout=20, what="each sees the other again")
