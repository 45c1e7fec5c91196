"""Cuts, stalls, a sick hub and a killed station: at the end everything is on the hub exactly once."""

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from app.domain.lifecycle import Status
from app.services.station import Station
from tests.support.cases import submitted_case
from tests.support.faulty_proxy import FaultyProxy

from .conftest import FACILITY, reader_of

MB = 1024 * 1024


def assert_exactly_once(station, case, hub, tmp_path):
    reader = reader_of(station, hub)
    try:
        docs = list(reader.search("DocumentReference", {"based-on": f"ServiceRequest/{case.id}"}))
        local = {a.id: a.sha256 for a in station.attachments.list(case.id)}
        assert sorted(d["id"] for d in docs) == sorted(local)
        for doc in docs:
            attachment = doc["content"][0]["attachment"]
            reader.download(attachment["url"], tmp_path / "f")
            assert hashlib.sha256((tmp_path / "f").read_bytes()).hexdigest() == local[doc["id"]]
            assert doc["meta"]["versionId"] == "1"
        assert len(list(reader.search("ServiceRequest", {}))) == 1
        assert len(list(reader.search("Task", {}))) == 1
    finally:
        reader.close()
    with hub.engine.begin() as conn:
        from sqlalchemy import func, select

        from server.tables import uploads

        assert conn.execute(select(func.count()).select_from(uploads)).scalar() == len(local)


def test_link_cut_mid_upload_then_restored(station_via_proxy, proxy, hub, tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=0, audio_bytes=12 * MB)
    proxy.cut_after = 6 * MB
    first = station.sync.run_once()
    assert not first.online and proxy.cuts == 1, first  # cut there, not given up earlier for another reason
    assert station.cases.get_case(case.id).status == Status.SUBMITTED
    sent_before = proxy.upstream_bytes
    second = station.sync.run_once(force=True)
    assert second.online and second.synced_cases == [case.id]
    total = sum(a.size for a in station.attachments.list(case.id))
    # Resumed, not restarted: at most the chunk in flight is sent again (plus headers and records).
    assert proxy.upstream_bytes - total < 4 * MB + 512 * 1024, (sent_before, proxy.upstream_bytes, total)
    assert_exactly_once(station, case, hub, tmp_path)


def test_stalled_link_is_given_up_and_resumed(station_via_proxy, proxy, hub, tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=0)
    # Short, for this test only: on a loaded machine the hub (in this process) can take seconds to answer.
    station.sync.timeout_s = 3.0
    proxy.stalled.set()
    started = time.monotonic()
    report = station.sync.run_once()
    assert not report.online and time.monotonic() - started < 30
    proxy.stalled.clear()
    proxy.cut()
    station.sync.timeout_s = 30.0
    assert station.sync.run_once(force=True).synced_cases == [case.id]
    assert_exactly_once(station, case, hub, tmp_path)


def test_hub_5xx_and_no_link_leave_everything_waiting(station_via_proxy, proxy, hub, tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=0)
    proxy.unavailable = True
    report = station.sync.run_once()
    assert not report.online and "503" in report.error
    proxy.unavailable, proxy.down = False, True
    assert not station.sync.run_once(force=True).online
    assert station.sync.status().unsent_rows == 4
    proxy.down = False
    assert station.sync.run_once(force=True).synced_cases == [case.id]
    assert_exactly_once(station, case, hub, tmp_path)


def test_when_the_link_returns_everything_waiting_goes_at_once(station_via_proxy, proxy, hub, tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=0, audio_bytes=2 * MB)
    proxy.cut_after = 1 * MB  # the link drops mid-upload: the row backs off (seconds to minutes)
    assert not station.sync.run_once().online
    assert station.sync.status().unsent_rows > 0
    # An ordinary periodic pass (not "sync now"): the link is back, so the backoff does not hold it up.
    assert station.sync.run_once().synced_cases == [case.id]
    assert_exactly_once(station, case, hub, tmp_path)


def test_same_case_submitted_twice_is_refused_locally(station_via_proxy, tmp_path):
    from app.domain.lifecycle import TransitionError

    case = submitted_case(station_via_proxy, tmp_path, slices=0)
    with pytest.raises(TransitionError):
        station_via_proxy.cases.submit(case.id)
    assert station_via_proxy.sync.status().unsent_rows == 4


def test_station_killed_during_sync_and_restarted(station, hub, tmp_path, data_dir):
    slow = FaultyProxy(hub.port, rate_bps=8_000_000)
    try:
        _, code = hub.register("station", facility=FACILITY)
        station.sync.enroll(slow.url, code)
        case = submitted_case(station, tmp_path, slices=3, audio_bytes=8 * MB)
        station.close()
        sync = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(data_dir), "sync"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while slow.upstream_bytes < 3 * MB and time.monotonic() < deadline and sync.poll() is None:
            time.sleep(0.05)
        assert sync.poll() is None, "the sync finished before it could be killed"
        os.kill(sync.pid, signal.SIGKILL)
        sync.wait()
        slow.cut()
        restarted = Station(data_dir)
        try:
            assert restarted.sync.run_once(force=True).synced_cases == [case.id]
            assert_exactly_once(restarted, case, hub, tmp_path)
        finally:
            restarted.close()
    finally:
        slow.close()
