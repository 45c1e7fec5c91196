"""Push: an expert's question reaches a running station within seconds, with no polling at all.

The station here has no timer: its only passes are the ones the listener asks for. The hub is
the embedded one (SQLite), and two worker processes on PostgreSQL with the station on one and the
expert on the other.
"""

import time
import uuid

import pytest

from app.sync.hub_client import HubClient, enroll
from app.wire import consultation as wire
from tests.support.cases import submitted_case
from tests.support.hub import HubProcess
from tests.support.events import Passes

WITHIN_S = 5.0


def question(case) -> dict:
    return wire.message(str(uuid.uuid4()), case.id, case.patient.id, wire.QUESTION,
                        "Bệnh nhân có tiền sử đái tháo đường không?", "2026-11-29T10:00:00+07:00")


def arrives_by_push(station, case, expert) -> float:
    """Seconds from the expert's question to the station holding it, through push alone."""
    passes = Passes(station)
    listener = station.sync.listen(passes)
    try:
        assert listener.connected.wait(10), "the listener never got a stream"
        sent = question(case)
        started = time.monotonic()
        expert.put(sent)
        assert passes.wait_for(lambda: any(m.id == sent["id"] for m in station.sync.messages(case.id)),
                               WITHIN_S), f"the question did not reach the station within {WITHIN_S} s"
        took = time.monotonic() - started
        assert listener.events_seen >= 1
    finally:
        assert listener.stop(), "the listener's threads are still running"
    assert not listener.running
    return took


def test_a_question_reaches_the_station_in_seconds_through_push(enrolled_station, expert, tmp_path):
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    arrives_by_push(station, case, expert)
    message = next(m for m in station.sync.messages(case.id) if m.kind == wire.QUESTION)
    assert message.direction == "in" and message.text.startswith("Bệnh nhân")


def test_the_listener_resumes_from_its_cursor_after_the_link_comes_back(enrolled_station, expert, hub, tmp_path):
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    arrives_by_push(station, case, expert)  # leaves a cursor in the station's database
    missed = question(case)
    expert.put(missed)  # while nobody listens
    passes = Passes(station)
    listener = station.sync.listen(passes)
    try:
        assert passes.wait_for(lambda: any(m.id == missed["id"] for m in station.sync.messages(case.id)),
                               WITHIN_S), "the question sent while away was not caught up"
    finally:
        assert listener.stop()


def test_a_dead_hub_neither_blocks_nor_outlives_the_listener(station, hub, tmp_path):
    _, code = hub.register("station", facility="01234")
    station.sync.enroll(hub.url, code)
    hub.stop()  # nothing listens at that address any more
    listener = station.sync.listen(lambda: None)
    assert not listener.connected.wait(1.5)
    started = time.monotonic()
    assert listener.stop(), "the listener's threads are still running"
    assert time.monotonic() - started < 5


@pytest.fixture
def two_workers(tmp_path):
    from tests.support.postgres import PostgresServer

    server = PostgresServer().start()
    url = server.new_database()
    first = HubProcess(tmp_path / "hub", url).start()
    second = HubProcess(tmp_path / "hub", url).start()
    yield first, second
    first.stop()
    second.stop()
    server.stop()


def test_push_crosses_hub_workers_on_postgresql(station, two_workers, tmp_path):
    a, b = two_workers
    station.sync.enroll(a.url, a.register("station", facility="01234")[1])
    expert = HubClient(enroll(b.url, b.register("expert", hospital="bachmai", specialty="cardiology")[1]))
    try:
        case = submitted_case(station, tmp_path, slices=0)
        station.sync.run_once()
        arrives_by_push(station, case, expert)
    finally:
        expert.close()
