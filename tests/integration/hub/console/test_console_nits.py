"""Small things people noticed in the console: an unknown console page answers an HTML page in their language,
not the FHIR API's JSON."""

import httpx
import pytest


def test_an_unknown_console_page_is_an_html_404_in_the_persons_language(hub, browser):
    expert = browser("tim.bachmai", name="Trần Văn Tim")
    for path in ("/console/khong-co", "/console/cases", "/console/a/b/c", "/console/static/nope.css"):
        page = expert.get(path)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html"), path
        assert "Không tìm thấy trang" in page.text and "Trần Văn Tim" in page.text, path  # the console's header
        assert 'href="/console/inbox"' in page.text and "OperationOutcome" not in page.text, path
    en = browser("tim.en", language="en").get("/console/khong-co")
    assert en.status_code == 404 and "Page not found" in en.text and 'lang="en"' in en.text
    fr = browser("tim.fr", language="fr").get("/console/khong-co")
    assert fr.status_code == 404 and "Page introuvable" in fr.text and 'lang="fr"' in fr.text


def test_before_signing_in_an_unknown_console_page_is_an_html_404_too(hub):
    for path in ("/console/khong-co", "/console/x/y"):
        page = httpx.get(f"{hub.url}{path}", headers={"Accept-Language": "fr"})
        assert page.status_code == 404 and "Page introuvable" in page.text, path
        assert 'action="/console/logout"' not in page.text  # nobody is signed in


@pytest.mark.parametrize("path", ["/NoSuchKind", "/NoSuchKind/x", "/a/b/c/d/e", "/consoles/x"])
def test_the_apis_unknown_paths_still_answer_a_fhir_operation_outcome(hub, path):
    answer = httpx.get(f"{hub.url}{path}")
    assert answer.status_code in (401, 404), path
    assert "text/html" not in answer.headers.get("content-type", ""), path


def test_the_console_pages_and_the_viewer_are_still_served(hub, browser):
    expert = browser("tim.bachmai")
    assert expert.get("/console/inbox").status_code == 200
    assert expert.get("/console/viewer?study=1.2.840.1").status_code == 200
    assert expert.get("/console/static/htmx.min.js").status_code == 200


@pytest.mark.parametrize("language, said", [
    ("vi", "Hãy đăng nhập để tiếp tục: trang bạn đang mở sẽ hiện lại sau khi đăng nhập."),
    ("en", "Sign in to go on: the page you were on opens again once you are signed in."),
    ("fr", "Connectez-vous pour continuer : la page que vous aviez ouverte s'affichera de nouveau ensuite.")])
def test_sent_to_sign_in_from_a_page_the_login_says_that_page_comes_back(hub, language, said):
    """Signed out in another tab (or the session ran out), the live page or a case page fell to the bare sign-in
    page with no word of why or of the way back (an outsider's finding)."""
    headers = {"Accept-Language": language}
    page = httpx.get(f"{hub.url}/console/live/abc", headers=headers, follow_redirects=True)
    assert page.status_code == 200 and 'name="next" value="/console/live/abc"' in page.text
    assert said in page.text.replace("&#39;", "'")
    plain = httpx.get(f"{hub.url}/console/login", headers=headers)  # asked for itself: nothing to come back to
    assert plain.status_code == 200 and said not in plain.text.replace("&#39;", "'")
