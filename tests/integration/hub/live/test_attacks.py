"""A participant of one hospital's live consultation, holding the hub's ticket for its own room, trying to
reach beyond it through Janus itself or through the hub's routes (helper H10's findings, each with its fix)."""

import asyncio
import re

import pytest

from app.live.janus import JanusError, JanusSession

from .conftest import CASE, Api, Participant, case_of, refused, wait_for


def _start_and_join(api, request, **extra):
    session = api("POST", "/live", json={"request": request, **extra})
    assert session.status_code == 201, session.text
    joined = api("POST", f"/live/{session.json()['id']}/join")
    assert joined.status_code == 200, joined.text
    return session.json(), joined.json()


def _two_hospitals(live_hub, enrolled, **extra) -> tuple[dict, dict]:
    """Mèo Vạc's session on its case (`extra`: its start's fields) and Hà Giang's on its own: a ticket of each."""
    theirs = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    mine = enrolled(live_hub, facility="0300C", name="TTYT Hà Giang")
    case_of(theirs)
    case_of(mine, case_id="case-mine", patient_id="pat-mine")
    _, their_ticket = _start_and_join(Api(live_hub, theirs), CASE, **extra)
    _, my_ticket = _start_and_join(Api(live_hub, mine), "case-mine")
    return their_ticket, my_ticket


def test_a_participant_of_one_hospital_cannot_list_the_other_hospitals_rooms_on_janus(live_hub, enrolled):
    """Found: rooms were public, so VideoRoom `list` (which any holder of a Janus token may send) showed every
    hospital's rooms, with their descriptions (the session's title, free text: it could carry the patient's
    name, see the title test below) and head counts, and then `listparticipants` named who was in them."""
    their_ticket, my_ticket = _two_hospitals(live_hub, enrolled, title="Ca khó của Mèo Vạc: sốc nhiễm khuẩn?")

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
    assert described["list"] and not any("Mèo Vạc" in r["description"] for r in described["list"]), described


def test_a_participant_joining_under_another_name_than_its_ticket_is_taken_out(live_hub, enrolled):
    """Found: Janus takes whatever display a participant joins with, and every site's tiles show it, so a
    district station could sit in the room as "GS. Trưởng khoa — Bệnh viện Bạch Mai". The hub now takes out
    whoever joins under another name than its ticket's and withdraws that ticket; attendance always kept the
    ticket's name. (Renaming later through `configure` is not reported by Janus's events: see the report.)"""
    host = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    guest = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(host)
    hosting, visiting = Api(live_hub, host), Api(live_hub, guest)
    session, own_ticket = _start_and_join(hosting, CASE, invite={"facilities": ["0200B"]})
    ticket = visiting("POST", f"/live/{session['id']}/join").json()

    async def scenario():
        honest, liar = Participant(own_ticket), Participant(dict(ticket, display="GS. Trưởng khoa — BV Bạch Mai"))
        try:
            await honest.join()
            await liar.join()
            kicked = await asyncio.to_thread(wait_for, lambda: [r for r in hosting(
                "GET", f"/live/{session['id']}/attendance").json()["attendance"]
                if r["participant"] == liar.participant and r["left_at"]], what="the impostor taken out")
            assert kicked[0]["display"] == "Bệnh viện Cần Thơ"  # the ticket's name, never the claimed one
            present = hosting("GET", f"/live/{session['id']}").json()["present"]
            assert [p["participant"] for p in present] == [honest.participant]  # the honest one stays
            await refused(ticket, "not in the allowed list")  # the same ticket no longer lets anyone in
        finally:
            await honest.close()
            await liar.close()
    asyncio.run(scenario())
    # A fresh ticket, used as given, is let in and stays.
    fair = visiting("POST", f"/live/{session['id']}/join").json()

    async def fairly():
        guest_now = Participant(fair)
        try:
            await guest_now.join()
            await asyncio.to_thread(wait_for, lambda: any(p["participant"] == guest_now.participant for p in hosting(
                "GET", f"/live/{session['id']}").json()["present"]), what="the guest present")
            await asyncio.sleep(1)
            assert any(p["participant"] == guest_now.participant
                       for p in hosting("GET", f"/live/{session['id']}").json()["present"])
        finally:
            await guest_now.close()
    asyncio.run(fairly())


def test_forged_or_garbled_janus_events_are_answered_not_crashed_on(live_hub, enrolled):
    """Found: with the events password, a session id past 64 bits answered 500 (the database's integer
    overflowed) and arrays nested thousands deep answered 500 (RecursionError in the JSON parser). Events naming
    one session's ticket in another session's room are still ignored."""
    import json

    import httpx

    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(own)
    api = Api(live_hub, own)
    session, ticket = _start_and_join(api, CASE)
    janus = live_hub.config.janus
    url, auth = f"{live_hub.url}/live/janus-events", (janus.events_user, janus.events_password)
    joined_elsewhere = {"type": 64, "opaque_id": ticket["janus"]["opaque_id"], "session_id": 5,
                        "event": {"plugin": "janus.plugin.videoroom",
                                  "data": {"event": "joined", "room": "dc-another-room", "id": "p1"}}}
    for body, status in ((json.dumps([{"type": 1, "session_id": 10 ** 30, "event": {"name": "destroyed"}}]), 200),
                         (json.dumps([{**joined_elsewhere, "session_id": 10 ** 30}]), 200),
                         (json.dumps([1, "x", None, {"type": 64, "event": []}, {"type": 64}]), 200),
                         ("[" * 100_000 + "]" * 100_000, 400), ("garbage", 400)):
        answer = httpx.post(url, content=body, auth=auth, timeout=30)
        assert answer.status_code == status, (body[:80], answer.status_code, answer.text[:300])
    assert api("GET", f"/live/{session['id']}").json()["present"] == []


def test_a_title_that_names_the_patient_is_refused(live_hub, enrolled):
    """Found: POST /live took any `title`, and the title is on every site's screen and in every invited site's
    and expert abroad's session list: "Nguyễn Thị Lan — sốc nhiễm khuẩn?" went to all of them. The hub now
    refuses a title quoting the patient (name, address, identity numbers; accents and case ignored)."""
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(own)
    api = Api(live_hub, own)
    for title in ("Nguyễn Thị Lan — sốc nhiễm khuẩn?", "ca của NGUYEN THI  LAN"):
        refused = api("POST", "/live", json={"request": CASE, "title": title})
        assert refused.status_code == 422 and refused.json()["issue"][0]["expression"] == ["title"], refused.text
    assert api("GET", "/live").json()["sessions"] == []  # nothing was started
    fine = api("POST", "/live", json={"request": CASE, "title": "Ca 0100A-2026-0042: sốc nhiễm khuẩn hay phản vệ?"})
    assert fine.status_code == 201 and fine.json()["title"].startswith("Ca 0100A-2026-0042")


def test_a_revoked_station_cannot_come_back_into_the_room_with_the_ticket_it_held(live_hub, enrolled):
    """Found: revoking a client (a stolen station) stopped its hub requests but not its live ticket: the Janus
    token lasts 12 hours and the room token stayed in the room's list, so it could rejoin the consultation and
    see and hear it. Janus's `joined` event now takes out a participant whose client is revoked."""
    host = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    stolen = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(host)
    hosting = Api(live_hub, host)
    session, _ = _start_and_join(hosting, CASE, invite={"facilities": ["0200B"]})
    ticket = Api(live_hub, stolen)("POST", f"/live/{session['id']}/join").json()
    live_hub.revoke(stolen.credential.client_id)

    async def scenario():
        thief = Participant(ticket)
        try:
            await thief.join()
            await asyncio.to_thread(wait_for, lambda: [r for r in hosting(
                "GET", f"/live/{session['id']}/attendance").json()["attendance"]
                if r["participant"] == thief.participant and r["left_at"]], what="the revoked station taken out")
            await refused(ticket, "not in the allowed list")
        finally:
            await thief.close()
    asyncio.run(scenario())


def test_a_ticket_for_one_room_cannot_subscribe_to_another_rooms_video(live_hub, enrolled):
    """Found: VideoRoom checks the room's `allowed` tokens when a participant joins as a publisher, never when
    one subscribes. Anyone with a Janus token (each ticket of each session carries one, valid 12 hours) who knew a
    room's id and a publisher's id (listed by `list` and `listparticipants` until the rooms were made private;
    still known to whoever once sat in the room) received that hospital's audio and video. The hub's rooms now
    require a subscription to name the private id of a participant in the room (`require_pvtid`)."""
    from .test_recording import Publisher

    their_ticket, my_ticket = _two_hospitals(live_hub, enrolled)
    room = their_ticket["janus"]["room"]

    async def scenario():
        them, me = Publisher(their_ticket), Participant(my_ticket)
        session = None
        try:
            await them.join()
            await them.publish()
            await them.more_frames(15)
            joined = await me.join()  # in my own room: a private id of my own, for my own room only
            session = await JanusSession(my_ticket["janus"]["url"], my_ticket["janus"]["token"]).create()
            for extra in ({}, {"token": my_ticket["janus"]["room_token"]}, {"private_id": joined["private_id"]},
                          {"private_id": 1}):
                handle = await session.attach("janus.plugin.videoroom")
                with pytest.raises(JanusError, match="private_id|Unauthorized|unauthorized"):
                    await handle.message({"request": "join", "ptype": "subscriber", "room": room,
                                          "streams": [{"feed": them.participant}], **extra})
        finally:
            await them.close()
            await me.close()
            if session is not None:
                await session.destroy()
    asyncio.run(scenario())


def test_a_participant_renaming_itself_once_in_the_room_is_taken_out(live_hub, enrolled):
    """Found: after joining under its ticket's name, a participant could rename itself with VideoRoom's
    `configure` {"display": ...}; Janus tells the other participants (the tiles follow) but its event to the hub
    does not carry the name. The hub now asks Janus after each `configured` and takes out a renamed participant;
    a configure that keeps the name (mute, publish) is left alone."""
    host = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    guest = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(host)
    hosting, visiting = Api(live_hub, host), Api(live_hub, guest)
    session, _ = _start_and_join(hosting, CASE, invite={"facilities": ["0200B"]})
    ticket = visiting("POST", f"/live/{session['id']}/join").json()

    def open_rows():
        return [r for r in hosting("GET", f"/live/{session['id']}/attendance").json()["attendance"] if not r["left_at"]]

    async def scenario():
        guest_now = Participant(ticket)
        try:
            await guest_now.join()
            await asyncio.to_thread(wait_for, open_rows, what="the guest present")
            await guest_now.handle.message({"request": "configure", "display": ticket["display"]})  # same name
            await asyncio.sleep(1.5)
            assert [r["participant"] for r in await asyncio.to_thread(open_rows)] == [guest_now.participant]
            await guest_now.handle.message({"request": "configure", "display": "GS. Trưởng khoa — BV Bạch Mai"})
            await asyncio.to_thread(wait_for, lambda: not open_rows(), what="the renamed guest taken out")
        finally:
            await guest_now.close()
    asyncio.run(scenario())


def test_a_ticket_of_one_session_opens_nothing_of_another(live_hub, enrolled):
    """The Janus token a ticket carries is good for VideoRoom on that Janus, any room, for 12 hours: it is the
    rooms that keep others out. With session X's whole ticket (Janus token, room token, a private id of X's room),
    nothing of session Y: no join, no room found or guessed, no room made, destroyed or opened."""
    from server.live.janus_admin import JanusAdmin

    their_ticket, my_ticket = _two_hospitals(live_hub, enrolled)
    room, janus = their_ticket["janus"]["room"], live_hub.config.janus

    async def scenario():
        session = await JanusSession(my_ticket["janus"]["url"], my_ticket["janus"]["token"]).create()
        try:
            handle = await session.attach("janus.plugin.videoroom")
            refusals = [({"request": "join", "ptype": "publisher", "room": room, "display": "TTYT Hà Giang",
                          "token": my_ticket["janus"]["room_token"]}, "not in the allowed list"),
                        ({"request": "joinandconfigure", "ptype": "publisher", "room": room,
                          "token": my_ticket["janus"]["room_token"]}, "not in the allowed list|Unauthorized|jsep"),
                        ({"request": "create", "room": "dc-mine-now", "admin_key": "guess"}, "admin_key|Unauthorized"),
                        ({"request": "create", "room": "dc-mine-now"}, "admin_key|Missing"),
                        ({"request": "destroy", "room": room}, "secret|Missing"),
                        ({"request": "destroy", "room": room, "secret": "guess"}, "Unauthorized|secret"),
                        ({"request": "allowed", "room": room, "action": "disable"}, "secret|Missing"),
                        ({"request": "allowed", "room": room, "action": "add", "secret": "guess",
                          "allowed": [my_ticket["janus"]["room_token"]]}, "Unauthorized|secret"),
                        # Rooms are named under the hub's secret: neither the case nor the count of its sessions
                        # gives another room's name, and the old random names are not there.
                        ({"request": "listparticipants", "room": "dc-" + "0" * 24}, "No such room"),
                        ({"request": "listparticipants", "room": f"dc-{CASE}"}, "No such room")]
            for request, why in refusals:
                try:
                    answer, _ = await handle.message(request)
                except JanusError as error:
                    answer = {"error": str(error)}
                assert re.search(why, answer.get("error", "")), (request, answer)
            listed, _ = await handle.message({"request": "list"})
            assert room not in [r["room"] for r in listed["list"]]
        finally:
            await session.destroy()
    asyncio.run(scenario())
    assert JanusAdmin(janus).participants(room) == []  # nobody got in


def test_a_room_token_stops_opening_the_room_once_used_left_or_ended(live_hub, enrolled):
    """A ticket lets one participant in once: its room token leaves the room's `allowed` list as soon as Janus
    reports the join (so a ticket's holder that left, or was kicked, does not come back on it); the tickets of a
    station or person that leaves through the hub are withdrawn, used or not; the session's end destroys the room."""
    from server.live import service
    from server.live.janus_admin import JanusAdmin

    host = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    guest = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(host)
    hosting, visiting = Api(live_hub, host), Api(live_hub, guest)
    session, used = _start_and_join(hosting, CASE, invite={"facilities": ["0200B"]})
    unused = hosting("POST", f"/live/{session['id']}/join").json()
    guests = visiting("POST", f"/live/{session['id']}/join").json()
    admin, room = JanusAdmin(live_hub.config.janus), used["janus"]["room"]
    with live_hub.engine.begin() as conn:
        secret = service.room_of(conn, session["id"])[1]

    def allowed():
        return set(admin.allow(room, secret, [], action="enable")["allowed"])
    assert {t["janus"]["room_token"] for t in (used, unused, guests)} <= allowed()

    async def scenario():
        first = Participant(used)
        try:
            await first.join()
            await asyncio.to_thread(wait_for, lambda: used["janus"]["room_token"] not in allowed(), 20,
                                    "the used ticket withdrawn")
            assert unused["janus"]["room_token"] in allowed()
            await first.leave()  # left through Janus only: the ticket does not let it back in
            await refused(used, "not in the allowed list")
        finally:
            await first.close()
    asyncio.run(scenario())
    assert hosting("POST", f"/live/{session['id']}/leave").status_code == 200
    assert unused["janus"]["room_token"] not in allowed()  # the host's tickets went with its leaving
    assert guests["janus"]["room_token"] in allowed()
    assert hosting("POST", f"/live/{session['id']}/end").status_code == 200

    asyncio.run(refused(guests, "No such room|no such room"))


def test_a_station_revoked_while_in_the_room_is_taken_out_by_withdraw(live_hub, enrolled):
    """Found: revoking a client stopped its hub requests, and its next `joined` is refused, but a stolen station
    already sitting in the room stayed there, seeing and hearing, until the session ended: nothing told Janus.
    `service.withdraw` (for revocation and account disabling to call) withdraws its tickets and takes it out."""
    from server.live import service
    from server.live.janus_admin import JanusAdmin

    host = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    stolen = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(host)
    hosting, thieving = Api(live_hub, host), Api(live_hub, stolen)
    session, own_ticket = _start_and_join(hosting, CASE, invite={"facilities": ["0200B"]})
    ticket, spare = (thieving("POST", f"/live/{session['id']}/join").json() for _ in range(2))
    admin, room = JanusAdmin(live_hub.config.janus), ticket["janus"]["room"]

    def in_room():
        return {str(p["id"]) for p in admin.participants(room)}

    async def scenario():
        honest, thief = Participant(own_ticket), Participant(ticket)
        try:
            await honest.join()
            await thief.join()
            await asyncio.to_thread(wait_for, lambda: len(hosting("GET", f"/live/{session['id']}").json()["present"])
                                    == 2, 20, "both present")
            live_hub.revoke(stolen.credential.client_id)
            with live_hub.engine.begin() as conn:
                followups = service.withdraw(conn, stolen.credential.client_id)
            service.remove_impostors(live_hub.config, followups)
            await asyncio.to_thread(wait_for, lambda: in_room() == {honest.participant}, 20, "the thief taken out")
            await asyncio.to_thread(wait_for, lambda: [p["participant"] for p in hosting(
                "GET", f"/live/{session['id']}").json()["present"]] == [honest.participant], 20, "its attendance closed")
            await refused(spare, "not in the allowed list")  # nor its unused ticket
        finally:
            await honest.close()
            await thief.close()
    asyncio.run(scenario())
