"""Live consultations on the hub with a real Janus: start, invite, join, attendance from Janus's own events,
leave, end; who may do what; Janus refusing whoever the hub did not admit; Janus down."""

import asyncio
import json
import time

import httpx
import pytest

from app.live.janus import JanusError, JanusSession
from server.live.janus_admin import JanusAdmin
from server.live.tokens import signed_token

from .conftest import CASE, Api, Participant, case_of, refused, wait_for


def start(api, invite=None, request=CASE):
    answer = api("POST", "/live", json={"request": request, "invite": invite or {}})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_session_is_started_joined_attended_left_and_ended(live_hub, enrolled):
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    guest = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(own)
    host, visitor = Api(live_hub, own), Api(live_hub, guest)
    session = start(host, {"facilities": ["0200B"]})
    assert session["state"] == "open" and session["request"] == CASE
    assert session["invited"] == {"facilities": ["0200B"], "people": []}
    assert session["present"] == [] and session["recording"]["state"] == "off"
    assert "0100A-2026-0042" in session["title"] and "Lan" not in session["title"]
    # A second start on the same case is the same session (a double click), with the new invitations.
    again = host("POST", "/live", json={"request": CASE, "invite": {"facilities": ["0300C"]}})
    assert again.status_code == 200 and again.json()["id"] == session["id"]
    assert again.json()["invited"]["facilities"] == ["0200B", "0300C"]

    joined = visitor("POST", f"/live/{session['id']}/join")
    assert joined.status_code == 200, joined.text
    details = joined.json()
    assert details["display"] == "Bệnh viện Cần Thơ" and details["site"] == "Bệnh viện Cần Thơ"
    # The shared screens' view of the case: its code, initials, age and sex; never the name.
    assert details["case"]["code"] == "0100A-2026-0042" and details["case"]["initials"] == "N.T.L."
    assert details["case"]["sex"] == "female" and details["case"]["age"].isdigit()
    assert "Lan" not in json.dumps(details)
    assert details["studies"] == []  # an invited site reads none of the case's records
    assert details["janus"]["url"] == live_hub.config.janus.url
    assert details["janus"]["opaque_id"] and details["janus"]["room_token"] and details["janus"]["token"]
    assert visitor("GET", f"/ServiceRequest/{CASE}").status_code == 404  # the invitation opens the room only

    async def scenario():
        someone = Participant(details)
        try:
            data = await someone.join()
            assert data["videoroom"] == "joined"
            rows = await asyncio.to_thread(wait_for, lambda: host("GET", f"/live/{session['id']}").json()["present"],
                                           what="the participant in the session's present list")
            assert [(r["participant"], r["display"], r["site"]) for r in rows] == [
                (someone.participant, "Bệnh viện Cần Thơ", "Bệnh viện Cần Thơ")]
            await someone.leave()
            left = await asyncio.to_thread(wait_for, lambda: [r for r in host(
                "GET", f"/live/{session['id']}/attendance").json()["attendance"] if r["left_at"]],
                what="the participant's leaving in the attendance")
            assert left[0]["participant"] == someone.participant and left[0]["seconds"] >= 0
        finally:
            await someone.close()
    asyncio.run(scenario())
    assert host("GET", f"/live/{session['id']}").json()["present"] == []

    assert host("GET", "/live").json()["sessions"][0]["id"] == session["id"]
    assert [s["id"] for s in visitor("GET", "/live").json()["sessions"]] == [session["id"]]
    ended = host("POST", f"/live/{session['id']}/end")
    assert ended.status_code == 200 and ended.json()["state"] == "ended" and ended.json()["ended_at"]
    refused = visitor("POST", f"/live/{session['id']}/join")
    assert refused.status_code == 409 and refused.json()["code"] == "ended"
    assert refused.json()["resourceType"] == "OperationOutcome"
    assert visitor("GET", "/live").json()["sessions"] == []
    # The room is gone from Janus too.
    with pytest.raises(Exception, match="No such room|no such room"):
        from server.live.janus_admin import JanusAdmin

        JanusAdmin(live_hub.config.janus).participants(details["janus"]["room"])


def test_each_route_answers_each_actor_as_the_access_rules_say(live_hub, enrolled):
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    same = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc (máy 2)")
    invited = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    other = enrolled(live_hub, facility="0300C", name="TTYT Hà Giang")
    routed = enrolled(live_hub, "expert", hospital="bachmai", specialty="cardiology", name="Bs. Tim")
    unrouted = enrolled(live_hub, "expert", hospital="k", specialty="oncology", name="Bs. K")
    person_client = enrolled(live_hub, "expert", hospital="choray", specialty="oncology", name="Bs. Chợ Rẫy")
    revoked = enrolled(live_hub, facility="0100A", name="gone")
    case_of(own)
    session = start(Api(live_hub, own), {"facilities": ["0200B"], "people": [person_client.credential.client_id]})
    live = session["id"]
    Api(live_hub, revoked)("GET", "/live")  # its token is taken before the revocation
    revoked_api = Api(live_hub, revoked)
    token = revoked.token()
    revoked_api.client = type("Fixed", (), {"token": staticmethod(lambda: token)})()
    live_hub.revoke(revoked.credential.client_id)

    actors = {"own": Api(live_hub, own), "same": Api(live_hub, same), "invited": Api(live_hub, invited),
              "invited_person": Api(live_hub, person_client), "other": Api(live_hub, other),
              "routed": Api(live_hub, routed), "unrouted": Api(live_hub, unrouted), "revoked": revoked_api,
              "no_token": Api(live_hub)}
    expected = {  # route -> actor -> status
        ("GET", ""): dict(own=200, same=200, invited=200, invited_person=200, other=403, routed=200, unrouted=403,
                          revoked=401, no_token=401),
        ("POST", "/join"): dict(own=200, same=200, invited=200, invited_person=200, other=403, routed=200,
                                unrouted=403, revoked=401, no_token=401),
        ("GET", "/attendance"): dict(own=200, same=200, invited=200, invited_person=200, other=403, routed=200,
                                     unrouted=403, revoked=401, no_token=401),
        ("POST", "/invitations"): dict(own=200, same=200, invited=403, invited_person=403, other=403, routed=200,
                                       unrouted=403, revoked=401, no_token=401),
        ("POST", "/leave"): dict(own=200, same=200, invited=200, invited_person=200, other=403, routed=200,
                                 unrouted=403, revoked=401, no_token=401),
        ("POST", "/end"): dict(same=403, invited=403, invited_person=403, other=403, routed=403, unrouted=403,
                               revoked=401, no_token=401),  # the starter (own) ends it below
    }
    failures = []
    for (method, tail), row in expected.items():
        for actor, status in row.items():
            kwargs = {"json": {"facilities": ["0400D"]}} if tail == "/invitations" else {}
            answer = actors[actor](method, f"/live/{live}{tail}", **kwargs)
            if answer.status_code != status:
                failures.append(f"{method} {tail or '/'} as {actor}: {answer.status_code}, expected {status}")
            elif status >= 400:
                assert answer.json()["resourceType"] == "OperationOutcome"
                if status == 403:
                    assert answer.json()["code"] in ("not-invited", "not-host")
    assert not failures, "\n".join(failures)
    # Starting: the case's own facility and the routed expert; nobody else learns the case exists.
    assert actors["other"]("POST", "/live", json={"request": CASE}).status_code == 404
    assert actors["invited"]("POST", "/live", json={"request": CASE}).status_code == 404
    assert actors["unrouted"]("POST", "/live", json={"request": CASE}).status_code == 404
    assert actors["routed"]("POST", "/live", json={"request": CASE}).status_code == 200  # the open one
    assert actors["no_token"]("POST", "/live", json={"request": CASE}).status_code == 401
    assert actors["own"]("POST", f"/live/{live}/end").status_code == 200
    for actor in ("own", "invited", "routed"):
        again = actors[actor]("POST", f"/live/{live}/join")
        assert again.status_code == 409 and again.json()["code"] == "ended"
    assert actors["own"]("POST", f"/live/{live}/end").status_code == 409
    assert actors["own"]("GET", "/live/no-such-session").status_code == 404
    # Each refusal was audited like any other request.
    from server import audit

    with live_hub.engine.begin() as conn:
        trail = audit.events(conn)
    assert any(e["action"] == "live-join" and e["outcome"] == 403 for e in trail)
    assert any(e["action"] == "live-end" and e["outcome"] == 200 for e in trail)


def test_janus_itself_refuses_a_room_token_the_hub_did_not_issue_and_an_expired_token(live_hub, enrolled):
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(own)
    api = Api(live_hub, own)
    session = start(api)
    details = api("POST", f"/live/{session['id']}/join").json()
    janus = live_hub.config.janus

    async def made_up_room_token():
        intruder = Participant(details, room_token="made-up-room-token")
        try:
            with pytest.raises(JanusError, match="not in the allowed list"):
                await intruder.join()
        finally:
            await intruder.close()

    async def refused_core_token(token):
        session = JanusSession(janus.url, token)
        try:
            with pytest.raises(JanusError, match="Unauthorized"):
                await session.create()
        finally:
            await session.destroy()

    async def after_leaving():
        # Leaving withdraws the ticket: the same room token no longer lets anyone in.
        await asyncio.to_thread(api, "POST", f"/live/{session['id']}/leave")
        await refused(details, "not in the allowed list")
    asyncio.run(made_up_room_token())
    asyncio.run(refused_core_token(signed_token(janus.token_secret, -60)))  # expired
    asyncio.run(refused_core_token(signed_token("not-the-hub-secret", 3600)))  # not signed by the hub
    asyncio.run(after_leaving())


def test_janus_down_answers_503_and_the_rest_of_the_hub_works(live_hub, enrolled):
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(own)
    api = Api(live_hub, own)
    session = start(api)
    live_hub.sfu.kill()
    for method, path, body in (("POST", f"/live/{session['id']}/join", None), ("POST", "/live", {"request": CASE})):
        if method == "POST" and path == "/live":
            api("POST", f"/live/{session['id']}/end")  # ending works without Janus; then a new start needs it
        answer = api(method, path, json=body)
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "sfu-unavailable" and answer.json()["resourceType"] == "OperationOutcome"
        assert "video server" in answer.json()["issue"][0]["diagnostics"]
    assert api("GET", f"/live/{session['id']}").json()["state"] == "ended"
    assert api("GET", f"/ServiceRequest/{CASE}").status_code == 200
    assert own.search("ServiceRequest", {})


def test_a_hub_without_janus_answers_the_live_routes_503_and_everything_else(hub, enrolled):
    own = enrolled(hub, facility="0100A")
    case_of(own)
    api = Api(hub, own)
    for method, path in (("POST", "/live"), ("GET", "/live"), ("POST", "/live/x/join")):
        answer = api(method, path, json={"request": CASE} if method == "POST" else None)
        assert answer.status_code == 503 and answer.json()["code"] == "sfu-unavailable"
    assert api("GET", f"/ServiceRequest/{CASE}").status_code == 200
    bad = httpx.post(f"{hub.url}/live/janus-events", json=[], timeout=10)
    assert bad.status_code == 401


def test_janus_events_need_the_shared_password(live_hub):
    janus = live_hub.config.janus
    url = f"{live_hub.url}/live/janus-events"
    assert httpx.post(url, json=[], timeout=10).status_code == 401
    assert httpx.post(url, json=[], auth=(janus.events_user, "wrong"), timeout=10).status_code == 401
    assert httpx.post(url, json=[], auth=("someone", janus.events_password), timeout=10).status_code == 401
    assert httpx.post(url, json=[], auth=(janus.events_user, janus.events_password), timeout=10).status_code == 200


def _invitations(hub, client, after: str, count: int, timeout_s: float = 15.0) -> list[dict]:
    """The first `count` invitation events `client`'s GET /events delivers after cursor `after`."""
    got = []
    deadline = time.monotonic() + timeout_s
    try:
        with httpx.stream("GET", f"{hub.url}/events", params={"after": after},
                          headers={"Authorization": f"Bearer {client.token()}"},
                          timeout=httpx.Timeout(10.0, read=timeout_s)) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    data = json.loads(line[5:])
                    if data.get("kind") == "invitation":
                        got.append(data)
                        if len(got) == count:
                            return got
                if time.monotonic() > deadline:
                    break
    except httpx.ReadTimeout:
        pass  # nothing more within the time: what came is the answer
    return got


def test_the_invitation_reaches_the_invited_stations_and_people_and_no_one_else(live_hub, enrolled):
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    invited = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    other = enrolled(live_hub, facility="0300C", name="TTYT Hà Giang")
    expert = enrolled(live_hub, "expert", hospital="choray", specialty="oncology", name="Bs. Chợ Rẫy")
    routed = enrolled(live_hub, "expert", hospital="bachmai", specialty="cardiology", name="Bs. Tim")
    case_of(own)
    case_of(own, "case-2", "pat-2")
    with live_hub.engine.begin() as conn:
        from server.events.stream import newest

        cursor = str(newest(conn))
    first = start(Api(live_hub, own), {"facilities": ["0200B"], "people": [expert.credential.client_id]})
    # A second session invites the other station: the first thing it hears of is that one, not the first.
    second = start(Api(live_hub, routed), {"facilities": ["0300C"]}, request="case-2")
    [to_invited] = _invitations(live_hub, invited, cursor, 1)
    assert to_invited["live"] == first["id"] and to_invited["request"] == CASE
    assert to_invited["from"] == "TTYT huyện Mèo Vạc" and to_invited["type"] == "LiveSession"
    [to_expert] = _invitations(live_hub, expert, cursor, 1)
    assert to_expert["live"] == first["id"]
    [to_other] = _invitations(live_hub, other, cursor, 1)
    assert to_other["live"] == second["id"] and to_other["from"] == "Bệnh viện Bạch Mai"
    # The case's own station and the routed expert were not invited (they may join anyway): no event.
    assert _invitations(live_hub, own, cursor, 1, timeout_s=2) == []
    assert _invitations(live_hub, routed, cursor, 1, timeout_s=2) == []


def test_after_janus_restarts_the_next_join_makes_the_room_again(live_hub, enrolled, tmp_path):
    from server.live.janus_process import JanusProcess

    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(own)
    api = Api(live_hub, own)
    session = start(api)
    old = live_hub.sfu
    old.kill()
    assert api("POST", f"/live/{session['id']}/join").status_code == 503
    # The same Janus comes back (a service restart): it knows no rooms any more.
    live_hub.sfu = JanusProcess(tmp_path / "sfu-again", settings=live_hub.config.janus,
                                events_url=old.events_url).start()
    details = api("POST", f"/live/{session['id']}/join").json()

    async def scenario():
        someone = Participant(details)
        try:
            assert (await someone.join())["videoroom"] == "joined"
            await asyncio.to_thread(wait_for, lambda: api("GET", f"/live/{session['id']}").json()["present"],
                                    what="the participant present in the room made again")
        finally:
            await someone.close()
    asyncio.run(scenario())


def test_ending_with_people_in_the_room_closes_their_attendance_and_empties_the_room(live_hub, enrolled):
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    guest = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(own)
    host, visitor = Api(live_hub, own), Api(live_hub, guest)
    session = start(host, {"facilities": ["0200B"]})
    details = visitor("POST", f"/live/{session['id']}/join").json()

    async def scenario():
        someone = Participant(details)
        gone = asyncio.Event()
        try:
            await someone.join()
            someone.handle.on_event = lambda event: gone.set() if event.get("videoroom") == "destroyed" else None
            await asyncio.to_thread(wait_for, lambda: host("GET", f"/live/{session['id']}").json()["present"],
                                    what="the participant present")
            ended = await asyncio.to_thread(host, "POST", f"/live/{session['id']}/end")
            assert ended.json()["present"] == []
            await asyncio.wait_for(gone.wait(), 10)  # Janus told the participant the room is gone
        finally:
            await someone.close()
    asyncio.run(scenario())
    [row] = host("GET", f"/live/{session['id']}/attendance").json()["attendance"]
    assert row["site"] == "Bệnh viện Cần Thơ" and row["left_at"] is not None


def test_leaving_one_join_takes_out_that_join_only_and_no_one_else_s(live_hub, enrolled):
    """`{"join": opaque id}` leaves as that join (a browser tab) alone: the same client's other join stays in the
    room and keeps its ticket; another participant naming someone else's join takes out nobody; a join that is
    not text, or longer than any opaque id, is refused plainly."""
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    guest = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(own)
    host, visitor = Api(live_hub, own), Api(live_hub, guest)
    session = start(host, {"facilities": ["0200B"]})
    path = f"/live/{session['id']}"
    first, second = (visitor("POST", f"{path}/join").json() for _ in range(2))
    in_room = live_hub.config.janus

    def present():
        return sorted(r["participant"] for r in host("GET", path).json()["present"])

    async def scenario():
        one, two, hosting = Participant(first), Participant(second), Participant(host("POST", f"{path}/join").json())
        try:
            for someone in (one, two, hosting):
                await someone.join()
            everyone = sorted([one.participant, two.participant, hosting.participant])
            await asyncio.to_thread(wait_for, lambda: present() == everyone, what="three in the session")

            for body in ({"join": 12345}, {"join": "x" * 65}, {"join": None, "x": [1]}, [1, 2]):
                refused_plainly = await asyncio.to_thread(visitor, "POST", f"{path}/leave", json=body)
                assert refused_plainly.status_code == 400 and refused_plainly.json()["resourceType"] == \
                    "OperationOutcome", (body, refused_plainly.text)
            # The host names the visitor's join: the host's own joins are looked for, none is the visitor's.
            assert (await asyncio.to_thread(host, "POST", f"{path}/leave",
                                            json={"join": first["janus"]["opaque_id"]})).status_code == 200
            assert await asyncio.to_thread(present) == everyone

            left = await asyncio.to_thread(visitor, "POST", f"{path}/leave", json={"join": first["janus"]["opaque_id"]})
            assert left.status_code == 200, left.text
            await asyncio.to_thread(wait_for, lambda: present() == sorted([two.participant, hosting.participant]),
                                    what="the first join alone gone")
            room = {str(p["id"]) for p in JanusAdmin(in_room).participants(first["janus"]["room"])}
            assert room == {two.participant, hosting.participant}  # Janus's own list: taken out of the room
            await refused(first, "not in the allowed list")  # its ticket is withdrawn
        finally:
            for someone in (one, two, hosting):
                await someone.close()
    asyncio.run(scenario())
