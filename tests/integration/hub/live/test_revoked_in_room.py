"""A station revoked, or a console account disabled, while it sits in a live room is taken out of the room by the
running hub (server/live/sweep.py): revocation used to stop only its next request and its next join, while a
stolen station already in the room went on seeing and hearing the case until the session ended. The CLI runs in
a process of its own that knows nothing of Janus: the hub notices by itself. On SQLite and on PostgreSQL, with
a real Janus; the others in the room stay."""

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pyotp

from server.console import accounts
from server.live import service
from server.live.janus_admin import JanusAdmin

from ..console_client import Console
from .conftest import CASE, Api, Participant, case_of, wait_for

ROOT = Path(__file__).resolve().parents[4]
PASSWORD = "mật-khẩu-đủ-dài-2026"


def _in_room(hub, room: str) -> set[str]:
    return {str(p["id"]) for p in JanusAdmin(hub.config.janus).participants(room)}


def _present(hub, live_id: str) -> list[str]:
    with hub.engine.begin() as conn:
        return sorted(p["participant"] for p in service.session_json(conn, live_id)["present"])


def _closed_for(hub, live_id: str, participant: str) -> bool:
    with hub.engine.begin() as conn:
        rows = [r for r in service.attendance_rows(conn, live_id) if r["participant"] == participant]
    return bool(rows) and all(r["left_at"] for r in rows)


def _sit_in_then(hub, live_id: str, kept: dict, gone: dict, take_out, at_once: bool = False) -> None:
    """Participants on tickets `kept` and `gone` in the room, then `take_out()`: `gone`'s participant leaves the
    Janus room and its attendance is closed (`at_once`: by the time `take_out` returns), `kept`'s stays."""
    room = kept["janus"]["room"]

    async def scenario():
        staying, going = Participant(kept), Participant(gone)
        try:
            await staying.join()
            await going.join()
            both = sorted([staying.participant, going.participant])
            await asyncio.to_thread(wait_for, lambda: _present(hub, live_id) == both, 30, "both present")
            assert _in_room(hub, room) == set(both)
            await asyncio.to_thread(take_out)

            def out() -> bool:
                return (_in_room(hub, room) == {staying.participant}
                        and _closed_for(hub, live_id, going.participant))
            if at_once:
                assert out()  # the worker that answered took it out first, not some later sweep
            else:
                await asyncio.to_thread(wait_for, out, 60, "taken out of the Janus room, its attendance closed")
            assert _present(hub, live_id) == [staying.participant]
        finally:
            await staying.close()
            await going.close()
    asyncio.run(scenario())


def test_a_station_revoked_on_the_command_line_is_taken_out_of_the_room(hub_with_sfu, enrolled, tmp_path):
    hub = hub_with_sfu
    host = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    stolen = enrolled(hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(host)
    hosting, thieving = Api(hub, host), Api(hub, stolen)
    session = hosting("POST", "/live", json={"request": CASE, "invite": {"facilities": ["0200B"]}}).json()
    own = hosting("POST", f"/live/{session['id']}/join").json()
    ticket = thieving("POST", f"/live/{session['id']}/join").json()

    def revoke():  # as an administrator would, in a process of its own against the hub's database
        revoked = subprocess.run([sys.executable, "-m", "server", "--data", str(tmp_path / "hub"), "--database",
                                  hub.config.database_url, "revoke", stolen.credential.client_id], cwd=ROOT,
                                 capture_output=True, text=True, timeout=120)
        assert revoked.returncode == 0, revoked.stderr
    _sit_in_then(hub, session["id"], own, ticket, revoke)


def test_an_expert_disabled_on_the_admin_page_is_out_of_the_room_when_the_page_answers(hub_with_sfu, enrolled):
    hub = hub_with_sfu
    station = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(station)
    expert, _ = accounts.ensure_person(hub.engine, "bs.an", name="An", hospital="choray", specialty="oncology",
                                       title="BS", password=PASSWORD)
    administrator, _ = accounts.ensure_person(hub.engine, "quan.tri", name="Quản trị viên", role="admin",
                                              hospital="bachmai", password=PASSWORD)
    secret = accounts.new_totp_secret()
    with hub.engine.begin() as conn:  # a step ago: the code of now is still free for signing in
        assert accounts.enable_totp(conn, administrator.id, secret, pyotp.TOTP(secret).at(time.time() - 30))
    hosting = Api(hub, station)
    session = hosting("POST", "/live", json={"request": CASE, "invite": {"people": [expert.id]}}).json()
    own = hosting("POST", f"/live/{session['id']}/join").json()
    with hub.engine.begin() as conn:
        theirs = service.join_details(conn, expert.principal, hub.config, session["id"])
    admin = Console(hub)
    try:
        assert admin.login("quan.tri", PASSWORD, pyotp.TOTP(secret).now()).status_code == 303
        admin.get("/console/admin")

        def disable():
            assert admin.post(f"/console/admin/people/{expert.id}/disable").status_code == 303
        _sit_in_then(hub, session["id"], own, theirs, disable, at_once=True)
    finally:
        admin.close()


def test_workers_sweeping_at_once_take_a_revoked_station_out_and_close_its_attendance_once(hub_with_sfu, enrolled):
    """`serve --workers N` sweeps in every worker: four sweeps at once (beside the hub's own) all end, one of
    them at most closes the attendance (PostgreSQL: none waits on another forever)."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from server.live import sweep

    hub = hub_with_sfu
    host = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    stolen = enrolled(hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(host)
    hosting = Api(hub, host)
    session = hosting("POST", "/live", json={"request": CASE, "invite": {"facilities": ["0200B"]}}).json()
    own = hosting("POST", f"/live/{session['id']}/join").json()
    ticket = Api(hub, stolen)("POST", f"/live/{session['id']}/join").json()
    closed = []

    def revoke_and_sweep_at_once():
        hub.revoke(stolen.credential.client_id)
        start = Barrier(4)

        def one():
            start.wait()
            return sweep.sweep(hub)
        with ThreadPoolExecutor(4) as pool:
            closed.extend(f.result(timeout=120) for f in [pool.submit(one) for _ in range(4)])
    _sit_in_then(hub, session["id"], own, ticket, revoke_and_sweep_at_once, at_once=True)
    assert sum(closed) <= 1
