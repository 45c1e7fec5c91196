"""What the console says when an htmx request fails, on any page (static/errors.js, loaded by base.html): htmx swaps
no 4xx/5xx answer and gets none when the link is down, so without it a button did nothing. In Chromium: a post
from a page opened under an older sign-in (CSRF, 403), from a page whose session has ended (signed out), a server
error (500) and no answer at all, each said in the page's language in its role=alert area; and without
JavaScript the same form posts normally."""

import pytest

from .support import PASSWORD, make_case, submit

EXPIRED = "Trang này đã cũ (có thể bạn vừa đăng nhập lại ở một thẻ khác): hãy tải lại trang (F5) rồi thử lại."
SIGNED_OUT = ("Bạn đã bị đăng xuất (phiên đăng nhập đã hết hạn, hoặc bạn đã đăng xuất ở một thẻ khác): hãy chép lại "
              "những gì vừa gõ nếu cần, rồi tải lại trang (F5) và đăng nhập lại.")
SERVER = ("Máy chủ gặp lỗi (500) nên chưa làm được việc này: hãy thử lại sau ít phút; nếu vẫn lỗi, "
          "hãy báo quản trị viên.")
NO_ANSWER = {"vi": "Máy chủ không trả lời: hãy kiểm tra kết nối rồi thử lại.",
             "fr": "Le serveur n'a pas répondu : vérifiez la connexion et réessayez."}


@pytest.fixture
def case(hub, station_client):
    return submit(station_client, make_case(), "0100A")


def _editor(page, hub, case):
    page.goto(f"{hub.url}/console/cases/{case.id}/conclusion")
    page.locator("#editor input[name=issue_title]").first.fill("Chẩn đoán")
    return page.locator("#editor input[name=issue_title]")


def _add(page):
    page.locator("#editor button[value=add]").click()


@pytest.mark.parametrize("hub", ["sqlite"], indirect=True)
def test_a_failed_request_is_said_on_any_page(hub, case, person):
    from tests.support.browser import chromium, new_page, sign_in

    login = person("tim.bachmai")
    with chromium() as chrome:
        page = new_page(chrome)
        sign_in(page, hub.url, login, PASSWORD)
        alert = page.locator("#request-alert")
        issues = _editor(page, hub, case)
        assert issues.count() == 1 and not alert.is_visible()

        # A server error (the hub answering 500 to the editor's "add"): said with its code, the form as it was.
        def fail(route):
            if route.request.method == "POST":
                route.fulfill(status=500, content_type="text/plain", body="Internal Server Error")
            else:
                route.continue_()
        page.route("**/conclusion", fail)
        with page.expect_response(lambda r: r.url.endswith("/conclusion") and r.status == 500):
            _add(page)
        page.locator("#request-alert:not([hidden])").wait_for()
        assert alert.inner_text() == SERVER and alert.get_attribute("role") == "alert"
        assert issues.count() == 1
        # Once the same button goes through, it is unsaid.
        page.unroute("**/conclusion", fail)
        _add(page)
        page.locator("#editor input[name=issue_title] >> nth=1").wait_for()
        page.locator("#request-alert[hidden]").wait_for(state="attached")
        assert issues.first.input_value() == "Chẩn đoán"

        # Signed in again in another tab: this page's CSRF token is the old session's; its post is refused (403).
        other = page.context.new_page()
        sign_in(other, hub.url, login, PASSWORD)
        with page.expect_response(lambda r: r.url.endswith("/conclusion") and r.request.method == "POST") as sent:
            _add(page)
        assert sent.value.status == 403
        page.locator("#request-alert:not([hidden])").wait_for()
        assert alert.inner_text() == EXPIRED
        assert issues.count() == 2

        # Reloaded, it works; then signed out in the other tab: this page's post says so, not "expired".
        issues = _editor(page, hub, case)
        assert not alert.is_visible()
        with other.expect_navigation():
            other.locator("form.signout [type=submit]").click()
        with page.expect_response(lambda r: r.url.endswith("/conclusion") and r.request.method == "POST") as sent:
            _add(page)
        assert sent.value.status == 403
        page.locator("#request-alert:not([hidden])").wait_for()
        assert alert.inner_text() == SIGNED_OUT

        # Signed in again over there: this page's next post is refused for its old CSRF token, not for a
        # signed-out session. "Signed out" stays against a success, not against a newer, different refusal (it
        # said "Bạn đã bị đăng xuất" to someone signed in: an outsider's finding).
        sign_in(other, hub.url, login, PASSWORD)
        with page.expect_response(lambda r: r.url.endswith("/conclusion") and r.request.method == "POST") as sent:
            _add(page)
        assert sent.value.status == 403 and sent.value.headers.get("x-refused") == "csrf"
        page.locator("#request-alert:not([hidden])", has_text=EXPIRED).wait_for()
        assert alert.inner_text() == EXPIRED


@pytest.mark.parametrize("hub", ["sqlite"], indirect=True)
@pytest.mark.parametrize("language", ["vi", "fr"])
def test_no_answer_to_the_inbox_is_said_in_the_page_s_language(hub, case, person, language):
    from tests.support.browser import chromium, new_page, sign_in

    login = person(f"tim.{language}", language=language)
    with chromium() as chrome:
        page = new_page(chrome)
        sign_in(page, hub.url, login, PASSWORD)
        page.goto(f"{hub.url}/console/inbox")
        alert = page.locator("#request-alert")
        # The link drops: the list's refresh (every 20 s, or at once on an inbox event) gets no answer.
        page.context.set_offline(True)
        page.evaluate("document.body.dispatchEvent(new CustomEvent('inbox-changed'))")
        page.locator("#request-alert:not([hidden])").wait_for()
        assert alert.inner_text() == NO_ANSWER[language]
        # The link back: the next refresh answers and the message goes.
        page.context.set_offline(False)
        with page.expect_response("**/console/inbox/rows*"):
            page.evaluate("document.body.dispatchEvent(new CustomEvent('inbox-changed'))")
        page.locator("#request-alert[hidden]").wait_for(state="attached")


@pytest.mark.parametrize("hub", ["sqlite"], indirect=True)
def test_without_javascript_the_editor_posts_normally(hub, case, person):
    from tests.support.browser import VIEWPORT, chromium, sign_in

    login = person("tim.bachmai")
    with chromium() as chrome:
        page = chrome.new_context(viewport=VIEWPORT, locale="vi-VN", java_script_enabled=False).new_page()
        sign_in(page, hub.url, login, PASSWORD)
        issues = _editor(page, hub, case)
        assert not page.locator("#request-alert").is_visible()
        with page.expect_navigation():
            _add(page)
        assert issues.count() == 2 and issues.first.input_value() == "Chẩn đoán"
