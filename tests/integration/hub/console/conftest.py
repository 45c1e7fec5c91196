"""Fixtures of the console's view tests: the hub (SQLite and PostgreSQL), a station, people signed in."""

import pytest

from .support import PASSWORD, Browser


@pytest.fixture
def station_client(hub, enrolled):
    """The district station 0100A (its enrolled HubClient)."""
    return enrolled(hub, "station", facility="0100A", name="TTYT huyện Ba Vì")


@pytest.fixture
def person(hub):
    """person(login, role="expert", hospital="bachmai", specialty="cardiology", ...) -> its login."""
    from server.console import accounts

    def make(login, role="expert", hospital="bachmai", specialty="cardiology", name=None, title="BSCKII",
             foreign=False, language="vi"):
        accounts.ensure_person(hub.engine, login, password=PASSWORD, name=name or f"Bác sĩ {login}", title=title,
                               role=role, hospital=hospital, specialty=specialty, foreign=foreign,
                               language=language)
        return login
    return make


@pytest.fixture
def browser(hub, person):
    """browser(login, **person fields) -> a Browser signed in as that (new) person."""
    opened = []

    def make(login, **fields):
        person(login, **fields)
        opened.append(Browser(hub).login(login))
        return opened[-1]
    yield make
    for b in opened:
        b.close()
