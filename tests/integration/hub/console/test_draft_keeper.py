"""Nothing typed in the conclusion editor is lost (static/draft-keeper.js): in Chromium, "Lưu nháp" sent while the
link is down (the browser's own error page, then Back) and "Lưu nháp" from a page opened under an older sign-in
(the CSRF refusal, then Back and reload) both find the text again, said by a note, and save it; the copy kept in
the browser tab goes once the hub has the draft. A draft with only an issue's title saves (the checks are the
signature's)."""

from contextlib import contextmanager

import pytest

from .support import PASSWORD, make_case, submit

RESTORED = "Đã khôi phục nội dung chưa lưu trong trình duyệt này."
SAVED = "Đã lưu nháp."
TITLE = "Chẩn đoán"
TEXT = "Hội chứng vành cấp không ST chênh lên."
TREATMENT = "Tiếp tục aspirin, thêm statin liều cao."


@pytest.fixture
def case(hub, station_client):
    return submit(station_client, make_case(), "0100A")


@contextmanager
def _typing(hub, case, login):
    """Chromium signed in as `login`, a conclusion typed (not saved) in the case's editor."""
    from tests.support.browser import chromium, new_page, sign_in

    with chromium() as chrome:
        page = new_page(chrome)
        sign_in(page, hub.url, login, PASSWORD)
        _type(page, hub, case)
        yield page


def _type(page, hub, case):
    page.goto(f"{hub.url}/console/cases/{case.id}/conclusion")
    editor = page.locator("#editor")
    editor.locator("input[name=issue_title]").first.fill(TITLE)
    editor.locator("textarea[name=issue_text]").first.fill(TEXT)
    editor.locator("textarea[name=treatment]").fill(TREATMENT)


def _typed(page) -> tuple[str, str, str]:
    editor = page.locator("#editor")
    return (editor.locator("input[name=issue_title]").first.input_value(),
            editor.locator("textarea[name=issue_text]").first.input_value(),
            editor.locator("textarea[name=treatment]").input_value())


def _save(page):
    with page.expect_navigation():
        page.locator("#editor button[value=save]").click()


def _kept(page) -> list[str]:
    return page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('diemcau.conclusion.'))")


def _restored_then_saved(page):
    """The typed text back in the editor, said by the note; saved on the hub (the page reloaded from it shows the
    text), then no copy left in the browser."""
    page.locator("#draft-restored:not([hidden])").wait_for()
    assert page.locator("#draft-restored").inner_text() == RESTORED
    assert _typed(page) == (TITLE, TEXT, TREATMENT)
    _save(page)
    assert SAVED in page.locator(".notice").first.inner_text()
    page.reload()
    assert _typed(page) == (TITLE, TEXT, TREATMENT)
    assert not page.locator("#draft-restored").is_visible()
    assert _kept(page) == []


@pytest.mark.parametrize("hub", ["sqlite"], indirect=True)
def test_a_draft_sent_while_offline_is_kept_and_saved_once_back_online(hub, case, person):
    with _typing(hub, case, person("tim.bachmai")) as page:
        page.context.set_offline(True)
        with page.expect_event("framenavigated", lambda f: f.url.startswith("chrome-error://")):
            page.locator("#editor button[value=save]").click()
        page.context.set_offline(False)
        # Back from the error page (here Chromium goes back past the editor), the conclusion opened again.
        page.go_back()
        page.goto(f"{hub.url}/console/cases/{case.id}/conclusion")
        _restored_then_saved(page)


@pytest.mark.parametrize("hub", ["sqlite"], indirect=True)
def test_a_draft_refused_for_an_old_sign_in_is_kept(hub, case, person):
    from tests.support.browser import sign_in

    login = person("tim.bachmai")
    with _typing(hub, case, login) as page:
        sign_in(page.context.new_page(), hub.url, login, PASSWORD)  # this page's security code is now the old one
        with page.expect_navigation() as refused:
            page.locator("#editor button[value=save]").click()
        assert refused.value.status == 403
        assert "vẫn được giữ trong thẻ trình duyệt này" in page.locator(".error").inner_text()
        page.go_back()
        page.reload()
        _restored_then_saved(page)


@pytest.mark.parametrize("hub", ["sqlite"], indirect=True)
def test_text_kept_in_the_tab_is_not_given_to_the_next_person(hub, case, person):
    from tests.support.browser import sign_in

    second = person("tim.other")
    with _typing(hub, case, person("tim.bachmai")) as page:
        assert len(_kept(page)) == 1
        page.goto(f"{hub.url}/console/inbox")  # signing out from any page of the console, not only the editor
        with page.expect_navigation():
            page.locator("form.signout [type=submit]").click()
        assert _kept(page) == []  # signing out forgets it (a shared hospital PC)
        sign_in(page, hub.url, second, PASSWORD)
        page.goto(f"{hub.url}/console/cases/{case.id}/conclusion")
        assert _typed(page) == ("", "", "")
        assert not page.locator("#draft-restored").is_visible()


def test_a_draft_with_only_a_title_saves(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    editor = f"/console/cases/{case.id}/conclusion"
    expert.get(editor)
    saved = expert.post(editor, {"issue_title": [TITLE], "issue_text": [""], "treatment": "", "follow_up": "",
                                 "action": "save"}, follow=True)
    assert saved.status_code == 200 and SAVED in saved.text
    assert f'value="{TITLE}"' in saved.text
    # Signing it is still refused: a conclusion on each issue and the treatment direction are the signature's.
    refused = expert.post(editor, {"issue_title": [TITLE], "issue_text": [""], "treatment": "", "follow_up": "",
                                   "action": "sign", "password": PASSWORD})
    assert refused.status_code == 400
    assert "Cần ghi hướng điều trị." in refused.text
