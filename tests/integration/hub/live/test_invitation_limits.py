"""Invitations across calls: a session invites at most service.MAX_SESSION_INVITED sites and people in all (each
invitation is a push to the invited), whoever sends them and however they are split into calls; inviting again
someone already invited pushes nothing again; two posts at the same moment do not pass the limit together. And
what an outsider might send: huge lists, duplicates, nulls, accounts that may not be invited, an ended session.
On SQLite and on PostgreSQL, with the real hub and its Janus."""

import pytest
from sqlalchemy import func, select

from server.console import accounts
from server.events.record import events
from server.live import service
from server.live.tables import live_invitations

from .conftest import CASE, Api, case_of
from .test_overlap import at_once

BATCH = service.MAX_INVITED


def codes(start: int, count: int) -> list[str]:
    """`count` distinct facility codes (5 characters, as mã cơ sở KCB are), none of the test's real sites."""
    return [f"Z{n:04d}" for n in range(start, start + count)]


def pushes(hub, request=CASE) -> int:
    """Invitation events recorded for the case's sessions: one per push to an invited station or person."""
    with hub.engine.begin() as conn:
        return conn.execute(select(func.count()).select_from(events)
                            .where(events.c.kind == "invitation", events.c.request_id == request)).scalar_one()


def invited_count(hub, live_id) -> int:
    with hub.engine.begin() as conn:
        return conn.execute(select(func.count()).select_from(live_invitations)
                            .where(live_invitations.c.session_id == live_id)).scalar_one()


def fill(api, live_id, count: int, start: int = 0) -> None:
    """Invite `count` made-up facilities, in calls of at most MAX_INVITED as a client must."""
    for first in range(start, start + count, BATCH):
        answer = api("POST", f"/live/{live_id}/invitations",
                     json={"facilities": codes(first, min(BATCH, start + count - first))})
        assert answer.status_code == 200, answer.text


@pytest.fixture
def hosted(hub_with_sfu, enrolled):
    """Mèo Vạc's session on its case: (hub, the host station's API, the routed expert's API, session id)."""
    hub = hub_with_sfu
    own = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    routed = enrolled(hub, "expert", hospital="bachmai", specialty="cardiology", name="BS Lan")
    case_of(own)
    host = Api(hub, own)
    started = host("POST", "/live", json={"request": CASE})
    assert started.status_code == 201, started.text
    return hub, host, Api(hub, routed), started.json()["id"]


def test_a_session_invites_at_most_the_limit_in_all_however_the_calls_are_split(hosted):
    hub, host, routed, live_id = hosted
    limit = service.MAX_SESSION_INVITED
    assert limit >= 2000  # a national session: the plan of docs/live-scale.md carries 2,000 sites
    fill(host, live_id, limit - 10)
    # Ten more fit, from another inviter (the routed expert): the limit is the session's, not one inviter's.
    assert routed("POST", f"/live/{live_id}/invitations", json={"facilities": codes(limit - 10, 10)}).status_code == 200
    assert invited_count(hub, live_id) == limit and pushes(hub) == limit

    # One more is refused with a clear code, through either route, and nothing of the call is done.
    for api, path, body in ((host, f"/live/{live_id}/invitations", {"facilities": codes(limit, 1)}),
                            (routed, f"/live/{live_id}/invitations", {"facilities": codes(0, 5) + codes(limit, 1)}),
                            (host, "/live", {"request": CASE, "invite": {"facilities": codes(limit + 1, 1)}})):
        refused = api("POST", path, json=body)
        assert refused.status_code == 409, refused.text
        outcome = refused.json()
        assert outcome["code"] == "too-many-invited" and outcome["resourceType"] == "OperationOutcome"
        assert f"{limit:,}".replace(",", "") in outcome["issue"][0]["diagnostics"].replace(",", "")
    assert invited_count(hub, live_id) == limit and pushes(hub) == limit

    # Those already invited can still be named again (a client resending its list): nothing new, no push.
    again = host("POST", f"/live/{live_id}/invitations", json={"facilities": codes(0, BATCH)})
    assert again.status_code == 200, again.text
    assert pushes(hub) == limit

    # The session after it: a new session on the case starts with none invited.
    assert host("POST", f"/live/{live_id}/end").status_code == 200
    fresh = host("POST", "/live", json={"request": CASE, "invite": {"facilities": codes(limit, 1)}})
    assert fresh.status_code == 201 and fresh.json()["invited"]["facilities"] == codes(limit, 1), fresh.text


def test_inviting_again_pushes_nothing_again(hosted, enrolled):
    hub, host, routed, live_id = hosted
    guest = enrolled(hub, "expert", hospital="choray", specialty="oncology", name="BS An")
    guest_id = guest.credential.client_id
    first = host("POST", f"/live/{live_id}/invitations", json={"facilities": ["0200B"], "people": [guest_id]})
    assert first.status_code == 200 and pushes(hub) == 2, first.text
    # Again, by the same host, by the routed expert, within one call several times, in another case, and
    # through a start that finds the session open (a double click): still one push each.
    for api, path, body in ((host, f"/live/{live_id}/invitations", {"facilities": ["0200B"], "people": [guest_id]}),
                            (routed, f"/live/{live_id}/invitations", {"facilities": ["0200b", "0200B", "0200B"]}),
                            (routed, f"/live/{live_id}/invitations", {"people": [guest_id] * 50}),
                            (host, "/live", {"request": CASE, "invite": {"facilities": ["0200B"],
                                                                          "people": [guest_id]}})):
        answer = api("POST", path, json=body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["invited"] == {"facilities": ["0200B"], "people": [guest_id]}
    assert pushes(hub) == 2 and invited_count(hub, live_id) == 2


@pytest.mark.parametrize("hub_with_sfu", ["postgresql"], indirect=True)
def test_two_posts_at_the_same_moment_do_not_pass_the_limit_together(hosted):
    """PostgreSQL runs the two transactions side by side (SQLite has one writer at a time anyway)."""
    hub, host, routed, live_id = hosted
    limit = service.MAX_SESSION_INVITED
    fill(host, live_id, limit - 150)
    # 100 + 100 new ones, at the same moment, through both ways of inviting: only one of them fits.
    answers = at_once(lambda: routed("POST", f"/live/{live_id}/invitations", json={"facilities": codes(limit, 100)}),
                      lambda: host("POST", "/live", json={"request": CASE,
                                                          "invite": {"facilities": codes(limit + 100, 100)}}))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text[:300] for a in answers]
    assert invited_count(hub, live_id) == limit - 50 and pushes(hub) == limit - 50
    # The same 40 new ones sent twice at once (a client retrying while its first post is still running): both
    # answered, each invited once, one push each.
    same = codes(2 * limit, 40)
    answers = at_once(lambda: routed("POST", f"/live/{live_id}/invitations", json={"facilities": same}),
                      lambda: host("POST", "/live", json={"request": CASE, "invite": {"facilities": same}}))
    assert [a.status_code for a in answers] == [200, 200], [a.text[:300] for a in answers]
    assert invited_count(hub, live_id) == limit - 10 and pushes(hub) == limit - 10


# -- as an outsider would try it -----------------------------------------------------------------------------

def test_odd_and_hostile_invitations_are_refused_plainly_and_push_nothing(hosted, enrolled):
    hub, host, routed, live_id = hosted
    path = f"/live/{live_id}/invitations"
    admin, _ = accounts.ensure_person(hub.engine, "admin.hub", name="Quản trị", role="admin")
    gone, _ = accounts.ensure_person(hub.engine, "bs.cu", name="Bác sĩ cũ", role="expert", hospital="bachmai",
                                     specialty="cardiology")
    with hub.engine.begin() as conn:
        accounts.disable(conn, gone.id)
    revoked, _ = hub.register("expert", hospital="choray", specialty="oncology", name="BS đã thu hồi")
    hub.revoke(revoked)
    station = enrolled(hub, facility="0300C", name="TTYT Đồng Văn")
    refusals = {
        "a list over the per-call limit": ({"facilities": codes(0, BATCH + 1)}, 400),
        "a body over 64 kB": ({"facilities": ["0200B"] * 20000}, 413),
        "a string for a list": ({"facilities": "0200B"}, 400),
        "nulls": ({"facilities": [None], "people": []}, 422),
        "a null person": ({"people": [None]}, 422),
        "a number": ({"facilities": [12345]}, 422),
        "an object": ({"people": [{"id": "x"}]}, 422),
        "a code with SQL in it": ({"facilities": ["0200B' OR 1=1 --"]}, 422),
        "an unknown person": ({"people": ["person-that-does-not-exist"]}, 422),
        "a console administrator (no clinical access)": ({"people": [admin.id]}, 422),
        "a disabled account": ({"people": [gone.id]}, 422),
        "a revoked expert client": ({"people": [revoked]}, 422),
        "a station's client id as a person": ({"people": [station.credential.client_id]}, 422),
    }
    not_invitable = {"an unknown person", "a console administrator (no clinical access)", "a disabled account",
                     "a revoked expert client", "a station's client id as a person"}
    for what, (body, status) in refusals.items():
        answer = host("POST", path, json=body)
        assert answer.status_code == status, (what, answer.status_code, answer.text[:300])
        assert answer.json()["resourceType"] == "OperationOutcome", what
        # A well-formed id nobody invitable has: its own machine code (the station and the console say so).
        assert (answer.json().get("code") == "not-invitable") == (what in not_invitable), (what, answer.text[:300])
    answer = host("POST", path, content=b"[" * 5000)  # nested deeper than the JSON parser recurses
    assert answer.status_code == 400, answer.text[:300]
    # A start that would invite them is refused the same way (the session is open: start finds it).
    assert host("POST", "/live", json={"request": CASE, "invite": {"people": [admin.id]}}).status_code == 422
    assert pushes(hub) == 0 and invited_count(hub, live_id) == 0
    # Another hospital's station, invited to nothing, cannot invite; nor can anyone once the session has ended.
    assert Api(hub, station)("POST", path, json={"facilities": ["0300C"]}).json()["code"] == "not-invited"
    assert host("POST", f"/live/{live_id}/end").status_code == 200
    late = routed("POST", path, json={"facilities": ["0200B"]})
    assert late.status_code == 409 and late.json()["code"] == "ended", late.text
    assert pushes(hub) == 0 and invited_count(hub, live_id) == 0
