"""The same thing at the same moment, twice: two starts of one case, one actor joining twice, one ticket used by
two participants at once, a ticket's room token used under another handle. On SQLite and on PostgreSQL, with a
real Janus: one session, one room, no 500, a ticket letting in one participant once, attendance without doubles."""

import asyncio
import threading


from app.live.janus import JanusError, JanusSession
from server.live.janus_admin import JanusAdmin

from .conftest import CASE, Api, Participant, case_of, refused, wait_for


def at_once(*calls):
    """Each call in a thread of its own, released together; their results (or what they raised) in order."""
    gate, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        gate.wait()
        try:
            results[i] = call()
        except Exception as error:  # noqa: BLE001 (the caller sees what went wrong, in its place)
            results[i] = error
    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def hub_rooms(hub) -> list[str]:
    """The rooms on the hub's Janus (private ones too: asked with the admin key)."""
    listed = JanusAdmin(hub.config.janus).request({"request": "list", "admin_key": hub.config.janus.admin_key})
    return sorted(r["room"] for r in listed["list"])


def allowed_tokens(hub, room: str, secret: str) -> list[str]:
    """The room's `allowed` list as Janus holds it (an `enable` changes nothing: the check is on already)."""
    return JanusAdmin(hub.config.janus).allow(room, secret, [], action="enable")["allowed"]


def room_secret(hub, live_id: str) -> str:
    from server.live import service

    with hub.engine.begin() as conn:
        return service.room_of(conn, live_id)[1]


def test_two_starts_and_two_joins_at_the_same_moment(hub_with_sfu, enrolled):
    hub = hub_with_sfu
    station = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    expert = enrolled(hub, "expert", hospital="bachmai", specialty="cardiology", name="BS Lan")
    case_of(station)
    own, routed = Api(hub, station), Api(hub, expert)
    rooms_before = hub_rooms(hub)
    starts = at_once(lambda: own("POST", "/live", json={"request": CASE}),
                     lambda: routed("POST", "/live", json={"request": CASE}))
    assert sorted(s.status_code for s in starts) == [200, 201], [s.text for s in starts]
    assert starts[0].json()["id"] == starts[1].json()["id"]  # one session, one room on Janus
    live_id = starts[0].json()["id"]
    assert len(hub_rooms(hub)) == len(rooms_before) + 1

    joins = at_once(*[lambda: own("POST", f"/live/{live_id}/join")] * 3)
    assert [j.status_code for j in joins] == [200] * 3, [j.text for j in joins]
    tickets = [j.json()["janus"] for j in joins]
    assert len({t["room_token"] for t in tickets}) == 3 and len({t["opaque_id"] for t in tickets}) == 3
    secret = room_secret(hub, live_id)
    assert {t["room_token"] for t in tickets} <= set(allowed_tokens(hub, tickets[0]["room"], secret))

    details = joins[0].json()

    async def scenario():
        # One ticket, two participants joining with it at the same moment (a copied ticket, a client's bug).
        first, second = Participant(details), Participant(details)
        try:
            answers = await asyncio.gather(first.join(), second.join(), return_exceptions=True)
            inside = [p for p, a in zip((first, second), answers) if isinstance(a, dict)]
            assert inside, answers
            room = details["janus"]["room"]

            def one_left():
                ids = {str(p["id"]) for p in JanusAdmin(hub.config.janus).participants(room)}
                return ids if len(ids) == 1 and ids <= {p.participant for p in inside} else None
            [stays] = await asyncio.to_thread(wait_for, one_left, 20, "one participant left on the ticket")
            rows = own("GET", f"/live/{live_id}/attendance").json()["attendance"]
            assert [r["participant"] for r in rows] == [stays], rows  # one row: the ticket's one participant
            # Once used, the ticket lets nobody else in.
            assert details["janus"]["room_token"] not in allowed_tokens(hub, room, secret)
            await refused(details, "not in the allowed list")
        finally:
            await first.close()
            await second.close()
    asyncio.run(scenario())


def test_a_room_token_used_under_another_handle_than_its_tickets_is_taken_out(hub_with_sfu, enrolled):
    """Found: the hub knew a participant by its handle's opaque id only, and let be whoever joined with another
    one (or none): a holder of a ticket could attach without the opaque id and sit in the room under any name,
    out of the attendance (so out of recording's consent) and never taken out. Janus's `joined` event names
    the room token used: the hub now takes out whoever is in one of its rooms without a ticket's handle."""
    hub = hub_with_sfu
    station = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(station)
    api = Api(hub, station)
    live_id = api("POST", "/live", json={"request": CASE}).json()["id"]
    honest_ticket = api("POST", f"/live/{live_id}/join").json()
    ticket = api("POST", f"/live/{live_id}/join").json()
    room = ticket["janus"]["room"]

    async def scenario():
        honest = Participant(honest_ticket)
        session = await JanusSession(ticket["janus"]["url"], ticket["janus"]["token"]).create()
        try:
            await honest.join()
            for opaque in ("", "dc-made-up"):
                handle = await session.attach("janus.plugin.videoroom", opaque_id=opaque)
                try:
                    joined, _ = await handle.message({"request": "join", "ptype": "publisher", "room": room,
                                                      "display": "GS. Trưởng khoa — BV Bạch Mai",
                                                      "token": ticket["janus"]["room_token"]})
                except JanusError as refused:  # the token already withdrawn (the first round): refused at the door
                    assert opaque and "not in the allowed list" in str(refused)
                    continue
                await asyncio.to_thread(wait_for, lambda: str(joined["id"]) not in {
                    str(p["id"]) for p in JanusAdmin(hub.config.janus).participants(room)}, 20,
                    "the participant without the ticket's handle taken out")
            assert ticket["janus"]["room_token"] not in allowed_tokens(hub, room, room_secret(hub, live_id))
            # The honest participant stays, alone in the attendance.
            await asyncio.to_thread(wait_for, lambda: [p["participant"] for p in api(
                "GET", f"/live/{live_id}").json()["present"]] == [honest.participant], 20, "the honest one present")
            assert {str(p["id"]) for p in JanusAdmin(hub.config.janus).participants(room)} == {honest.participant}
        finally:
            await honest.close()
            await session.destroy()
    asyncio.run(scenario())


def test_two_event_posts_at_once_naming_one_ticket_attend_one_participant(hub_with_sfu, enrolled):
    """Janus's `joined` for two participants on one ticket, in two event posts handled at the same moment (two
    hub workers, or two threads of one): one attendance row, never two (PostgreSQL locks the ticket)."""
    import httpx

    hub = hub_with_sfu
    station = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(station)
    api = Api(hub, station)
    live_id = api("POST", "/live", json={"request": CASE}).json()["id"]
    janus = hub.config.janus
    url, auth = f"{hub.url}/live/janus-events", (janus.events_user, janus.events_password)

    def joined(ticket, participant, session_id):
        return [{"type": 64, "opaque_id": ticket["opaque_id"], "session_id": session_id,
                 "event": {"plugin": "janus.plugin.videoroom",
                           "data": {"event": "joined", "room": ticket["room"], "id": participant,
                                    "display": "TTYT huyện Mèo Vạc", "token": ticket["room_token"]}}}]
    for attempt in range(8):
        ticket = api("POST", f"/live/{live_id}/join").json()["janus"]
        answers = at_once(*[lambda n=n: httpx.post(url, json=joined(ticket, f"p{attempt}-{n}", 1000 + n), auth=auth,
                                                   timeout=60) for n in range(3)])
        assert [a.status_code for a in answers] == [200] * 3
        rows = [r for r in api("GET", f"/live/{live_id}/attendance").json()["attendance"]
                if r["participant"].startswith(f"p{attempt}-")]
        assert len(rows) == 1, rows
