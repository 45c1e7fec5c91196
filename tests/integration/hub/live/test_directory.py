"""Whom to invite, found by words (GET /live/{id}/invitable, and the console's /console/live/{id}/invitable):
a doctor types "can tho" and finds Cần Thơ's station, "bach mai" the Bạch Mai station and its experts; only
those who may invite in the session are answered; the answer says nothing beyond what an invitation needs;
odd queries (10 kB, nulls, SQL wildcards) are answered plainly. On SQLite and on PostgreSQL."""

import pytest

from server.console import accounts

from ..console.support import PASSWORD, Browser
from .conftest import CASE, Api, case_of

# The hospital and specialty by name (in Vietnamese, as the stations show them) and by catalogue code (a console
# page in French names them in French): the same facts twice, nothing more.
SITE_KEYS = {"facility", "name", "stations", "hospital", "hospital_code", "invited"}
EXPERT_KEYS = {"id", "name", "title", "hospital", "specialty", "hospital_code", "specialty_code", "invited"}


def person(hub, login, name, title="BS", hospital="bachmai", specialty="cardiology", role="expert"):
    made, _ = accounts.ensure_person(hub.engine, login, password=PASSWORD, name=name, title=title, role=role,
                                     hospital=hospital, specialty=specialty)
    return made


@pytest.fixture
def live_hub(hub_with_sfu):
    return hub_with_sfu


@pytest.fixture
def directory(live_hub, enrolled):
    """A case of Mèo Vạc (routed to Bạch Mai cardiology) with a live session open, and a directory around it."""
    hub = live_hub
    own = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    can_tho = enrolled(hub, facility="0200B", name="Bệnh viện Đa khoa Trung ương Cần Thơ")
    hub.register("station", facility="0200B", name="Bệnh viện Đa khoa Trung ương Cần Thơ — phòng 2")
    dong_van = enrolled(hub, facility="0300C", name="TTYT huyện Đồng Văn")
    hub.register("station", facility="01A01", name="Trạm hội chẩn khoa Tim", hospital="bachmai")
    gone, _ = hub.register("station", facility="0400D", name="Bệnh viện Cần Thơ cũ")
    hub.revoke(gone)
    lan = person(hub, "bs.lan", "Lan", title="PGS.TS")
    person(hub, "bs.an", "An", hospital="choray", specialty="oncology")
    person(hub, "admin.hub", "Quản trị Bạch Mai", role="admin", specialty="")
    hidden = person(hub, "bs.cu", "Lan Cũ")
    with hub.engine.begin() as conn:
        accounts.disable(conn, hidden.id)
    case_of(own)
    host = Api(hub, own)
    started = host("POST", "/live", json={"request": CASE, "invite": {}})
    assert started.status_code == 201, started.text
    return {"hub": hub, "live": started.json()["id"], "host": host, "can_tho": Api(hub, can_tho),
            "dong_van": Api(hub, dong_van), "lan": lan, "enrolled": enrolled}


def search(api, live_id, q):
    answer = api("GET", f"/live/{live_id}/invitable", params={"q": q})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_words_find_sites_and_experts_accents_and_case_ignored(directory):
    host, live = directory["host"], directory["live"]
    for typed in ("can tho", "Cần Thơ", "CẦN THƠ", "  cần   thơ  ", "trung uong can"):
        found = search(host, live, typed)
        assert [s["facility"] for s in found["sites"]] == ["0200B"], typed
        assert found["experts"] == []
    [site] = search(host, live, "can tho")["sites"]
    assert set(site) == SITE_KEYS
    assert site["name"] == "Bệnh viện Đa khoa Trung ương Cần Thơ" and site["invited"] is False
    assert site["stations"] == ["Bệnh viện Đa khoa Trung ương Cần Thơ",
                                "Bệnh viện Đa khoa Trung ương Cần Thơ — phòng 2"]
    # A revoked station is no longer a site; the case's own facility is in the session already.
    assert search(host, live, "cu")["sites"] == []
    assert search(host, live, "meo vac") == {"sites": [], "experts": [], "more": False}

    # A central hospital: its station (by the hospital's name) and its experts; not its administrator,
    # not a disabled account.
    found = search(host, live, "bach mai")
    assert [s["facility"] for s in found["sites"]] == ["01A01"]
    assert found["sites"][0]["hospital"] == "Bệnh viện Bạch Mai"
    [expert] = found["experts"]
    assert set(expert) == EXPERT_KEYS
    assert (expert["id"], expert["title"], expert["name"], expert["hospital"], expert["specialty"]) == (
        directory["lan"].id, "PGS.TS", "Lan", "Bệnh viện Bạch Mai", "Tim mạch")
    assert [e["name"] for e in search(host, live, "tim mach")["experts"]] == ["Lan"]
    assert [e["name"] for e in search(host, live, "pgs lan")["experts"]] == ["Lan"]
    assert [e["name"] for e in search(host, live, "Chợ Rẫy")["experts"]] == ["An"]
    assert search(host, live, "quan tri")["experts"] == []
    # The start of a facility code finds it too (a doctor who knows it).
    assert [s["facility"] for s in search(host, live, "0300")["sites"]] == ["0300C"]

    # Invited ones are marked, so the dialog shows them as such.
    invited = host("POST", f"/live/{live}/invitations", json={"facilities": ["0200B"],
                                                               "people": [directory["lan"].id]})
    assert invited.status_code == 200, invited.text
    assert search(host, live, "can tho")["sites"][0]["invited"] is True
    assert search(host, live, "bach mai")["experts"][0]["invited"] is True
    assert search(host, live, "dong van")["sites"][0]["invited"] is False


def test_at_most_twenty_best_first(directory):
    hub, host, live = directory["hub"], directory["host"], directory["live"]
    for n in range(25):
        hub.register("station", facility=f"1{n:02d}XY", name=f"Trạm y tế xã Phú Mỹ {n:02d}")
    hub.register("station", facility="2PMXX", name="Bệnh viện huyện Phú Mỹ")
    found = search(host, live, "phu my")
    assert len(found["sites"]) == 20 and found["more"] is True
    # Names that begin with the words first: "Phú Mỹ ..." is not among them, so alphabetical: the hospital.
    assert found["sites"][0]["name"] == "Bệnh viện huyện Phú Mỹ"
    assert search(host, live, "tram y te xa phu my 24")["sites"][0]["facility"] == "124XY"


def test_odd_queries_are_answered_plainly(directory):
    host, live = directory["host"], directory["live"]
    # SQL wildcards are letters like any other: they match nothing, never everything.
    for typed in ("%", "_", "%%", "%_%", "' OR 1=1 --", "", "   "):
        assert search(host, live, typed) == {"sites": [], "experts": [], "more": False}, typed
    assert [s["facility"] for s in search(host, live, "c%n th_")["sites"]] == []
    assert [s["facility"] for s in search(host, live, "can% tho")["sites"]] == ["0200B"]
    # Nulls and control characters separate words; nothing breaks.
    assert [s["facility"] for s in search(host, live, "can\x00tho")["sites"]] == ["0200B"]
    assert search(host, live, "\x00\x00\x00") == {"sites": [], "experts": [], "more": False}
    # 10 kB of text is not someone typing: a plain refusal, not a slow scan.
    huge = host("GET", f"/live/{live}/invitable", params={"q": "can tho " * 1280})
    assert huge.status_code == 400 and huge.json()["resourceType"] == "OperationOutcome"
    assert search(host, live, "a" * 200) == {"sites": [], "experts": [], "more": False}
    # No q at all: nothing.
    assert host("GET", f"/live/{live}/invitable").json() == {"sites": [], "experts": [], "more": False}


def test_only_those_who_may_invite_are_answered(directory):
    hub, live, enrolled = directory["hub"], directory["live"], directory["enrolled"]
    host = directory["host"]
    path = f"/live/{live}/invitable"

    def refused(api, status, code=None):
        answer = api("GET", path, params={"q": "can tho"})
        assert answer.status_code == status, answer.text
        assert answer.json()["resourceType"] == "OperationOutcome"
        assert "Cần Thơ" not in answer.text
        if code:
            assert answer.json()["code"] == code
    # Another facility's station, not invited: not told the session exists beyond "not invited".
    refused(directory["dong_van"], 403, "not-invited")
    # An invited site joins, but does not invite others.
    assert host("POST", f"/live/{live}/invitations", json={"facilities": ["0200B"]}).status_code == 200
    refused(directory["can_tho"], 403, "not-host")
    # An expert client the case is not routed to.
    refused(Api(hub, enrolled(hub, "expert", name="BS Hùng", hospital="k", specialty="oncology")), 403, "not-invited")
    # No token; a revoked station of the case's own facility.
    refused(Api(hub), 401)
    revoked = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc — máy cũ")
    assert Api(hub, revoked)("GET", path, params={"q": "x"}).status_code == 200
    hub.revoke(revoked.credential.client_id)
    refused(Api(hub, revoked), 401)
    # No such session; an id that is not one.
    assert host("GET", "/live/00000000-0000-0000-0000-000000000000/invitable").status_code == 404
    assert host("GET", "/live/no%20such/invitable").status_code in (400, 404)

    # An expert client the case is routed to may invite: it is answered, and not listed itself.
    routed = Api(hub, enrolled(hub, "expert", name="BS Minh", hospital="bachmai", specialty="cardiology"))
    found = search(routed, live, "bach mai")
    assert [e["name"] for e in found["experts"]] == ["Lan"]
    assert [e["name"] for e in search(host, live, "minh")["experts"]] == ["BS Minh"]
    assert search(routed, live, "minh")["experts"] == []

    # Once the session has ended, nobody is answered.
    assert host("POST", f"/live/{live}/end").status_code == 200
    refused(host, 409, "ended")


def test_the_console_asks_the_same_directory(directory):
    hub, live = directory["hub"], directory["live"]
    lan, an, nobody = Browser(hub), Browser(hub), Browser(hub)
    try:
        lan.login("bs.lan")  # routed to the case: may invite
        answer = lan.get(f"/console/live/{live}/invitable", params={"q": "can tho"})
        assert answer.status_code == 200, answer.text
        assert [s["facility"] for s in answer.json()["sites"]] == ["0200B"]
        found = lan.get(f"/console/live/{live}/invitable", params={"q": "cho ray"}).json()
        assert [e["name"] for e in found["experts"]] == ["An"]
        an.login("bs.an")  # Chợ Rẫy oncology: not routed, not invited
        refused = an.get(f"/console/live/{live}/invitable", params={"q": "can tho"})
        assert refused.status_code == 403 and refused.json()["code"] == "not-invited"
        assert "Cần Thơ" not in refused.text
        signed_out = nobody.get(f"/console/live/{live}/invitable", params={"q": "can tho"})
        assert signed_out.status_code in (303, 401) and "Cần Thơ" not in signed_out.text
    finally:
        for browser in (lan, an, nobody):
            browser.close()


def invited_as_set(session: dict) -> tuple[set, set]:
    """The session's `invited` codes and ids (those of one call come in no set order)."""
    assert set(session["invited"]) == {"facilities", "people"}
    return set(session["invited"]["facilities"]), set(session["invited"]["people"])


def test_the_session_names_whom_it_invited_to_those_who_may_see_it(directory):
    """GET /live/{id} names the invited sites and experts as the directory shows them (a station restarted knows
    nothing else of them: an expert's id is no word to search by), beside the codes and ids other clients read;
    only to those who may see the session."""
    hub, host, live, enrolled = directory["hub"], directory["host"], directory["live"], directory["enrolled"]
    lan = directory["lan"]
    minh = enrolled(hub, "expert", name="BS Minh", hospital="choray", specialty="oncology")
    minh_id = minh.credential.client_id
    # Cần Thơ and Đồng Văn by their stations; a code no station has and a facility whose only station is revoked
    # are not named (the directory does not show them either): a client shows their codes.
    facilities = ["0300C", "0200B", "Z0001", "0400D"]
    answer = host("POST", f"/live/{live}/invitations", json={"facilities": facilities, "people": [lan.id, minh_id]})
    assert answer.status_code == 200, answer.text
    names = {"facilities": {"0300C": "TTYT huyện Đồng Văn", "0200B": "Bệnh viện Đa khoa Trung ương Cần Thơ"},
             "people": {lan.id: "PGS.TS Lan", minh_id: "BS Minh"}}
    assert invited_as_set(answer.json()) == (set(facilities), {lan.id, minh_id})  # as they were
    assert answer.json()["invited_names"] == names

    # Whoever may see the session reads the same: the host, an invited site (which may not invite), the invited
    # expert client, the list of open sessions.
    for api in (host, directory["can_tho"], Api(hub, minh)):
        seen = api("GET", f"/live/{live}")
        assert seen.status_code == 200, seen.text
        assert invited_as_set(seen.json()) == (set(facilities), {lan.id, minh_id})
        assert seen.json()["invited_names"] == names
        [listed] = [s for s in api("GET", "/live").json()["sessions"] if s["id"] == live]
        assert listed["invited_names"] == names
    # An expert disabled since is named no more, as the directory no longer shows them.
    with hub.engine.begin() as conn:
        accounts.disable(conn, lan.id)
    assert host("GET", f"/live/{live}").json()["invited_names"]["people"] == {minh_id: "BS Minh"}

    # Those who may not see the session learn nothing of whom it invited.
    outsider = Api(hub, enrolled(hub, facility="0500E", name="TTYT huyện Quản Bạ"))
    stranger = Api(hub, enrolled(hub, "expert", name="BS Hùng", hospital="k", specialty="oncology"))
    for api, status in ((outsider, 403), (stranger, 403), (Api(hub), 401)):
        refused = api("GET", f"/live/{live}")
        assert refused.status_code == status, refused.text
        assert "Đồng Văn" not in refused.text and "Minh" not in refused.text
        if status == 403:
            assert all(s["id"] != live for s in api("GET", "/live").json()["sessions"])
