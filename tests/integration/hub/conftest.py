"""The hub on SQLite and on a real PostgreSQL, with enrolled stations and experts."""

import httpx
import pytest

from app.sync.hub_client import HubClient, enroll
from tests.support.hub import RunningHub
from tests.support.postgres import PostgresServer


@pytest.fixture(scope="session")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request, tmp_path):
    url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else None
    running = RunningHub(tmp_path / "hub", url).start()
    yield running
    running.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_with_sfu(request, tmp_path):
    """A hub with a Janus of its own, on SQLite and on PostgreSQL."""
    url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else None
    running = RunningHub(tmp_path / "hub", url, local_sfu=True).start()
    yield running
    running.stop()


@pytest.fixture
def enrolled():
    """enrolled(hub, kind, **fields) -> a HubClient, closed after the test."""
    made = []

    def make(hub, kind="station", **fields) -> HubClient:
        _, code = hub.register(kind, **fields)
        made.append(HubClient(enroll(hub.url, code)))
        return made[-1]
    yield make
    for client in made:
        client.close()


class Raw:
    """Plain HTTP with a client's token, for asking what a well-behaved client never would."""

    def __init__(self, hub, client: HubClient | None = None):
        self.base = hub.url
        self.headers = {"Authorization": f"Bearer {client.token()}"} if client else {}

    def __call__(self, method, path, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kwargs)


@pytest.fixture
def console(hub):
    """console(**headers) -> a browser-like console client of `hub` (cookies, CSRF), closed after the test."""
    from .console_client import Console

    opened = []

    def make(**headers) -> Console:
        opened.append(Console(hub, **headers))
        return opened[-1]
    yield make
    for c in opened:
        c.close()
