"""The embedded default: a local hub on SQLite, the station enrolled with it on first start."""

import subprocess
import sys
import time

from app.domain.lifecycle import Status
from tests.support.cases import submitted_case


def test_station_enrolls_with_its_local_hub_and_syncs(station, tmp_path):
    hub = station.sync.start_local_hub()
    try:
        credential = station.sync.credential()
        assert credential.embedded and credential.facility == "00000" and credential.hub_url == hub.url
        case = submitted_case(station, tmp_path, slices=1)
        assert station.sync.run_once().synced_cases == [case.id]
    finally:
        hub.stop()
    # Next start: the same hub data and key, another port.
    again = station.sync.start_local_hub()
    try:
        assert station.sync.credential().client_id == credential.client_id
        assert station.sync.run_once().online
        assert station.cases.get_case(case.id).status == Status.SYNCED
    finally:
        again.stop()


def test_local_hub_stops_when_its_station_dies(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    hub = subprocess.Popen([sys.executable, "-m", "server", "--data", str(tmp_path / "hub"), "serve", "--port", "0",
                            "--exit-with", str(parent.pid)])
    try:
        time.sleep(1.5)
        assert hub.poll() is None
        parent.kill()
        parent.wait()
        hub.wait(timeout=15)
    finally:
        if hub.poll() is None:
            hub.kill()
