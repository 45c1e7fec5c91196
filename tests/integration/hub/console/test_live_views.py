"""The console's live consultation views (server/console/views/live.py) over HTTP: the case page's button, the
session page, the join details, CSRF, invitations, ending, consent; and who is refused.

The hub runs with a real Janus of its own (RunningHub(local_sfu=True)): starting a session makes its room there.
"""

import json
import re

import pytest

from server.console import accounts

from .support import CCCD, NAME, make_case, submit


@pytest.fixture
def hub(hub_with_sfu):
    return hub_with_sfu


def started(expert, case_id) -> str:
    """Press the case page's live button; the session's id (from where it sends the browser)."""
    expert.get(f"/console/cases/{case_id}")
    answer = expert.post(f"/console/cases/{case_id}/live")
    assert answer.status_code == 303, answer.text[:1000]
    match = re.fullmatch(r"/console/live/([A-Za-z0-9-]+)", answer.headers["location"])
    assert match, answer.headers["location"]
    return match[1]


def join(expert, live_id, csrf=True):
    headers = {"X-CSRF-Token": expert.csrf} if csrf else {}
    return expert.http.post(f"/console/live/{live_id}/join", headers=headers)


def person_id(hub, login) -> str:
    with hub.engine.begin() as conn:
        return accounts.by_login(conn, login).id


def test_the_case_page_starts_a_live_session_and_its_page_joins_it(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    page = expert.get(f"/console/cases/{case.id}").text
    assert f'action="/console/cases/{case.id}/live"' in page and "Hội chẩn trực tuyến" in page

    live_id = started(expert, case.id)
    page = expert.get(f"/console/live/{live_id}")
    assert page.status_code == 200
    html = page.text
    assert "Hội chẩn trực tuyến" in html and "Tắt tiếng" in html and "Rời phiên" in html
    assert '<script type="module" src="/console/static/live.js">' in html
    assert '<script src="/console/live/lib/adapter.js">' in html
    config = json.loads(re.search(r'<script id="live-config" type="application/json">(.*?)</script>', html, re.S)[1])
    assert config["id"] == live_id and config["csrf"] == expert.csrf
    assert config["back"] == f"/console/cases/{case.id}" and config["labels"]["mute"] == "Tắt tiếng"
    for secret in (NAME, CCCD):  # shared screens: the case code and initials, never the name
        assert secret not in html

    # The case page and the inbox now say a session is running, with a way in.
    case_page = expert.get(f"/console/cases/{case.id}").text
    assert "Đang hội chẩn trực tuyến" in case_page and f'href="/console/live/{live_id}"' in case_page
    inbox = expert.get("/console/inbox").text
    assert "Đang hội chẩn trực tuyến" in inbox and f'href="/console/live/{live_id}"' in inbox

    # A colleague routed to the case who presses the button joins the same session, not a second one.
    colleague = browser("tim2.bachmai")
    assert started(colleague, case.id) == live_id

    # The libraries come from node_modules through the hub.
    library = expert.get("/console/live/lib/janus.es.js")
    assert library.status_code == 200 and "export { Janus as default }" in library.text
    assert expert.get("/console/live/lib/adapter.js").status_code == 200
    assert expert.get("/console/live/lib/package.json").status_code == 404


def test_join_answers_the_join_details_with_the_case_named_by_code_and_initials(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai", name="Trần Thị Lan", title="BSCKII")
    live_id = started(expert, case.id)
    expert.get(f"/console/live/{live_id}")
    answer = join(expert, live_id)
    assert answer.status_code == 200, answer.text
    details = answer.json()
    assert details["id"] == live_id and details["request"] == case.id
    janus = details["janus"]
    assert janus["url"].startswith("http://127.0.0.1:") and janus["token"] and janus["room"]
    assert janus["room_token"] and janus["opaque_id"]
    assert details["display"].startswith("BSCKII Trần Thị Lan — ") and "Bạch Mai" in details["display"]
    assert details["case"]["initials"] == "N.T.H.N." and details["case"]["sex"] == "female"
    assert details["case"]["code"] and details["case"]["age"]
    assert NAME not in answer.text and CCCD not in answer.text
    # The page's state: the session JSON, and whether this person is asked to consent to a recording.
    state = expert.get(f"/console/live/{live_id}/state").json()
    assert state["id"] == live_id and state["state"] == "open" and state["recording"]["asked"] is False


def test_a_join_without_the_csrf_token_is_refused(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    live_id = started(expert, case.id)
    refused = join(expert, live_id, csrf=False)
    assert refused.status_code == 403 and "room_token" not in refused.text
    forged = expert.http.post(f"/console/live/{live_id}/join", headers={"X-CSRF-Token": "not-the-token"})
    assert forged.status_code == 403 and "room_token" not in forged.text
    # Nor may a page of another site start a session with a plain form post.
    assert expert.post(f"/console/cases/{case.id}/live", csrf=False).status_code == 403


def test_an_expert_the_case_is_not_routed_to_is_refused_everywhere(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    live_id = started(browser("tim.bachmai"), case.id)
    other = browser("phoi.bachmai", specialty="respiratory")
    assert other.post(f"/console/cases/{case.id}/live").status_code == 404  # the case is not theirs to see
    page = other.get(f"/console/live/{live_id}")
    assert page.status_code == 403 and "không được mời" in page.text
    refused = join(other, live_id)
    assert refused.status_code == 403 and refused.json()["code"] == "not-invited" and "room_token" not in refused.text
    assert other.get(f"/console/live/{live_id}/state").status_code == 403
    assert "Đang hội chẩn trực tuyến" not in other.get("/console/inbox").text
    assert other.get("/console/live/no-such-session").status_code == 404


def test_an_invited_expert_of_another_hospital_joins_and_the_starter_ends_the_session(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    host = browser("tim.bachmai")
    live_id = started(host, case.id)
    guest = browser("tim.choray", hospital="choray")
    assert join(guest, live_id).status_code == 403

    host.get(f"/console/live/{live_id}")
    bad = host.post(f"/console/live/{live_id}/invitations", {"facilities": "not a code"})
    assert bad.status_code == 422 and "5 ký tự" in bad.text
    sent = host.post(f"/console/live/{live_id}/invitations",
                     {"facilities": "0200B", "people": person_id(hub, "tim.choray")})
    assert sent.status_code == 200 and "Đã gửi lời mời" in sent.text
    assert host.get(f"/console/live/{live_id}/state").json()["invited"] == {
        "facilities": ["0200B"], "people": [person_id(hub, "tim.choray")]}

    inbox = guest.get("/console/inbox").text  # not their case: the banner above the rows
    assert f'href="/console/live/{live_id}"' in inbox
    assert guest.get(f"/console/live/{live_id}").status_code == 200
    details = join(guest, live_id).json()
    assert details["studies"] == [] and NAME not in json.dumps(details)  # invited only: no records of the case
    assert "Ending" not in guest.get(f"/console/live/{live_id}").text
    assert f'action="/console/live/{live_id}/end"' not in guest.get(f"/console/live/{live_id}").text
    assert guest.post(f"/console/live/{live_id}/end").status_code == 403

    page = host.get(f"/console/live/{live_id}").text
    assert f'action="/console/live/{live_id}/end"' in page
    ended = host.post(f"/console/live/{live_id}/end")
    assert ended.status_code == 303 and ended.headers["location"] == f"/console/cases/{case.id}"
    assert join(host, live_id).json()["code"] == "ended"
    assert join(host, live_id).status_code == 409
    assert "Đang hội chẩn trực tuyến" not in host.get(f"/console/cases/{case.id}").text


def test_consent_and_leave_answer_json(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    live_id = started(expert, case.id)
    expert.get(f"/console/live/{live_id}")
    headers = {"X-CSRF-Token": expert.csrf}
    assert join(expert, live_id).status_code == 200
    asked = expert.http.post(f"/console/live/{live_id}/recording", json={"on": True}, headers=headers)
    assert asked.status_code == 200, asked.text
    assert asked.json()["recording"]["state"] in ("waiting", "on", "paused")
    bad = expert.http.post(f"/console/live/{live_id}/consent", json={"recording": "yes"}, headers=headers)
    assert bad.status_code == 400
    answered = expert.http.post(f"/console/live/{live_id}/consent", json={"recording": False}, headers=headers)
    assert answered.status_code == 200, answered.text
    assert answered.json()["recording"]["asked"] is False
    left = expert.http.post(f"/console/live/{live_id}/leave", headers=headers)
    assert left.status_code == 200 and left.json()["id"] == live_id
    assert expert.http.post(f"/console/live/{live_id}/leave").status_code == 403  # no token


def test_the_page_speaks_the_person_s_language_and_the_inbox_lists_open_sessions(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    live_id = started(browser("tim.bachmai"), case.id)
    # With the quality switch and what a paused tile says.
    for language, words, paused in (
            ("vi", ("Hội chẩn trực tuyến", "Tắt tiếng", "Rời phiên", "Chất lượng", "Cao", "Thấp (360p, 2 hình)",
                    "Chỉ âm thanh", "Tìm cơ sở hoặc chuyên gia"), "Tạm dừng hình để tiết kiệm băng thông"),
            ("en", ("Live consultation", "Mute", "Leave", "Quality", "High", "Low (360p, 2 videos)", "Audio only",
                    "Find a site or an expert"), "Video paused to save bandwidth"),
            ("fr", ("Consultation en direct", "Couper le micro", "Quitter", "Qualité", "Haute",
                    "Basse (360p, 2 vidéos)", "Son uniquement", "Chercher un site ou un expert"),
             "Vidéo suspendue pour économiser la bande passante")):
        expert = browser(f"tim.{language}", language=language)
        page = expert.get(f"/console/live/{live_id}").text
        assert all(w in page for w in words), language
        labels = json.loads(re.search(r'<script id="live-config" type="application/json">(.*?)</script>', page, re.S)[1])
        assert labels["labels"]["mute"] == words[1] and labels["labels"]["video_paused"] == paused
        banners = expert.get("/console/live/banners")
        assert banners.status_code == 200 and f'href="/console/live/{live_id}"' in banners.text
    elsewhere = browser("phoi.bachmai", specialty="respiratory")
    assert "/console/live/" not in elsewhere.get("/console/live/banners").text


def test_every_live_call_refuses_a_person_without_the_routing_and_every_post_needs_the_csrf_token(
        hub, station_client, browser):
    """Helper H10's sweep of the console's live calls the other tests leave out: leave, consent, recording, end,
    invitations; the session stays as it was."""
    case = submit(station_client, make_case(), "0100A")
    starter = browser("tim.bachmai")
    live_id = started(starter, case.id)
    other = browser("phoi.bachmai", specialty="respiratory")
    token = {"X-CSRF-Token": other.csrf}
    calls = [("leave", {}), ("consent", {"json": {"recording": True}}), ("recording", {"json": {"on": True}})]
    for action, body in calls:
        answer = other.http.post(f"/console/live/{live_id}/{action}", headers=token, **body)
        assert answer.status_code == 403 and answer.json()["code"] == "not-invited", (action, answer.text[:300])
        bare = other.http.post(f"/console/live/{live_id}/{action}", **body)
        assert bare.status_code == 403 and "not-invited" not in bare.text, (action, bare.text[:300])  # CSRF first
    ended = other.http.post(f"/console/live/{live_id}/end", headers=token)
    assert ended.status_code == 403 and "room_token" not in ended.text
    invited = other.http.post(f"/console/live/{live_id}/invitations", headers=token, data={"facilities": "0300C"})
    assert invited.status_code == 403
    for action in ("end", "invitations", "join", "leave"):
        assert starter.http.post(f"/console/live/{live_id}/{action}", data={"facilities": "0300C"}).status_code == 403
    state = starter.get(f"/console/live/{live_id}/state").json()
    assert state["state"] == "open" and state["invited"]["facilities"] == [] and state["recording"]["state"] == "off"


# -- inviting by words (the hub's directory, server/live/directory.py) ------------------------------------

HTMX = {"HX-Request": "true"}
_BOX = re.compile(r'<input type="checkbox" name="(facilities|people)" value="([^"]+)"([^>]*)>')


def boxes(html: str) -> dict:
    """The invite list's checkboxes: value -> "invited" (ticked and disabled: invited already) or "free"."""
    return {value: "invited" if "disabled" in rest else "free" for _, value, rest in _BOX.findall(html)}


@pytest.fixture
def sites(hub):
    """Sites with a station at the hub, beside the case's own Ba Vì (0100A)."""
    for facility, name in (("0200B", "Bệnh viện Đa khoa Trung ương Cần Thơ"), ("0201B", "TTYT quận Ninh Kiều, Cần Thơ"),
                           ("0300C", "TTYT huyện Đồng Văn")):
        hub.register("station", facility=facility, name=name)


def test_the_host_finds_sites_and_experts_by_words_ticks_them_and_invites_them(hub, station_client, browser, sites):
    case = submit(station_client, make_case(), "0100A")
    host = browser("tim.bachmai")
    browser("tim.choray", hospital="choray", name="Phạm Văn An")
    live_id = started(host, case.id)
    page = host.get(f"/console/live/{live_id}").text
    assert f'hx-get="/console/live/{live_id}/invite-search"' in page and "Tìm cơ sở hoặc chuyên gia" in page
    assert 'placeholder="01234' not in page  # nobody is asked for codes any more

    # As one types (htmx): words, accents and case ignored; the case's own site is not offered.
    found = host.get(f"/console/live/{live_id}/invite-search", params={"q": "can tho"}, headers=HTMX)
    assert found.status_code == 200 and "<html" not in found.text
    assert boxes(found.text) == {"0200B": "free", "0201B": "free"}
    assert "Bệnh viện Đa khoa Trung ương Cần Thơ" in found.text and "TTYT huyện Đồng Văn" not in found.text
    experts = host.get(f"/console/live/{live_id}/invite-search", params={"q": "CHỢ RẪY"}, headers=HTMX).text
    an = person_id(hub, "tim.choray")
    assert boxes(experts) == {an: "free"} and "Phạm Văn An" in experts

    # Mời: the two sites ticked and the expert; the block comes back alone, the search shown again, marked.
    sent = host.http.post(f"/console/live/{live_id}/invitations", headers={**HTMX, "X-CSRF-Token": host.csrf},
                          data={"facilities": ["0200B", "0201B"], "people": [an], "q": "can tho"})
    assert sent.status_code == 200, sent.text[:1000]
    assert "<html" not in sent.text and 'id="invite"' in sent.text and "Đã gửi lời mời" in sent.text
    assert boxes(sent.text) == {"0200B": "invited", "0201B": "invited"} and "Đã mời" in sent.text
    session = station_client.live_session(live_id)  # the hub's session JSON, as the station reads it
    assert sorted(session["invited"]["facilities"]) == ["0200B", "0201B"] and session["invited"]["people"] == [an]
    again = host.get(f"/console/live/{live_id}/invite-search", params={"q": "cần thơ"}, headers=HTMX).text
    assert boxes(again) == {"0200B": "invited", "0201B": "invited"}

    # Nothing found says so; nothing ticked is refused and nobody is invited.
    nothing = host.get(f"/console/live/{live_id}/invite-search", params={"q": "Hà Giang xyz"}, headers=HTMX).text
    assert boxes(nothing) == {} and "Không tìm thấy cơ sở hay chuyên gia nào khớp với “Hà Giang xyz”" in nothing
    empty = host.http.post(f"/console/live/{live_id}/invitations", headers={**HTMX, "X-CSRF-Token": host.csrf},
                           data={"q": "dong van"})
    assert "Hãy đánh dấu cơ sở hoặc chuyên gia cần mời" in empty.text and boxes(empty.text) == {"0300C": "free"}
    assert sorted(station_client.live_session(live_id)["invited"]["facilities"]) == ["0200B", "0201B"]
    long = host.get(f"/console/live/{live_id}/invite-search", params={"q": "Cần Thơ " * 40}, headers=HTMX)
    assert long.status_code == 200 and "quá dài" in long.text and boxes(long.text) == {}


def test_without_javascript_the_search_is_a_get_of_the_page_and_the_invitation_a_form(
        hub, station_client, browser, sites):
    case = submit(station_client, make_case(), "0100A")
    host = browser("tim.bachmai")
    live_id = started(host, case.id)
    page = host.get(f"/console/live/{live_id}", params={"q": "Ninh Kieu"})
    assert page.status_code == 200 and boxes(page.text) == {"0201B": "free"}
    assert re.search(r'<form method="get" action="/console/live/' + live_id + '"', page.text)
    assert f'action="/console/live/{live_id}/invitations?q=Ninh%20Kieu"' in page.text
    assert "<details class=\"manage\" open>" in page.text  # the search's answer is in sight

    # A plain post (no HX-Request): the whole page comes back, the same search shown with the site invited.
    sent = host.post(f"/console/live/{live_id}/invitations?q=Ninh%20Kieu", {"facilities": "0201B"})
    assert sent.status_code == 200 and "<html" in sent.text and "Đã gửi lời mời" in sent.text
    assert boxes(sent.text) == {"0201B": "invited"}
    assert station_client.live_session(live_id)["invited"]["facilities"] == ["0201B"]
    refused = host.post(f"/console/live/{live_id}/invitations", {})
    assert refused.status_code == 400 and "Hãy đánh dấu" in refused.text

    # The POST needs the session's CSRF token, from a form field or htmx's header; without it nobody is invited.
    assert host.post(f"/console/live/{live_id}/invitations", {"facilities": "0200B"}, csrf=False).status_code == 403
    bare = host.http.post(f"/console/live/{live_id}/invitations", headers=HTMX, data={"facilities": "0200B"})
    assert bare.status_code == 403
    forged = host.http.post(f"/console/live/{live_id}/invitations", headers={**HTMX, "X-CSRF-Token": "forged"},
                            data={"facilities": "0200B"})
    assert forged.status_code == 403
    assert station_client.live_session(live_id)["invited"]["facilities"] == ["0201B"]


def test_only_a_host_is_offered_the_search(hub, station_client, browser, sites):
    case = submit(station_client, make_case(), "0100A")
    host = browser("tim.bachmai")
    live_id = started(host, case.id)
    guest = browser("tim.choray", hospital="choray")
    host.get(f"/console/live/{live_id}")
    host.post(f"/console/live/{live_id}/invitations", {"people": person_id(hub, "tim.choray")})
    # Invited, the guest joins, but inviting is for the case's site and its routed experts (service.invite).
    page = guest.get(f"/console/live/{live_id}")
    assert page.status_code == 200 and 'id="invite-q"' not in page.text
    assert boxes(guest.get(f"/console/live/{live_id}", params={"q": "can tho"}).text) == {}
    answer = guest.get(f"/console/live/{live_id}/invite-search", params={"q": "can tho"})
    assert answer.status_code == 403 and boxes(answer.text) == {}
    shown = guest.get(f"/console/live/{live_id}/invite-search", params={"q": "can tho"}, headers=HTMX)
    assert shown.status_code == 200 and "Chỉ cơ sở gửi ca bệnh" in shown.text and boxes(shown.text) == {}
    stranger = browser("phoi.bachmai", specialty="respiratory")
    assert stranger.get(f"/console/live/{live_id}/invite-search", params={"q": "can tho"}).status_code == 403


def test_the_invite_list_names_hospitals_and_specialties_in_the_page_s_language(hub, station_client, browser, sites):
    """The directory names them in Vietnamese (as the stations show them): a French page said "Tim mạch" under
    a header reading "Cardiologie" (an outsider's finding). It names them from their codes, in the page's
    language."""
    case = submit(station_client, make_case(), "0100A")
    host = browser("tim.paris", language="fr")
    browser("tim.choray", hospital="choray", name="Phạm Văn An")
    hub.register("station", facility="0400D", name="Trạm y tế Bạch Mai", hospital="bachmai")
    live_id = started(host, case.id)
    experts = host.get(f"/console/live/{live_id}/invite-search", params={"q": "pham van an"}, headers=HTMX).text
    assert "Hôpital Cho Ray · Cardiologie" in experts and "Tim mạch" not in experts, experts
    sites = host.get(f"/console/live/{live_id}/invite-search", params={"q": "tram y te"}, headers=HTMX).text
    assert "Hôpital Bach Mai" in sites and "Bệnh viện Bạch Mai" not in sites, sites
