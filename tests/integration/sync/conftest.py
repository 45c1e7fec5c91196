"""A station enrolled with a real hub (SQLite), and an expert on that hub."""

import pytest

from app.sync.hub_client import HubClient, enroll
from tests.support.hub import RunningHub

FACILITY = "01234"


@pytest.fixture
def hub(tmp_path):
    running = RunningHub(tmp_path / "hub").start()
    yield running
    running.stop()


@pytest.fixture
def enrolled_station(station, hub):
    _, code = hub.register("station", facility=FACILITY, name="TTYT Mèo Vạc")
    station.sync.enroll(hub.url, code)
    return station


@pytest.fixture
def expert(hub):
    _, code = hub.register("expert", hospital="bachmai", specialty="cardiology", name="Bs. Trần Văn Tim")
    client = HubClient(enroll(hub.url, code))
    yield client
    client.close()


@pytest.fixture
def station_reader(enrolled_station):
    """A second client with the station's own credential, to look at what reached the hub."""
    client = HubClient(enrolled_station.sync.credential())
    yield client
    client.close()
