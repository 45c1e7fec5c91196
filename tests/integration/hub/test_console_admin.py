"""The administrators' page and `diemcau-hub user ...`: people created, validated, disabled, their passwords reset."""

import re
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest

from server.audit import events
from server.console import accounts


PASSWORD = "mật-khẩu-đủ-dài-2026"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def admin(hub, console):
    """A signed-in administrator, second factor on."""
    person, _ = accounts.ensure_person(hub.engine, "quan.tri", name="Quản trị viên", role="admin",
                                       hospital="bachmai", password=PASSWORD)
    # a step ago: the code of now is still free for signing in (each code is accepted once)
    secret = accounts.new_totp_secret()
    with hub.engine.begin() as conn:
        assert accounts.enable_totp(conn, person.id, secret, pyotp.TOTP(secret).at(time.time() - 30))
    browser = console()
    assert browser.login("quan.tri", PASSWORD, pyotp.TOTP(secret).now()).status_code == 303
    browser.get("/console/admin")
    return browser


NEW = {"login": "bs.hong", "name": "Nguyễn Thị Hồng", "title": "BSCKII", "role": "expert", "hospital": "bachmai",
       "specialty": "cardiology", "language": "fr"}


def test_an_administrator_creates_an_expert_who_can_then_sign_in(hub, admin, console):
    made = admin.post("/console/admin/people", {**NEW, "foreign": "1"})
    assert made.status_code == 201
    password = re.search(r'<code class="secret">([^<]+)</code>', made.text).group(1)
    assert "bs.hong" in made.text and "Nguyễn Thị Hồng" in made.text
    with hub.engine.begin() as conn:
        person = accounts.by_login(conn, "bs.hong")
    assert (person.role, person.hospital, person.specialty, person.title, person.foreign, person.language) == \
        ("expert", "bachmai", "cardiology", "BSCKII", True, "fr")
    assert person.principal.foreign and person.principal.client_id == f"person:{person.id}"
    expert = console()
    assert expert.login("bs.hong", password).status_code == 303
    assert "Changer votre mot de passe" in expert.get("/console/password").text  # her language


def test_invalid_fields_are_refused_with_a_message_on_each_field_in_the_admins_language(hub, admin):
    bad = admin.post("/console/admin/people", {**NEW, "login": "X Y!", "name": "", "role": "expert",
                                               "specialty": "", "language": "de"})
    assert bad.status_code == 400
    assert "Tên đăng nhập gồm 2 đến 64 ký tự" in bad.text
    assert "Nhập họ và tên" in bad.text
    assert "Chuyên gia phải có chuyên khoa" in bad.text
    assert "Chọn tiếng Việt, tiếng Anh hoặc tiếng Pháp" in bad.text
    taken = admin.post("/console/admin/people", {**NEW, "login": "quan.tri"})
    assert taken.status_code == 400 and "Tên đăng nhập này đã có người dùng" in taken.text
    with hub.engine.begin() as conn:
        assert [p.login for p in accounts.everyone(conn)] == ["quan.tri"]


def test_a_name_with_markup_is_shown_as_text(hub, admin, console):
    made = admin.post("/console/admin/people", {**NEW, "name": "<script>alert(1)</script>", "language": "vi"})
    assert made.status_code == 201
    page = admin.get("/console/admin")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    password = re.search(r'<code class="secret">([^<]+)</code>', made.text).group(1)
    himself = console()
    himself.login("bs.hong", password)
    own = himself.get("/console/password")
    assert "<script>alert(1)" not in own.text and "&lt;script&gt;alert(1)" in own.text


def test_disabling_ends_the_persons_sessions_and_sign_ins(hub, admin, console):
    person, _ = accounts.ensure_person(hub.engine, "bs.lan", name="Bác sĩ Lan", hospital="bachmai",
                                       specialty="cardiology", password=PASSWORD)
    lan = console()
    lan.login("bs.lan", PASSWORD)
    assert admin.post(f"/console/admin/people/{person.id}/disable").status_code == 303
    assert lan.get("/console/password").status_code == 303
    refused = console().login("bs.lan", PASSWORD)
    assert refused.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in refused.text
    with hub.engine.begin() as conn:
        assert accounts.by_id(conn, person.id).disabled  # kept: the audit and minutes name them


def test_a_reset_password_replaces_the_old_one_and_ends_sessions(hub, admin, console):
    person, _ = accounts.ensure_person(hub.engine, "bs.lan", name="Bác sĩ Lan", hospital="bachmai",
                                       specialty="cardiology", password=PASSWORD)
    lan = console()
    lan.login("bs.lan", PASSWORD)
    reset = admin.post(f"/console/admin/people/{person.id}/reset-password")
    new = re.search(r'<code class="secret">([^<]+)</code>', reset.text).group(1)
    assert lan.get("/console/password").status_code == 303
    assert console().login("bs.lan", PASSWORD).status_code == 401
    assert console().login("bs.lan", new).status_code == 303


def test_the_admin_page_is_refused_to_other_roles_and_to_the_anonymous(hub, console):
    for role in ("expert", "coordinator"):
        accounts.ensure_person(hub.engine, f"bs.{role}", name="Bác sĩ", role=role, hospital="bachmai",
                               specialty="cardiology", password=PASSWORD)
        browser = console()
        browser.login(f"bs.{role}", PASSWORD)
        page = browser.get("/console/admin")
        assert page.status_code == 403 and "không được phép vào trang này" in page.text
        assert browser.post("/console/admin/people", NEW).status_code == 403
    anonymous = console().get("/console/admin")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/console/login?next=/console/admin"
    with hub.engine.begin() as conn:
        assert accounts.by_login(conn, "bs.hong") is None


def test_admin_actions_are_audited_as_the_administrator(hub, admin):
    admin.post("/console/admin/people", NEW)
    with hub.engine.begin() as conn:
        person = accounts.by_login(conn, "quan.tri")
        trail = [(e["action"], e["outcome"], e["detail"]) for e in events(conn, f"person:{person.id}")]
    assert ("action", 201, "POST /console/admin/people") in trail
    assert ("page", 200, "GET /console/admin") in trail


def _cli(tmp_path, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "server", "--data", str(tmp_path), "user", *args], cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_the_command_line_adds_disables_and_resets_accounts(tmp_path):
    from server.db import make_engine

    made = _cli(tmp_path, "add", "--login", "bs.lan", "--name", "Nguyễn Thị Lan", "--role", "expert", "--hospital",
                "bachmai", "--specialty", "cardiology", "--title", "PGS.TS", "--language", "en")
    assert made.returncode == 0, made.stderr
    first = made.stdout.strip().rsplit(" ", 1)[1]
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    assert accounts.verify_password(engine, "bs.lan", first)
    refused = _cli(tmp_path, "add", "--login", "bs.lan", "--name", "Again", "--role", "expert", "--hospital",
                   "bachmai", "--specialty", "cardiology")
    assert refused.returncode == 2 and "--login" in refused.stderr
    given = _cli(tmp_path, "reset-password", "--login", "bs.lan", "--password-stdin", stdin="một-mật-khẩu-mới-2027\n")
    assert given.returncode == 0 and "một-mật-khẩu" not in given.stdout
    assert accounts.verify_password(engine, "bs.lan", "một-mật-khẩu-mới-2027")
    person = accounts.ensure_person(engine, "bs.lan", name="-")[0]
    secret = accounts.new_totp_secret()
    with engine.begin() as conn:
        accounts.enable_totp(conn, person.id, secret, pyotp.TOTP(secret).at(time.time() - 30))
    assert _cli(tmp_path, "reset-totp", "--login", "bs.lan").returncode == 0
    with engine.begin() as conn:
        assert not accounts.by_login(conn, "bs.lan").has_totp
    assert _cli(tmp_path, "disable", "--login", "bs.lan").returncode == 0
    assert not accounts.verify_password(engine, "bs.lan", "một-mật-khẩu-mới-2027")
    assert "disabled" in _cli(tmp_path, "list").stdout
    engine.dispose()


def test_ensure_person_makes_the_account_once_and_gives_its_first_password_once(hub):
    person, password = accounts.ensure_person(hub.engine, "bs.demo", name="Bác sĩ Demo", hospital="bachmai",
                                              specialty="cardiology")
    assert password and accounts.verify_password(hub.engine, "bs.demo", password)
    again, none = accounts.ensure_person(hub.engine, "bs.demo", name="Other", hospital="x", specialty="y")
    assert again.id == person.id and none is None and again.name == "Bác sĩ Demo"


def test_resetting_a_lost_second_factor_ends_sessions_and_asks_for_enrolment_again(hub, admin, console):
    person, _ = accounts.ensure_person(hub.engine, "bs.lan", name="Bác sĩ Lan", hospital="bachmai",
                                       specialty="cardiology", password=PASSWORD)
    secret = accounts.new_totp_secret()
    with hub.engine.begin() as conn:
        accounts.enable_totp(conn, person.id, secret, pyotp.TOTP(secret).at(time.time() - 30))
    lan = console()
    assert lan.login("bs.lan", PASSWORD, pyotp.TOTP(secret).now()).status_code == 303
    assert "reset-totp" in admin.get("/console/admin").text
    assert admin.post(f"/console/admin/people/{person.id}/reset-totp").status_code == 303
    assert lan.get("/console/password").status_code == 303  # signed out
    assert console().login("bs.lan", PASSWORD).status_code == 303  # no code asked any more
    with hub.engine.begin() as conn:
        assert not accounts.by_id(conn, person.id).has_totp
