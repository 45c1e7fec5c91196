"""The embedded default: a local hub on SQLite, the station enrolled with it on first start."""

import socket
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
    assert not pacs_running(str(hub.folder / "pacs" / "orthanc.json"))  # closed before the hub ended
    # Next start: the same hub data and key, and the same port: the console's address (bookmarked by whoever
    # answers on this machine) stays; it changed at every start (an outsider's finding).
    again = station.sync.start_local_hub()
    try:
        assert station.sync.credential().client_id == credential.client_id
        assert again.url == hub.url
        assert station.sync.run_once().online
        assert station.cases.get_case(case.id).status == Status.SYNCED
    finally:
        again.stop()
    # That port taken by another program meanwhile: any free one, and the station follows.
    with socket.create_server(("127.0.0.1", int(hub.url.rsplit(":", 1)[1]))):
        elsewhere = station.sync.start_local_hub()
        try:
            assert elsewhere.url != hub.url and station.sync.credential().hub_url == elsewhere.url
            assert station.sync.run_once().online
        finally:
            elsewhere.stop()


def test_local_hub_stops_when_its_station_dies(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])

    def kill_station(hub):
        parent.kill()
        parent.wait()
        hub.wait(timeout=15)
    hub_and_pacs_end_after(tmp_path, kill_station, "--exit-with", str(parent.pid))


def test_the_local_pacs_ends_even_when_its_hub_is_killed(tmp_path):
    def kill_hub(hub):
        hub.kill()  # SIGKILL: the hub cannot stop its PACS itself
        hub.wait()
    hub_and_pacs_end_after(tmp_path, kill_hub)


def hub_and_pacs_end_after(tmp_path, blow, *args: str) -> None:
    hub = subprocess.Popen([sys.executable, "-m", "server", "--data", str(tmp_path / "hub"), "serve", "--port", "0",
                            "--local-pacs", *args])
    config = str(tmp_path / "hub" / "pacs" / "orthanc.json")
    try:
        assert within(20, lambda: pacs_running(config)) and hub.poll() is None
        blow(hub)
    finally:
        if hub.poll() is None:
            hub.kill()
    assert within(10, lambda: not pacs_running(config)), "the local PACS outlived its hub"


def within(seconds: float, condition) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def pacs_running(config: str) -> bool:
    """An Orthanc process started with `config` is alive (read from /proc: no procps needed)."""
    from pathlib import Path

    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes().split(b"\0")[:2] == [b"Orthanc", config.encode()]:
                return True
        except OSError:
            continue
    return False


def test_the_local_hub_has_its_own_pacs_and_imaging_goes_there(station, tmp_path):
    import pydicom

    from app.domain.attachment import AttachmentKind
    from app.sync.hub_client import HubClient

    hub = station.sync.start_local_hub()
    try:
        case = submitted_case(station, tmp_path, slices=3)
        assert station.sync.run_once().synced_cases == [case.id]
        client = HubClient(station.sync.credential())
        try:
            assert client.has_pacs()
            studies = list(client.search("ImagingStudy", {"based-on": f"ServiceRequest/{case.id}"}))
            uid = studies[0]["identifier"][0]["value"].removeprefix("urn:oid:")
            held = sorted(i["00080018"]["Value"][0] for i in client.study_instances(uid))
        finally:
            client.close()
        local = sorted(str(pydicom.dcmread(station.attachments.path(a), stop_before_pixels=True).SOPInstanceUID)
                       for a in station.attachments.list(case.id) if a.kind == AttachmentKind.IMAGING)
        assert held == local
        orthanc = hub.folder / "pacs" / "orthanc.json"
        assert orthanc.exists() and oct(orthanc.stat().st_mode & 0o777) == "0o600"  # holds its password
    finally:
        hub.stop()


def test_a_killed_local_hub_is_restarted_by_the_next_sync_pass(station, tmp_path):
    from app.sync.hub_client import HubClient

    hub = station.sync.start_local_hub()
    try:
        assert station.sync.run_once().online  # the service now holds a client for this hub
        killed = hub.process
        killed.kill()  # SIGKILL: a crash, not a stop the station asked for
        killed.wait(timeout=15)
        case = submitted_case(station, tmp_path, slices=1)
        assert station.sync.run_once().synced_cases == [case.id]
        assert hub.process is not None and hub.process.pid != killed.pid and hub.process.poll() is None
        credential = station.sync.credential()
        assert credential.embedded and credential.hub_url == hub.url
        client = HubClient(credential)
        try:
            assert client.read("ServiceRequest", case.id)["id"] == case.id
            assert client.has_pacs()
        finally:
            client.close()
        assert station.cases.get_case(case.id).status == Status.SYNCED
    finally:
        hub.stop()
    # A hub the station stopped itself (on quit, or on enrolling with a real hub) stays stopped.
    assert not station.sync.run_once().online
    assert hub.process is None


def test_the_local_hub_gives_a_trial_expert_who_sees_the_stations_case_in_the_console(station, tmp_path):
    from tests.integration.hub.console_client import Console

    hub = station.sync.start_local_hub()
    try:
        case = submitted_case(station, tmp_path, slices=1)
        assert station.sync.run_once().synced_cases == [case.id]
        login, password = hub.console_account(case.hospital, case.specialty, "Chuyên gia thử")
        assert hub.console_account(case.hospital, case.specialty, "Chuyên gia thử") == (login, password)  # kept
        assert oct((hub.folder / "console-accounts.json").stat().st_mode & 0o777) == "0o600"
        browser = Console(hub)
        try:
            assert browser.login(login, password).status_code == 303
            page = browser.get(f"/console/cases/{case.id}")
            assert page.status_code == 200 and case.question[:20] in page.text
        finally:
            browser.close()
    finally:
        hub.stop()
