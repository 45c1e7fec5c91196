"""The console's invite block says why an invitation or a search was refused, in the expert's words: the session
ended, only the hosts invite, the session's limit of invited sites and people, too many ticked at once; and, in a
real browser (htmx swaps only 2xx answers), a post refused for its CSRF token (the page was opened under an older
sign-in) or left without an answer says so instead of doing nothing."""

import pytest

from server.console import accounts
from server.live import service

from .support import PASSWORD, make_case, submit
from .test_live_views import HTMX, boxes, started


@pytest.fixture
def hub(hub_with_sfu):
    return hub_with_sfu


@pytest.fixture
def sites(hub):
    for facility, name in (("0200B", "Bệnh viện Đa khoa Trung ương Cần Thơ"), ("0300C", "TTYT huyện Đồng Văn")):
        hub.register("station", facility=facility, name=name)


def test_the_invite_block_says_why_it_was_refused(hub, station_client, browser, sites):
    case = submit(station_client, make_case(), "0100A")
    host = browser("tim.bachmai")
    live_id = started(host, case.id)
    post = {**HTMX, "X-CSRF-Token": host.csrf}

    # More ticked at once than one call takes (a crafted post: the page offers 20 at most).
    many = host.http.post(f"/console/live/{live_id}/invitations", headers=post,
                          data={"facilities": [f"Z{n:04d}" for n in range(service.MAX_INVITED + 1)]})
    assert many.status_code == 200 and f"mỗi lần chỉ mời tối đa {service.MAX_INVITED}" in many.text, many.text[:800]
    assert "không được mời" not in many.text

    # An expert ticked, then disabled before "Mời": said in the expert's words, nobody invited.
    browser("tim.choray", hospital="choray")
    with hub.engine.begin() as conn:
        gone = accounts.by_login(conn, "tim.choray").id
        accounts.disable(conn, gone)
    disabled = host.http.post(f"/console/live/{live_id}/invitations", headers=post,
                              data={"facilities": ["0200B"], "people": [gone]})
    assert "Một chuyên gia đã chọn không còn mời được" in disabled.text, disabled.text[:800]
    assert station_client.live_session(live_id)["invited"] == {"facilities": [], "people": []}

    # The session's limit reached (by the station's API, in calls of 200): the expert reads it, nobody is added.
    with hub.engine.begin() as conn:
        principal = accounts.by_login(conn, "tim.bachmai").principal
        for first in range(0, service.MAX_SESSION_INVITED, service.MAX_INVITED):
            service.invite(conn, principal, live_id, {"facilities": [f"Z{n:04d}" for n in range(
                first, min(first + service.MAX_INVITED, service.MAX_SESSION_INVITED))]})
    full = host.http.post(f"/console/live/{live_id}/invitations", headers=post, data={"facilities": ["0200B"],
                                                                                      "q": "can tho"})
    assert full.status_code == 200, full.text[:800]
    assert (f"Phiên này đã đạt giới hạn {service.MAX_SESSION_INVITED} cơ sở và chuyên gia được mời" in full.text
            and boxes(full.text) == {"0200B": "free"}), full.text[:1500]
    plain = host.post(f"/console/live/{live_id}/invitations", {"facilities": "0200B"})  # without JavaScript
    assert plain.status_code == 409 and "đã đạt giới hạn" in plain.text
    assert "0200B" not in station_client.live_session(live_id)["invited"]["facilities"]

    # Ended: the search says so (it used to say that only the hosts invite).
    assert host.post(f"/console/live/{live_id}/end", {}).status_code == 303
    ended = host.get(f"/console/live/{live_id}/invite-search", params={"q": "can tho"}, headers=HTMX)
    assert ended.status_code == 200 and "Phiên hội chẩn trực tuyến đã kết thúc" in ended.text, ended.text[:800]
    assert "Chỉ cơ sở gửi ca bệnh" not in ended.text and boxes(ended.text) == {}
    assert host.get(f"/console/live/{live_id}/invite-search", params={"q": "can tho"}).status_code == 409

    # The page's consent call with a body nested thousands deep: refused plainly, not a 500.
    deep = host.http.post(f"/console/live/{live_id}/consent", headers={"X-CSRF-Token": host.csrf},
                          content=b"[" * 5000)
    assert deep.status_code == 400, deep.text[:300]


@pytest.mark.parametrize("hub_with_sfu", ["sqlite"], indirect=True)
def test_in_a_browser_an_expired_page_and_no_answer_are_said(hub, station_client, person, sites):
    from tests.support.browser import chromium, new_page, sign_in

    case = submit(station_client, make_case(), "0100A")
    login = person("tim.bachmai")
    with chromium() as chrome:
        page = new_page(chrome)
        sign_in(page, hub.url, login, PASSWORD)
        page.goto(f"{hub.url}/console/cases/{case.id}")
        with page.expect_navigation(url="**/console/live/**"):
            page.locator(f"form[action='/console/cases/{case.id}/live'] [type=submit]").click()
        live_id = page.url.rstrip("/").rsplit("/", 1)[-1]
        alert = page.locator("#invite-alert")

        def find(words):
            page.locator("#invite-q").fill(words)
            page.locator("#invite-results input[value='0200B']").wait_for()

        page.locator("details.manage > summary").click()
        # No answer to the search (the link dropped): said, and unsaid once the server answers again.
        page.route("**/invite-search*", lambda route: route.abort())
        page.locator("#invite-q").fill("can")
        page.locator("#invite-alert:not([hidden])").wait_for()
        assert alert.inner_text() == "Máy chủ không trả lời: hãy kiểm tra kết nối rồi thử lại."
        page.unroute("**/invite-search*")
        find("can tho")
        page.locator("#invite-alert[hidden]").wait_for(state="attached")

        # Signed in again in another tab: this page's CSRF token is the old session's, the post is refused (403).
        other = page.context.new_page()
        sign_in(other, hub.url, login, PASSWORD)
        other.close()
        page.locator("#invite-results input[value='0200B']").check()
        with page.expect_response(f"**/console/live/{live_id}/invitations") as response:
            page.locator("#invite-form [type=submit]").click()
        assert response.value.status == 403
        page.locator("#invite-alert:not([hidden])").wait_for()
        assert alert.inner_text() == ("Trang này đã cũ (có thể bạn vừa đăng nhập lại ở một thẻ khác): "
                                      "hãy tải lại trang (F5) rồi mời lại.")
        assert station_client.live_session(live_id)["invited"]["facilities"] == []
        # A search that works afterwards does not hide it: the page stays expired until it is reloaded.
        page.locator("#invite-q").fill("dong van")
        page.locator("#invite-results input[value='0300C']").wait_for()
        assert alert.is_visible()

        # Reloaded, it invites.
        page.reload()
        page.locator("details.manage > summary").click()
        find("can tho")
        page.locator("#invite-results input[value='0200B']").check()
        page.locator("#invite-form [type=submit]").click()
        page.locator("#invite .notice", has_text="Đã gửi lời mời.").wait_for()
        assert not page.locator("#invite-alert").is_visible()
        assert station_client.live_session(live_id)["invited"]["facilities"] == ["0200B"]

        # Ended meanwhile (from elsewhere): the search shows why nothing comes.
        with hub.engine.begin() as conn:
            service.end(conn, accounts.by_login(conn, login).principal, hub.config, live_id)
        page.locator("#invite-q").fill("dong")
        page.locator("#invite-results [role=alert]", has_text="Phiên hội chẩn trực tuyến đã kết thúc.").wait_for()
