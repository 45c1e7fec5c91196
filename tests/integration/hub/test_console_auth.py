"""The console's sign-in: passwords, lock-out, TOTP, sessions (idle and absolute expiry, sign-out), CSRF, audit."""

import re
import time
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlalchemy import select, update

from server.audit import events
from server.console import accounts, sessions
from server.console.tables import console_sessions, people
from tests.support.hub import RunningHub

from .console_client import Console

PASSWORD = "mật-khẩu-đủ-dài-2026"


def make_person(hub, login="bs.lan", role="expert", **fields):
    fields = {"name": "Bác sĩ Lan", "hospital": "bachmai", "specialty": "cardiology", **fields}
    person, _ = accounts.ensure_person(hub.engine, login, password=PASSWORD, role=role, **fields)
    return person


def session_rows(hub, person_id):
    with hub.engine.begin() as conn:
        return conn.execute(select(console_sessions).where(console_sessions.c.person_id == person_id)).all()


def test_signing_in_opens_a_server_side_session_in_a_strict_http_only_cookie(hub, console):
    person = make_person(hub)
    browser = console()
    reply = browser.login("bs.lan", PASSWORD)
    assert reply.status_code == 303 and reply.headers["location"] == "/console/inbox"
    cookie = next(v for k, v in reply.headers.multi_items() if k == "set-cookie" and v.startswith("diemcau_session="))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= flags and "secure" not in flags  # http: a hub on loopback
    token = cookie.split(";")[0].split("=", 1)[1]
    [row] = session_rows(hub, person.id)
    assert row.token_hash != token and len(row.token_hash) == 64  # only its SHA-256 is kept
    page = browser.get("/console/password")
    who = re.search(r'<span class="who">([^<]*)</span>', page.text).group(1)
    assert page.status_code == 200 and "Bác sĩ Lan" in who and " · " in who  # the name, then the hospital


def test_the_cookie_is_secure_when_the_hub_is_served_over_https(tmp_path):
    hub = RunningHub(tmp_path / "hub", public_url="https://hub.diemcau.vn").start()
    try:
        make_person(hub)
        browser = Console(hub)
        page = browser.get("/console/login")
        anonymous = page.headers["set-cookie"]
        assert anonymous.startswith("diemcau_csrf=") and "secure" in anonymous.lower()
        # over plain http (this test) the client keeps a Secure cookie to itself: sent by hand
        reply = browser.http.post("/console/login", data={"login": "bs.lan", "password": PASSWORD,
                                                          "csrf": browser.csrf},
                                  headers={"Cookie": anonymous.split(";")[0]})
        cookie = next(v for k, v in reply.headers.multi_items() if k == "set-cookie" and "diemcau_session=" in v)
        assert "secure" in cookie.lower()
        browser.close()
    finally:
        hub.stop()


def test_a_wrong_password_and_an_unknown_login_get_the_same_words(hub, console):
    make_person(hub)
    wrong = console().login("bs.lan", "not-the-password")
    unknown = console().login("nobody.here", "not-the-password")
    for reply in (wrong, unknown):
        assert reply.status_code == 401
        assert "Sai tên đăng nhập hoặc mật khẩu" in reply.text
        assert "diemcau_session" not in reply.headers.get("set-cookie", "")
    assert wrong.text.replace("bs.lan", "X") == unknown.text.replace("nobody.here", "X").replace(
        _csrf(unknown.text), _csrf(wrong.text))
    with hub.engine.begin() as conn:
        trail = [e for e in events(conn) if e["action"] == "login"]
    assert [e["outcome"] for e in trail] == [401, 401]
    assert not any("bs.lan" in str(e) or "nobody" in str(e) for e in trail)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_five_failures_in_a_row_lock_the_account_for_15_minutes_then_it_opens(hub, console):
    person = make_person(hub)
    browser = console()
    for _ in range(5):
        assert browser.login("bs.lan", "wrong-password").status_code == 401
    locked = browser.login("bs.lan", PASSWORD)  # the right password, but locked
    assert locked.status_code == 401 and "bị khóa" in locked.text and "diemcau_session" not in str(locked.headers)
    with hub.engine.begin() as conn:
        until = conn.execute(select(people.c.locked_until).where(people.c.id == person.id)).scalar_one()
        until = until.replace(tzinfo=timezone.utc) if until.tzinfo is None else until
        assert timedelta(minutes=14) < until - datetime.now(timezone.utc) <= timedelta(minutes=15)
        # the window has passed
        conn.execute(update(people).where(people.c.id == person.id)
                     .values(locked_until=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert browser.login("bs.lan", PASSWORD).status_code == 303


def test_a_success_resets_the_count_of_failures(hub, console):
    make_person(hub)
    for _ in range(4):
        console().login("bs.lan", "wrong-password")
    assert console().login("bs.lan", PASSWORD).status_code == 303
    for _ in range(4):
        console().login("bs.lan", "wrong-password")
    assert console().login("bs.lan", PASSWORD).status_code == 303


def test_an_administrator_must_enrol_totp_before_anything_else_and_then_needs_the_code(hub, console):
    make_person(hub, "quan.tri", role="admin", name="Quản trị", hospital="bachmai", specialty="")
    browser = console()
    reply = browser.login("quan.tri", PASSWORD)
    assert reply.headers["location"] == "/console/totp"
    refused = browser.get("/console/admin")
    assert refused.status_code == 303 and refused.headers["location"] == "/console/totp"
    page = browser.get("/console/totp")
    secret = re.search(r'name="secret" value="([A-Z2-7]{32})"', page.text).group(1)
    assert f"secret={secret}" in page.text  # the provisioning URI, as text
    bad = browser.post("/console/totp", {"secret": secret, "code": "000000"})
    assert bad.status_code == 400 and "Mã không khớp" in bad.text
    assert browser.post("/console/totp", {"secret": secret, "code": pyotp.TOTP(secret).now()}).status_code == 303
    assert browser.get("/console/admin").status_code == 200

    again = console()
    asked = again.login("quan.tri", PASSWORD)
    assert asked.status_code == 200 and "mã 6 chữ số" in asked.text and "diemcau_session" not in str(asked.headers)
    assert again.login("quan.tri", PASSWORD, code="123456").status_code == 401
    assert again.login("quan.tri", PASSWORD, code=next_code(secret)).status_code == 303  # enrolment's is used up
    assert again.get("/console/admin").status_code == 200


def test_an_expert_may_turn_totp_on_and_is_then_asked_for_it(hub, console):
    make_person(hub)
    browser = console()
    browser.login("bs.lan", PASSWORD)
    secret = re.search(r'name="secret" value="([A-Z2-7]{32})"', browser.get("/console/totp").text).group(1)
    browser.post("/console/totp", {"secret": secret, "code": pyotp.TOTP(secret).now()})
    assert console().login("bs.lan", PASSWORD).status_code == 200  # the code is asked for
    assert console().login("bs.lan", PASSWORD, next_code(secret)).status_code == 303


def next_code(secret: str) -> str:
    """The code of the next 30-second step (accepted: a phone's clock may run ahead by one step)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def enrol_totp(hub, person) -> str:
    """TOTP turned on for the person, with the code of a step ago: steps from now on are newer."""
    secret = accounts.new_totp_secret()
    with hub.engine.begin() as conn:
        assert accounts.enable_totp(conn, person.id, secret, pyotp.TOTP(secret).at(time.time() - 30))
    return secret


def test_a_totp_code_signs_in_once_and_never_again_nor_an_older_one(hub, console):
    person = make_person(hub)
    secret = enrol_totp(hub, person)
    code = pyotp.TOTP(secret).now()
    assert console().login("bs.lan", PASSWORD, code).status_code == 303
    replayed = console().login("bs.lan", PASSWORD, code)  # seen over a shoulder, or kept by a proxy
    assert replayed.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in replayed.text
    assert "diemcau_session" not in str(replayed.headers)
    older = console().login("bs.lan", PASSWORD, pyotp.TOTP(secret).at(time.time() - 30))
    assert older.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in older.text
    assert console().login("bs.lan", PASSWORD, next_code(secret)).status_code == 303  # a newer step still works
    with hub.engine.begin() as conn:
        assert conn.execute(select(people.c.failed_count).where(people.c.id == person.id)).scalar_one() == 0


def test_the_code_that_enrolled_totp_cannot_then_sign_in(hub, console):
    make_person(hub)
    browser = console()
    browser.login("bs.lan", PASSWORD)
    secret = re.search(r'name="secret" value="([A-Z2-7]{32})"', browser.get("/console/totp").text).group(1)
    code = pyotp.TOTP(secret).now()
    assert browser.post("/console/totp", {"secret": secret, "code": code}).status_code == 303
    assert console().login("bs.lan", PASSWORD, code).status_code == 401


def test_the_accounts_sign_in_takes_a_totp_code_once(hub):
    person = make_person(hub)
    secret = enrol_totp(hub, person)
    code = pyotp.TOTP(secret).now()
    with hub.engine.begin() as conn:
        assert accounts.sign_in(conn, "bs.lan", PASSWORD, code).person is not None
    with hub.engine.begin() as conn:
        assert accounts.sign_in(conn, "bs.lan", PASSWORD, code).person is None


def test_changing_ones_password_ends_ones_other_sessions_and_keeps_this_one(hub, console):
    person = make_person(hub)
    here, elsewhere = console(), console()
    here.login("bs.lan", PASSWORD)
    elsewhere.login("bs.lan", PASSWORD)
    assert len(session_rows(hub, person.id)) == 2
    changed = here.post("/console/password", {"current": PASSWORD, "new": "mật-khẩu-mới-2027",
                                               "repeat": "mật-khẩu-mới-2027"})
    assert changed.status_code == 303
    assert elsewhere.get("/console/password").status_code == 303  # sent to sign in again
    assert here.get("/console/password?done=1").status_code == 200
    assert len(session_rows(hub, person.id)) == 1
    assert here.post("/console/language", {"language": "en"}).status_code == 303  # its CSRF token still good


@pytest.mark.parametrize("moved", ["idle", "absolute"])
def test_a_session_expires_after_30_idle_minutes_and_after_12_hours_in_any_case(hub, console, moved):
    person = make_person(hub)
    browser = console()
    browser.login("bs.lan", PASSWORD)
    assert browser.get("/console/password").status_code == 200
    now = datetime.now(timezone.utc)
    times = {"last_seen": now - timedelta(minutes=31)} if moved == "idle" else \
        {"created_at": now - timedelta(hours=12, minutes=1), "last_seen": now - timedelta(minutes=1)}
    with hub.engine.begin() as conn:
        conn.execute(update(console_sessions).where(console_sessions.c.person_id == person.id).values(**times))
    reply = browser.get("/console/password")
    assert reply.status_code == 303 and reply.headers["location"] == "/console/login?next=/console/password"
    assert session_rows(hub, person.id) == []


def test_a_session_in_use_stays_open_past_30_minutes_from_its_start(hub, console):
    person = make_person(hub)
    browser = console()
    browser.login("bs.lan", PASSWORD)
    with hub.engine.begin() as conn:
        conn.execute(update(console_sessions).where(console_sessions.c.person_id == person.id).values(
            created_at=datetime.now(timezone.utc) - timedelta(hours=2),
            last_seen=datetime.now(timezone.utc) - timedelta(minutes=29)))
    assert browser.get("/console/password").status_code == 200
    [row] = session_rows(hub, person.id)  # the idle clock starts again
    seen = row.last_seen.replace(tzinfo=timezone.utc) if row.last_seen.tzinfo is None else row.last_seen
    assert datetime.now(timezone.utc) - seen < timedelta(minutes=1)


def test_signing_out_ends_the_session_on_the_hub_not_only_in_the_browser(hub, console):
    person = make_person(hub)
    browser = console()
    browser.login("bs.lan", PASSWORD)
    stolen = browser.http.cookies.get(sessions.COOKIE)
    reply = browser.post("/console/logout")
    assert reply.status_code == 303 and reply.headers["location"] == "/console/login"
    assert session_rows(hub, person.id) == []
    replay = console()
    replay.http.cookies.set(sessions.COOKIE, stolen)
    assert replay.get("/console/password").status_code == 303


def test_a_post_without_the_sessions_csrf_token_or_with_another_sessions_is_refused(hub, console):
    make_person(hub)
    make_person(hub, "bs.minh", name="Bác sĩ Minh")
    lan, minh = console(), console()
    lan.login("bs.lan", PASSWORD)
    minh.login("bs.minh", PASSWORD)
    change = {"current": PASSWORD, "new": "mật-khẩu-mới-2027", "repeat": "mật-khẩu-mới-2027"}
    for token in ("", minh.csrf, "x" * 43):
        refused = lan.post("/console/password", change, csrf=token)
        assert refused.status_code == 403 and "mã bảo mật" in refused.text
    assert lan.post("/console/logout", csrf="").status_code == 403
    assert lan.get("/console/password").status_code == 200  # still signed in, password unchanged
    assert accounts.verify_password(hub.engine, "bs.lan", PASSWORD)
    # the header works as the field does (htmx sends it from <body hx-headers>)
    by_header = lan.http.post("/console/password", data=change, headers={"X-CSRF-Token": lan.csrf})
    assert by_header.status_code == 303
    assert accounts.verify_password(hub.engine, "bs.lan", "mật-khẩu-mới-2027")


def test_the_login_form_needs_its_own_token_too(hub, console):
    make_person(hub)
    browser = console()
    browser.get("/console/login")
    reply = browser.post("/console/login", {"login": "bs.lan", "password": PASSWORD}, csrf="forged-by-another-site")
    assert reply.status_code == 403 and "diemcau_session" not in str(reply.headers)


def test_every_page_carries_the_token_for_htmx_on_its_body(hub, console):
    make_person(hub)
    browser = console()
    browser.login("bs.lan", PASSWORD)
    page = browser.get("/console/password")
    assert f'<body hx-headers=\'{{"X-CSRF-Token": "{browser.csrf}"}}\'>' in page.text
    assert '<script src="/console/static/htmx.min.js"' in page.text
    htmx = browser.get("/console/static/htmx.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.content[:2000]


def test_changing_ones_password_checks_the_current_one_and_says_why_on_the_field(hub, console):
    make_person(hub)
    browser = console()
    browser.login("bs.lan", PASSWORD)
    wrong = browser.post("/console/password", {"current": "nope-nope-nope", "new": "mật-khẩu-mới-2027",
                                               "repeat": "mật-khẩu-mới-2027"})
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng" in wrong.text
    short = browser.post("/console/password", {"current": PASSWORD, "new": "short", "repeat": "short"})
    assert short.status_code == 400 and "ít nhất 10 ký tự" in short.text
    assert accounts.verify_password(hub.engine, "bs.lan", PASSWORD)


def test_page_views_and_actions_are_audited_as_the_person_without_form_values(hub, console):
    person = make_person(hub)
    browser = console()
    browser.login("bs.lan", PASSWORD)
    browser.get("/console/password")
    browser.post("/console/password", {"current": PASSWORD, "new": "mật-khẩu-mới-2027",
                                       "repeat": "mật-khẩu-mới-2027"})
    with hub.engine.begin() as conn:
        trail = events(conn, f"person:{person.id}")
    seen = [(e["action"], e["outcome"], e["detail"]) for e in reversed(trail)]
    assert ("login", 200, "") in seen
    assert ("page", 200, "GET /console/password") in seen
    assert ("action", 303, "POST /console/password") in seen
    assert not any("mật-khẩu" in str(e) for e in trail)


def test_next_may_only_lead_to_a_console_page(hub, console):
    make_person(hub)
    browser = console()
    browser.get("/console/login?next=https://evil.example/")
    reply = browser.post("/console/login", {"login": "bs.lan", "password": PASSWORD,
                                            "next": "https://evil.example/"})
    assert reply.headers["location"] == "/console/inbox"
    browser2 = console()
    browser2.get("/console/login")
    reply = browser2.post("/console/login", {"login": "bs.lan", "password": PASSWORD, "next": "/console/password"})
    assert reply.headers["location"] == "/console/password"


@pytest.mark.parametrize("language, words", [("vi", ["Đăng nhập", "Mật khẩu"]),
                                             ("en", ["Sign in", "Password"]),
                                             ("fr", ["Se connecter", "Mot de passe"])])
def test_the_login_page_speaks_the_browsers_language_and_vietnamese_by_default(hub, console, language, words):
    page = console(**{"Accept-Language": f"{language},de;q=0.5"}).get("/console/login")
    assert page.status_code == 200 and f'<html lang="{language}">' in page.text
    assert all(w in page.text for w in words)
    assert "Đăng nhập" in console(**{"Accept-Language": "de-DE,ja;q=0.8"}).get("/console/login").text


@pytest.mark.parametrize("language, words", [("vi", "Đổi mật khẩu"), ("en", "Change your password"),
                                             ("fr", "Changer votre mot de passe")])
def test_a_signed_in_persons_pages_are_in_their_accounts_language(hub, console, language, words):
    make_person(hub, language=language)
    browser = console(**{"Accept-Language": "vi"})
    browser.login("bs.lan", PASSWORD)
    page = browser.get("/console/password")
    assert words in page.text and f'<html lang="{language}">' in page.text


def test_the_language_switch_changes_the_account_language(hub, console):
    person = make_person(hub)
    browser = console()
    browser.login("bs.lan", PASSWORD)
    browser.get("/console/password")
    assert browser.post("/console/language", {"language": "fr", "next": "/console/password"}).status_code == 303
    assert "Changer votre mot de passe" in browser.get("/console/password").text
    with hub.engine.begin() as conn:
        assert accounts.by_id(conn, person.id).language == "fr"


def test_before_signing_in_the_language_switch_is_remembered_by_the_browser(hub, console):
    browser = console()
    browser.get("/console/login")
    assert browser.post("/console/language", {"language": "en", "next": "/console/login"}).status_code == 303
    assert "Sign in to the consultation console" in browser.get("/console/login").text


def test_signing_in_again_replaces_the_session_token(hub, console):
    person = make_person(hub)
    browser = console()
    browser.login("bs.lan", PASSWORD)
    first = browser.http.cookies.get(sessions.COOKIE)
    browser.login("bs.lan", PASSWORD)
    assert browser.http.cookies.get(sessions.COOKIE) != first
    assert len(session_rows(hub, person.id)) == 1


def test_a_failed_sign_in_names_the_account_tried_in_the_audit_but_not_on_the_page(hub, console):
    person = make_person(hub)
    console().login("bs.lan", "wrong-password")
    console().login("nobody.here", "wrong-password")
    with hub.engine.begin() as conn:
        failed = [(e["resource_type"], e["resource_id"]) for e in events(conn) if e["action"] == "login"]
    assert failed == [("console", ""), ("person", person.id)]  # newest first


def test_an_htmx_request_without_a_session_opens_the_login_page_instead_of_a_fragment(hub, console):
    reply = console().get("/console/password", headers={"HX-Request": "true",
                                                        "HX-Current-URL": f"{hub.url}/console/password"})
    assert reply.status_code == 204 and reply.headers["HX-Redirect"] == "/console/login?next=/console/password"
