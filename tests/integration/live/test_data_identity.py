"""Who sent a data-channel message is the publisher Janus relays it from, whatever the sender calls its channel.

Janus 1.x relays a publisher's data to each subscriber on a channel labelled with that publisher's id
(janus_videoroom.c, janus_videoroom_relay_data_packet: `.label = ps->publisher->user_id_str`), and stations
take the label for the sender. A forged station opening its own channel under another participant's id
must still be the one its hand and its presenting are put on, at every other station."""

import pytest
from aiortc import RTCPeerConnection

from app.live.participants import MEDIA
from app.live.session import LiveSession
from app.wire.live import HAND, PRESENTING, Message

from .conftest import Recorder
from .test_session import join, joined

pytestmark = pytest.mark.timeout(90)


def test_a_channel_labelled_with_another_participants_id_is_still_its_senders(rooms, sessions, monkeypatch):
    victim, victim_sees = join(sessions, rooms.details("BS Lan — BV Bạch Mai", site="BV Bạch Mai"))
    receiver, receiver_sees = join(sessions, rooms.details("TTYT huyện Mèo Vạc", site="TTYT huyện Mèo Vạc"))
    receiver_sees.wait(lambda: joined(receiver_sees) and victim.participant_id in receiver_sees.participants,
                       what="the victim at the receiver")

    forged, made = [], []
    create_channel = RTCPeerConnection.createDataChannel

    def under_the_victims_name(pc, label, *args, **kwargs):
        # The forger's own channel (the one labelled with its own id) goes under the victim's id instead.
        if made and label and label == made[0].participant_id:
            forged.append(label)
            label = victim.participant_id
        return create_channel(pc, label, *args, **kwargs)
    monkeypatch.setattr(RTCPeerConnection, "createDataChannel", under_the_victims_name)
    forger_sees = Recorder()
    forger = LiveSession(rooms.details("TTYT Hà Giang", site="TTYT Hà Giang"), forger_sees)
    made.append(forger)
    sessions.append(forger)
    forger.start()
    forger_sees.wait(lambda: joined(forger_sees), 20, "the forger joined")
    assert forged, "the forger's channel was not opened under the victim's id"

    # Its data reaches the receiver (it says whom it hears): on the forger, not on the victim.
    receiver_sees.wait(lambda: forger.participant_id in receiver_sees.participants
                       and receiver_sees.participants[forger.participant_id].listening, 20,
                       "the forger's data at the receiver")
    # PRESENTING goes once (the station's viewer sync, not this test, repeats it to whoever starts hearing): each
    # station must hear the forger before it is sent. The victim subscribes to the forger on its own time, and under
    # load after the receiver: waiting for the receiver only lost the presenting at the victim (2 runs in 4).
    for sees in (receiver_sees, victim_sees):
        sees.wait(lambda sees=sees: any(who == forger.participant_id and m.type == MEDIA for who, m in sees.data),
                  20, "the forger's first data message")
    forger.raise_hand(True)
    forger.send(Message(PRESENTING, "BS Lan — BV Bạch Mai", {"presenter": "BS Lan — BV Bạch Mai"}))
    for sees in (receiver_sees, victim_sees):
        sees.wait(lambda sees=sees: forger.participant_id in sees.participants
                  and sees.participants[forger.participant_id].hand, 20, "the forger's hand up")
        sees.wait(lambda sees=sees: any(m.type == PRESENTING for _, m in sees.data), 20, "the presenting")
        # (The victim repeats its own state, hand down: only a hand up or a presenting is the forger's.)
        claims = [(who, m) for who, m in sees.data if m.type == PRESENTING or (m.type == HAND and m.body.get("up"))]
        assert claims and all(who == forger.participant_id and m.sender == "TTYT Hà Giang" for who, m in claims), \
            claims
        assert [m.body["presenter"] for _, m in claims if m.type == PRESENTING] == ["TTYT Hà Giang"]
    assert not receiver_sees.participants[victim.participant_id].hand
    # The victim's own data is still its own: its hand, raised now, goes on it alone.
    victim.raise_hand(True)
    receiver_sees.wait(lambda: receiver_sees.participants[victim.participant_id].hand, 20, "the victim's hand")
    victims = [who for who, m in receiver_sees.data if m.type == HAND and m.body.get("up")
               and who == victim.participant_id]
    assert victims and receiver_sees.participants[forger.participant_id].hand
