"""A station enrolled with a real hub (SQLite), directly or through a fault-injecting proxy, and an expert."""

import pytest

from app.sync.hub_client import Credential, HubClient, enroll
from tests.support.faulty_proxy import FaultyProxy

FACILITY = "01234"


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


@pytest.fixture
def proxy(hub):
    running = FaultyProxy(hub.port)
    yield running
    running.close()


@pytest.fixture
def station_via_proxy(station, hub, proxy):
    _, code = hub.register("station", facility=FACILITY)
    station.sync.enroll(proxy.url, code)
    return station


def reader_of(station, hub) -> HubClient:
    """A client with the station's credential that goes to the hub directly, past any proxy."""
    own = station.sync.credential()
    return HubClient(Credential(hub.url, own.client_id, own.facility, own.private_key_pem, f"{hub.url}/auth/token"))


@pytest.fixture
def direct_reader(station_via_proxy, hub):
    client = reader_of(station_via_proxy, hub)
    yield client
    client.close()
