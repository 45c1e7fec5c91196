"""A participant of one hospital's live consultation, holding the hub's ticket for its own room, trying to
reach beyond it through Janus itself or through the hub's routes (helper H10's findings, each with its fix)."""

import asyncio

from app.live.janus import JanusError, JanusSession

from .conftest import CASE, Api, Participant, case_of


def _start_and_join(api, request, **extra):
    session = api("POST", "/live", json={"request": request, **extra})
    assert session.status_code == 201, session.text
    joined = api("POST", f"/live/{session.json()['id']}/join")
    assert joined.status_code == 200, joined.text
    return session.json(), joined.json()


def test_a_participant_of_one_hospital_cannot_list_the_other_hospitals_rooms_on_janus(live_hub, enrolled):
    """Found: rooms were public, so VideoRoom `list` (which any holder of a Janus token may send) showed every
    hospital's rooms, with their descriptions (the session's title, free text: a station had typed the
    patient's name into it) and head counts, and then `listparticipants` named who was in them."""
    mine = enrolled(live_hub, facility="0300C", name="TTYT Hà Giang")
    theirs = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(theirs)
    case_of(mine, case_id="case-mine", patient_id="pat-mine")
    _, their_ticket = _start_and_join(Api(live_hub, theirs), CASE, title="Nguyễn Thị Lan — sốc nhiễm khuẩn?")
    _, my_ticket = _start_and_join(Api(live_hub, mine), "case-mine")

    async def scenario():
        them = Participant(their_ticket)
        session = handle = None
        try:
            await them.join()
            session = await JanusSession(my_ticket["janus"]["url"], my_ticket["janus"]["token"]).create()
            handle = await session.attach("janus.plugin.videoroom")
            listed, _ = await handle.message({"request": "list"})
            assert listed["list"] == [], listed  # no room of anyone's: all are private
            # Their room cannot be joined, subscribed to or changed with my ticket either.
            room = their_ticket["janus"]["room"]
            for request in ({"request": "join", "ptype": "publisher", "room": room, "display": "x",
                             "token": my_ticket["janus"]["room_token"]},
                            {"request": "kick", "room": room, "id": them.participant},
                            {"request": "destroy", "room": room},
                            {"request": "edit", "room": room, "new_description": "x"},
                            {"request": "enable_recording", "room": room, "record": True},
                            {"request": "listforwarders", "room": room},
                            {"request": "rtp_forward", "room": room, "publisher_id": them.participant,
                             "host": "127.0.0.1", "audio_port": 5000},
                            {"request": "create", "room": "mine-now"}):
                try:
                    answer, _ = await handle.message(request)
                except JanusError as error:
                    answer = {"error": str(error)}
                assert "error" in answer, (request, answer)
        finally:
            await them.close()
            if session is not None:
                await session.destroy()
    asyncio.run(scenario())
    # The room on Janus never carries the session's title.
    from server.live.janus_admin import JanusAdmin

    described = JanusAdmin(live_hub.config.janus).request({"request": "list",
                                                             "admin_key": live_hub.config.janus.admin_key})
    assert described["list"] and not any("Lan" in r["description"] for r in described["list"]), described
