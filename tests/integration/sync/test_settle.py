"""A case's state follows from what the database holds, whatever moment a pass was cut or killed at."""

from app.domain.lifecycle import Status
from app.storage.repository import CaseRepository
from app.sync.hub_client import HubClient, HubUnreachable
from app.wire import mapping
from tests.support.cases import submitted_case


def answer(expert, case, text="Chỉ định chụp mạch vành.", message_id="11111111-2222-3333-4444-555555555555"):
    expert.put(mapping.communication_resource(message_id, case.id, case.patient.id, text, "conclusion", {"display": "claimed"}))


def test_a_case_whose_rows_are_all_done_but_still_submitted_becomes_synced_then_answered(enrolled_station, expert,
                                                                                          tmp_path):
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    # The state a kill leaves between the last row marked done and the case moved on.
    with station.db.transaction() as session:
        from sqlalchemy import update

        from app.storage.models import CaseRow

        session.execute(update(CaseRow).where(CaseRow.id == case.id).values(status=Status.SUBMITTED.value))
    assert station.sync.status().unsent_rows == 0
    answer(expert, case)
    station.sync.run_once()
    assert station.cases.get_case(case.id).status == Status.ANSWERED
    with station.db.transaction() as session:
        history = [new for _, new, _ in CaseRepository().status_history(session, case.id)]
    assert history[-2:] == [Status.SYNCED, Status.ANSWERED]


def test_an_answer_whose_task_search_was_cut_still_makes_the_case_answered(enrolled_station, expert, tmp_path,
                                                                            monkeypatch):
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    answer(expert, case)
    search = HubClient.search
    cuts = []

    def cut_on_tasks(self, kind, params):
        if kind == "Task" and not cuts:
            cuts.append(kind)
            raise HubUnreachable("ReadError: the link dropped")
        return search(self, kind, params)
    monkeypatch.setattr(HubClient, "search", cut_on_tasks)
    first = station.sync.run_once()
    assert cuts and not first.online
    station.sync.run_once()
    assert station.cases.get_case(case.id).status == Status.ANSWERED
    assert station.sync.status().unread_by_case == {case.id: 1}


def test_a_message_and_the_answered_status_are_stored_together(enrolled_station, expert, tmp_path, monkeypatch):
    """The process dies right after the answer is stored (here: on the next request): the case is answered already."""
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    answer(expert, case)
    search = HubClient.search

    def die_on_tasks(self, kind, params):
        if kind == "Task":
            raise SystemExit("killed")
        return search(self, kind, params)
    monkeypatch.setattr(HubClient, "search", die_on_tasks)
    try:
        station.sync.run_once()
    except SystemExit:
        pass
    assert station.cases.get_case(case.id).status == Status.ANSWERED


def test_diemcau_sync_logs_each_pass_and_each_failed_row_without_patient_data(enrolled_station, hub, tmp_path):
    import os
    import subprocess
    import sys

    station = enrolled_station
    good = submitted_case(station, tmp_path, name="Nguyễn Thị Tốt", slices=0)
    bad = submitted_case(station, tmp_path, name="Trần Văn Hỏng", slices=0)
    photo = next(a for a in station.attachments.list(bad.id) if a.original_name == "anh-ecg.jpg")
    path = station.attachments.path(photo)
    path.chmod(0o644)
    path.write_bytes(b"damaged")  # the hub refuses a file that does not match its hash
    folder = station.paths.root
    station.close()
    done = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(folder), "sync"], capture_output=True,
                          text=True, env=dict(os.environ), timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    log = (folder / "logs" / "station.log").read_text(encoding="utf-8")
    assert "sync pass" in log and good.id in log and bad.id in log
    failed = [line for line in log.splitlines() if bad.id in line and "WARNING" in line]
    assert failed and "file" in failed[0]
    assert "Tốt" not in log and "Hỏng" not in log and "anh-ecg" not in log


def partial_of(hub, url: str):
    return hub.config.files_dir / "partial" / url.rsplit("/", 1)[1]


def test_a_patch_refused_because_another_is_arriving_waits_briefly_not_for_a_person(enrolled_station, hub, tmp_path,
                                                                                   monkeypatch):
    import fcntl
    from datetime import timedelta

    from app.domain.case import utcnow

    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    held = []
    offset_of = HubClient.upload_offset

    def as_if_a_killed_patch_were_arriving(self, url):
        if not held:  # the first file: its partial is locked as by a PATCH still in flight
            f = partial_of(hub, url).open("r+b")
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            held.append(f)
        return offset_of(self, url)
    monkeypatch.setattr(HubClient, "upload_offset", as_if_a_killed_patch_were_arriving)
    report = station.sync.run_once()
    assert report.online and not report.failed_cases, report
    waiting = station.sync.status()
    assert waiting.unsent_rows > 0
    with station.db.transaction() as session:
        from app.storage.outbox import Outbox

        row = next(item for item in Outbox().pending(session, case.id) if item.kind == "file")
    assert row.next_try_at is not None and row.next_try_at - utcnow() < timedelta(minutes=1)
    held[0].close()  # the old PATCH ends
    monkeypatch.setattr(HubClient, "upload_offset", offset_of)
    assert station.sync.run_once(force=True).synced_cases == [case.id]


def test_an_upload_the_hub_reset_after_a_bad_checksum_is_continued_in_the_same_pass(enrolled_station, hub, tmp_path,
                                                                                     monkeypatch):
    from app.sync import engine as engine_module

    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0, audio_bytes=300_000)
    monkeypatch.setattr(engine_module, "CHUNK", 64 * 1024)
    damaged = []
    upload_chunk = HubClient.upload_chunk

    def damage_the_hubs_copy_once(self, url, offset, chunk, checksum=False):
        answer = upload_chunk(self, url, offset, chunk, checksum)
        if not damaged and answer >= 128 * 1024:
            with partial_of(hub, url).open("r+b") as f:  # as a disk error on the hub would
                f.write(b"\0" * 1024)
            damaged.append(url)
        return answer
    monkeypatch.setattr(HubClient, "upload_chunk", damage_the_hubs_copy_once)
    report = station.sync.run_once()
    assert damaged and not report.failed_cases and report.synced_cases == [case.id], report
