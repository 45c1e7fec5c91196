"""`diemcau-hub serve` with a video server: --local-sfu (a Janus of its own, stopped with the hub) and
--janus-url with its secrets from the environment, TURN credentials as coturn's use-auth-secret checks them."""

import asyncio
import base64
import hashlib
import hmac
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.sync.hub_client import HubClient, enroll
from server import auth
from server.config import HubConfig
from server.db import make_engine, migrate
from server.local_pacs import free_port
from server.live.janus_process import JanusSettings
from tests.support.janus import start_janus

from .conftest import CASE, Api, Participant, case_of, wait_for

ROOT = Path(__file__).resolve().parents[4]


def _station_code(folder: Path, facility: str = "0100A") -> str:
    engine = make_engine(HubConfig.in_folder(folder).database_url)
    migrate(engine)
    with engine.begin() as conn:
        _, code = auth.register_client(conn, "station", "TTYT huyện Mèo Vạc", facility=facility)
    engine.dispose()
    return code


def _serve(folder: Path, *args: str, env: dict | None = None, database: str = "",
           port: int = 0) -> tuple[subprocess.Popen, str]:
    """`diemcau-hub serve *args` on `port` (a free one by default) until it answers; (process, its URL)."""
    port = port or free_port()
    hub = subprocess.Popen([sys.executable, "-m", "server", "--data", str(folder),
                            *(["--database", database] if database else []), "serve", "--port", str(port), *args],
                           cwd=ROOT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"

    def up():
        assert hub.poll() is None, "the hub stopped"
        try:
            return httpx.get(f"{url}/metadata", timeout=2).status_code == 200
        except httpx.TransportError:
            return False
    wait_for(up, 60, "the hub to answer")
    return hub, url


def _janus_answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/info", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_serve_local_sfu_runs_a_janus_that_reports_attendance_and_stops_with_the_hub(tmp_path):
    folder = tmp_path / "hub"
    code = _station_code(folder)
    hub, url = _serve(folder, "--local-sfu")
    try:
        station = HubClient(enroll(url, code))
        try:
            case_of(station)
            api = Api(type("At", (), {"url": url})(), station)
            live = api("POST", "/live", json={"request": CASE}).json()
            details = api("POST", f"/live/{live['id']}/join").json()
            janus_url = details["janus"]["url"]
            assert janus_url.startswith("http://127.0.0.1:") and _janus_answers(janus_url)
            assert (folder / "sfu" / "conf" / "janus.jcfg").exists()

            async def scenario():
                someone = Participant(details)
                try:
                    await someone.join()
                    # Janus's event handler posts to the hub's own /live/janus-events.
                    await asyncio.to_thread(wait_for, lambda: api("GET", f"/live/{live['id']}").json()["present"],
                                            what="the participant present, from Janus's events")
                finally:
                    await someone.close()
            asyncio.run(scenario())
        finally:
            station.close()
    finally:
        hub.terminate()
        hub.wait(20)
    assert hub.returncode == 0
    assert not _janus_answers(janus_url)  # stopped with the hub


def test_serve_with_an_external_janus_and_turn_across_workers(tmp_path):
    password = "events-password"
    janus = start_janus(tmp_path / "janus", JanusSettings(url=f"http://127.0.0.1:{free_port()}/janus",
                                                          admin_key="admin-key-for-test",
                                                          token_secret="token-secret-for-test",
                                                          events_password=password))
    folder = tmp_path / "hub"
    code = _station_code(folder)
    env = {"DIEMCAU_HUB_JANUS_ADMIN_KEY": "admin-key-for-test", "DIEMCAU_HUB_JANUS_TOKEN_SECRET":
           "token-secret-for-test", "DIEMCAU_HUB_JANUS_EVENTS_PASSWORD": password,
           "DIEMCAU_HUB_TURN_SECRET": "coturn-static-auth-secret"}
    hub, url = _serve(folder, "--workers", "2", "--janus-url", janus.url, "--janus-public-url",
                      "https://sfu.diemcau.vn/janus", "--turn-url", "turns:turn.diemcau.vn:5349,turn:turn.diemcau.vn:3478",
                      env=env)
    try:
        station = HubClient(enroll(url, code))
        try:
            case_of(station)
            api = Api(type("At", (), {"url": url})(), station)
            for _ in range(4):  # whichever worker answers knows the Janus and TURN
                live = api("POST", "/live", json={"request": CASE}).json()
                details = api("POST", f"/live/{live['id']}/join").json()
                assert details["janus"]["url"] == "https://sfu.diemcau.vn/janus"
                [turn] = details["janus"]["ice_servers"]
                assert turn["urls"] == ["turns:turn.diemcau.vn:5349", "turn:turn.diemcau.vn:3478"]
                expiry, _, who = turn["username"].partition(":")
                assert who == station.credential.client_id and int(expiry) > time.time() + 3600
                assert turn["credential"] == base64.b64encode(hmac.new(
                    b"coturn-static-auth-secret", turn["username"].encode(), hashlib.sha1).digest()).decode()
            # The room was made on that Janus, with the hub's admin key.
            from server.live.janus_admin import JanusAdmin

            assert JanusAdmin(janus.settings).participants(details["janus"]["room"]) == []
            events = httpx.post(f"{url}/live/janus-events", json=[], auth=("janus", password), timeout=10)
            assert events.status_code == 200
        finally:
            station.close()
    finally:
        hub.terminate()
        hub.wait(20)
        janus.stop()


def test_a_janus_url_without_its_secrets_is_refused_with_the_reason(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIEMCAU_HUB_JANUS")}
    done = subprocess.run([sys.executable, "-m", "server", "--data", str(tmp_path / "hub"), "serve", "--janus-url",
                           "http://127.0.0.1:8088/janus"], capture_output=True, text=True, timeout=60, env=env,
                          cwd=ROOT)
    assert done.returncode != 0 and "DIEMCAU_HUB_JANUS_ADMIN_KEY" in done.stderr


def test_the_local_sfu_ends_even_when_its_hub_is_killed(tmp_path):
    import re

    folder = tmp_path / "hub"
    hub, _ = _serve(folder, "--local-sfu")
    try:
        port = re.search(r"port = (\d+)", (folder / "sfu" / "conf" / "janus.transport.http.jcfg").read_text())[1]
        janus_url = f"http://127.0.0.1:{port}/janus"
        assert _janus_answers(janus_url)
        hub.kill()  # SIGKILL: the hub cannot stop its Janus itself
        hub.wait()
    finally:
        if hub.poll() is None:
            hub.kill()
    wait_for(lambda: not _janus_answers(janus_url), 10, "the local Janus to end with its hub")
