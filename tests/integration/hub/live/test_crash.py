"""The hub killed (kill -9) while it starts a live session: after Janus made the room, before the session is
committed. The hub runs as a process of its own, its Janus behind a relay that kills the hub the moment Janus
answers the room's creation (so the room exists on Janus and the database never heard of it). Restarted, the
hub starts and joins the case's session as usual, and Janus holds one room for it, not an orphan beside it.
On SQLite and on PostgreSQL."""

import asyncio
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from app.sync.hub_client import HubClient, enroll
from server import auth
from server.config import HubConfig
from server.db import make_engine, migrate
from server.live.janus_admin import JanusAdmin
from server.live.janus_process import JanusSettings, free_port
from server.live.tables import live_sessions
from tests.support.janus import start_janus
from tests.support.killing_relay import KillingRelay, plugin_request

from .conftest import CASE, Api, Participant, case_of, wait_for
from .test_serve_live import _serve as serve

ADMIN_KEY, TOKEN_SECRET, PASSWORD = "admin-key-for-test", "token-secret-for-test", "events-password"


def _serve(folder: Path, database: str, port: int, janus_url: str) -> subprocess.Popen:
    env = {"DIEMCAU_HUB_JANUS_ADMIN_KEY": ADMIN_KEY, "DIEMCAU_HUB_JANUS_TOKEN_SECRET": TOKEN_SECRET,
           "DIEMCAU_HUB_JANUS_EVENTS_PASSWORD": PASSWORD}
    return serve(folder, "--janus-url", janus_url, env=env, database=database, port=port)[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("postgres").new_database()
    return HubConfig.in_folder(tmp_path / "hub").database_url


def test_a_hub_killed_between_making_the_room_and_committing_the_session(tmp_path, database):
    port = free_port()
    settings = JanusSettings(url=f"http://127.0.0.1:{free_port()}/janus", admin_key=ADMIN_KEY,
                             token_secret=TOKEN_SECRET, events_password=PASSWORD)
    janus = start_janus(tmp_path / "janus", settings, events_url=f"http://127.0.0.1:{port}/live/janus-events")
    relay = KillingRelay(janus.url, kills_on=lambda body: plugin_request(body) == "create")
    admin = JanusAdmin(settings)
    folder, engine = tmp_path / "hub", make_engine(database)
    migrate(engine)
    with engine.begin() as conn:
        _, code = auth.register_client(conn, "station", "TTYT huyện Mèo Vạc", facility="0100A")
    hub = station = None

    def rooms():
        return sorted(r["room"] for r in admin.request({"request": "list", "admin_key": ADMIN_KEY})["list"])

    def sessions():
        with engine.begin() as conn:
            return conn.execute(select(live_sessions.c.id, live_sessions.c.room)).all()
    try:
        hub = _serve(folder, database, port, relay.url)
        station = HubClient(enroll(f"http://127.0.0.1:{port}", code))
        case_of(station)
        api = Api(type("At", (), {"url": f"http://127.0.0.1:{port}"})(), station)
        relay.armed = hub
        with pytest.raises(httpx.TransportError):
            api("POST", "/live", json={"request": CASE})
        assert relay.killed.wait(30) and hub.wait(30) == -signal.SIGKILL
        [orphan] = rooms()  # Janus made the room ...
        assert sessions() == []  # ... and the hub never committed its session

        hub = _serve(folder, database, port, relay.url)
        started = api("POST", "/live", json={"request": CASE})
        assert started.status_code == 201, started.text
        [(live_id, room)] = sessions()
        assert rooms() == [room] == [orphan]  # the same room, made afresh: no orphan beside it
        joined = api("POST", f"/live/{live_id}/join")
        assert joined.status_code == 200, joined.text

        async def scenario():
            someone = Participant(joined.json())
            try:
                assert (await someone.join())["videoroom"] == "joined"
                assert [str(p["id"]) for p in admin.participants(room)] == [someone.participant]
                await asyncio.to_thread(wait_for, lambda: api("GET", f"/live/{live_id}").json()["present"], 20,
                                        "the participant present, from Janus's events")
            finally:
                await someone.close()
        asyncio.run(scenario())
        # Ended, the next session on the case has a room of its own.
        assert api("POST", f"/live/{live_id}/end").status_code == 200
        again = api("POST", "/live", json={"request": CASE})
        assert again.status_code == 201 and again.json()["id"] != live_id
        assert len(rooms()) == 1 and rooms() != [room]
    finally:
        if station is not None:
            station.close()
        if hub is not None and hub.poll() is None:
            hub.terminate()
            hub.wait(20)
        relay.close()
        janus.stop()
        engine.dispose()
