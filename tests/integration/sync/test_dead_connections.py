"""Kept-alive connections that died unseen (the link dropped and came back, the hub closed one after a 500):
the pass goes on over new connections instead of reporting the hub unreachable."""

from datetime import timedelta

import pytest

from server.store import ResourceStore
from tests.support.cases import submitted_case
from tests.support.faulty_proxy import ForgetfulProxy
from tests.support.hub import RunningHub

from .conftest import FACILITY


@pytest.fixture
def forgetful(hub):
    running = ForgetfulProxy(hub.port)
    yield running
    running.close()


@pytest.fixture
def station_via_forgetful(station, hub, forgetful):
    _, code = hub.register("station", facility=FACILITY)
    station.sync.enroll(forgetful.url, code)
    return station


@pytest.fixture
def hub(tmp_path, request):
    """The hub; parametrized, with tokens of that lifetime (30 s: the station renews its token before each request)."""
    lifetime = getattr(request, "param", None)
    running = RunningHub(tmp_path / "hub", **({"token_lifetime": lifetime} if lifetime else {})).start()
    yield running
    running.stop()


def test_a_pass_right_after_the_link_came_back_is_online(station_via_forgetful, forgetful, tmp_path):
    station = station_via_forgetful
    case = submitted_case(station, tmp_path, slices=0)
    assert station.sync.run_once().synced_cases == [case.id]
    forgetful.forget()  # the link drops and comes back between two passes; the station heard nothing of it
    report = station.sync.run_once(force=True)  # the doctor presses "sync now"
    assert report.online and not report.error, report
    assert forgetful.resets == 1  # the dead connection was tried (and found dead) once, not more


@pytest.mark.parametrize("hub", [timedelta(seconds=30)], indirect=True)
def test_a_token_asked_for_on_a_dead_connection_is_asked_for_again(station_via_forgetful, forgetful):
    """A POST, tried again all the same (with a new client assertion: the hub takes each one once)."""
    station = station_via_forgetful
    assert station.sync.run_once().online
    forgetful.forget()
    report = station.sync.run_once(force=True)  # its first request is the token's
    assert report.online and not report.error, report
    assert forgetful.resets == 1


def test_a_500_does_not_make_the_next_case_wait_for_the_link(station_via_forgetful, forgetful, tmp_path, monkeypatch):
    """The hub closes the connection after a request its code failed on; the next request goes on a new one."""
    station = station_via_forgetful
    bad = submitted_case(station, tmp_path, name="Ca Lỗi", slices=0)
    good = submitted_case(station, tmp_path, name="Ca Tốt", slices=0)
    put_many = ResourceStore.put_many

    def failing_on_bad(store, conn, who, entries, *args, **kwargs):
        if any(resource["id"] == bad.id for resource, _ in entries):
            forgetful.forget()  # the hub's close after this 500 is late: the station does not see it in time
            raise RuntimeError("a bug in the hub")
        return put_many(store, conn, who, entries, *args, **kwargs)

    monkeypatch.setattr(ResourceStore, "put_many", failing_on_bad)
    report = station.sync.run_once()
    assert report.online and report.synced_cases == [good.id], report
    assert "500" in station.sync.status().unsent_by_case[bad.id][1]
