"""`diemcau-hub serve --workers N`: several processes on one port, sharing one database and secret."""

import subprocess
import sys
import time

import httpx

from app.sync.hub_client import HubClient, enroll
from server.local_pacs import free_port


def test_several_workers_serve_one_hub(tmp_path):
    from server import auth
    from server.config import HubConfig
    from server.db import make_engine, migrate

    folder, port = tmp_path / "hub", free_port()
    config = HubConfig.in_folder(folder)
    engine = make_engine(config.database_url)
    migrate(engine)
    with engine.begin() as conn:
        _, code = auth.register_client(conn, "station", "test", facility="01234")
    engine.dispose()
    hub = subprocess.Popen([sys.executable, "-m", "server", "--data", str(folder), "serve", "--port", str(port),
                            "--workers", "2"])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/metadata", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline and hub.poll() is None, "the hub did not start"
                time.sleep(0.2)
        client = HubClient(enroll(url, code))
        try:
            # A new connection per request, so both workers take some: the token one worker signed
            # is good at the other (shared secret), and they write to the one database.
            headers = {"Authorization": f"Bearer {client.token()}", "Content-Type": "application/fhir+json"}
            for n in range(20):
                patient = {"resourceType": "Patient", "id": f"p-{n}", "name": [{"text": "Lê Thị Hoa"}]}
                assert httpx.put(f"{url}/Patient/p-{n}", json=patient, headers=headers, timeout=10).status_code == 201
            assert len(list(client.search("Patient", {}))) == 20
        finally:
            client.close()
    finally:
        hub.terminate()
        hub.wait(15)


def test_workers_with_one_machine_options_are_refused_with_a_reason(tmp_path):
    done = subprocess.run([sys.executable, "-m", "server", "--data", str(tmp_path / "hub"), "serve", "--workers", "2",
                           "--local-pacs"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--workers cannot be combined with --local-pacs" in done.stderr
