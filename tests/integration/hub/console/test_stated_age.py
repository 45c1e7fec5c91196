"""A patient whose age was typed without a date of birth, through the real hub: the console's case page and
inbox, the live session's case summary and, for an expert abroad, the age band (SQLite and PostgreSQL)."""

from dataclasses import replace

import httpx
import pytest

from app.domain.case import Patient
from server.console import accounts
from server.live import service

from .support import make_case, submit


@pytest.fixture
def hub(hub_with_sfu):
    """The console's fixtures on a hub with its own Janus (joining a live session needs one)."""
    return hub_with_sfu


def _age_only(case):
    p = case.patient
    return replace(case, patient=Patient(id=p.id, full_name="Nguyễn Văn Bình", sex="male", age="58",
                                         cccd="", bhyt=p.bhyt, phone=p.phone, address_line=p.address_line))


def test_an_age_without_a_birth_date_is_shown_as_that_age_and_never_as_a_date(hub, station_client, browser):
    case = submit(station_client, _age_only(make_case()), "0100A")
    expert = browser("tim.bachmai")

    page = expert.get(f"/console/cases/{case.id}").text
    assert "<dt>Tuổi</dt><dd>58 tuổi</dd>" in page
    assert "Ngày sinh" not in page and "<dd>1968</dd>" not in page
    inbox = expert.get("/console/inbox").text
    assert case.id in inbox and "58 tuổi" in inbox

    token = station_client.token()
    headers = {"Authorization": f"Bearer {token}"}
    started = httpx.post(f"{hub.url}/live", json={"request": case.id, "invite": {}}, headers=headers, timeout=30)
    assert started.status_code == 201, started.text
    joined = httpx.post(f"{hub.url}/live/{started.json()['id']}/join", headers=headers, timeout=30)
    assert joined.status_code == 200, joined.text
    assert joined.json()["case"] == {"code": "0100A-1", "initials": "N.V.B.", "age": "58", "sex": "male"}


def test_an_expert_abroad_gets_the_age_band_of_a_stated_age(hub, station_client, browser):
    case = submit(station_client, _age_only(make_case(hospital="k", specialty="oncology", abroad=True)), "0100A")
    paris = browser("onco.paris", hospital="k", specialty="oncology", foreign=True)
    page = paris.get(f"/console/cases/{case.id}").text
    assert "<dt>Tuổi</dt><dd>50-59 tuổi</dd>" in page and "Bình" not in page
    assert "50-59 tuổi" in paris.get("/console/inbox").text

    with hub.engine.begin() as conn:
        expert = accounts.by_login(conn, "onco.paris")
        session, _ = service.start(conn, expert.principal, hub.config, case.id)
        details = service.join_details(conn, expert.principal, hub.config, session["id"])
    assert details["case"]["age"] == "50-59" and details["case"]["initials"] == ""
