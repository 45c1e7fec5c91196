"""A submitted case reaches the hub exactly once; the expert's answer comes back."""

import hashlib

from app.domain.lifecycle import Status
from app.wire import mapping, systems
from tests.support.cases import submitted_case


def hub_files(reader, case, tmp_path) -> dict[str, str]:
    """sha256 of every file the hub holds for the case, by attachment name."""
    out = {}
    for doc in reader.search("DocumentReference", {"based-on": f"ServiceRequest/{case.id}"}):
        attachment = doc["content"][0]["attachment"]
        target = tmp_path / "fetched"
        reader.download(attachment["url"], target)
        out[attachment["title"]] = hashlib.sha256(target.read_bytes()).hexdigest()
    return out


def test_submitted_case_reaches_the_hub_and_the_answer_comes_back(enrolled_station, station_reader, expert, tmp_path):
    station = enrolled_station
    case = submitted_case(station, tmp_path)
    assert station.sync.status().unsent_rows == 2 + 2 + 4
    report = station.sync.run_once()
    assert report.online and report.synced_cases == [case.id] and not report.failed_cases
    assert station.cases.get_case(case.id).status == Status.SYNCED
    assert station.sync.status().unsent_rows == 0

    request = station_reader.read("ServiceRequest", case.id)
    assert mapping.routing_of(request) == ("bachmai", "cardiology") and request["priority"] == "urgent"
    patient = station_reader.read("Patient", case.patient.id)
    assert {"system": systems.CCCD, "value": "001161012345"} in patient["identifier"]
    observations = list(station_reader.search("Observation", {"based-on": f"ServiceRequest/{case.id}"}))
    assert len(observations) == 6  # pulse, resp rate, SpO2, temperature, weight, blood pressure
    local = {a.original_name: a.sha256 for a in station.attachments.list(case.id)}
    assert hub_files(station_reader, case, tmp_path) == local  # every file byte-identical, once

    # The expert sees it (routed to Bạch Mai cardiology) and answers.
    assert [r["id"] for r in expert.search("ServiceRequest", {})] == [case.id]
    expert.put(mapping.communication_resource(
        "11111111-2222-3333-4444-555555555555", case.id, case.patient.id, "Chỉ định chụp mạch vành qua da.",
        "conclusion", {"display": "PGS. Trần Văn Tim"}))  # claimed; the hub names the author from the account
    report = station.sync.run_once()
    assert report.new_answers == [case.id]
    assert station.cases.get_case(case.id).status == Status.ANSWERED
    messages = station.sync.messages(case.id)
    assert [(m.direction, m.kind, m.author, m.text) for m in messages] == [
        ("in", "conclusion", "Bs. Trần Văn Tim", "Chỉ định chụp mạch vành qua da.")]
    assert station.sync.status().unread_by_case == {case.id: 1}
    station.sync.mark_read(case.id)
    assert station.sync.status().unread_by_case == {}
    # Nothing new: the next pass brings nothing twice.
    assert station.sync.run_once().new_answers == []


def test_sending_again_after_a_lost_answer_duplicates_nothing(enrolled_station, station_reader, tmp_path):
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=2)
    station.sync.run_once()
    # As if every answer had been lost: the whole outbox is sent again.
    with station.db.transaction() as session:
        from sqlalchemy import update

        from app.storage.models import OutboxRow

        session.execute(update(OutboxRow).values(done_at=None))
    station.sync.run_once(force=True)
    docs = list(station_reader.search("DocumentReference", {"based-on": f"ServiceRequest/{case.id}"}))
    assert len(docs) == 4 and len({d["id"] for d in docs}) == 4
    assert all(d["meta"]["versionId"] == "1" for d in docs)  # re-sent, identical: no new version
    assert station_reader.read("ServiceRequest", case.id)["meta"]["versionId"] == "1"
    assert len(list(station_reader.search("Task", {}))) == 1


def test_sending_a_case_again_never_undoes_the_experts_task_status(enrolled_station, expert, station_reader,
                                                                  tmp_path):
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    task = expert.read("Task", mapping.task_id(case.id))
    expert.put({**task, "status": "in-progress"}, if_match=f'W/"{task["meta"]["versionId"]}"')
    with station.db.transaction() as session:
        from sqlalchemy import update

        from app.storage.models import OutboxRow

        session.execute(update(OutboxRow).values(done_at=None))
    station.sync.run_once(force=True)
    assert station_reader.read("Task", mapping.task_id(case.id))["status"] == "in-progress"


def test_a_refused_case_does_not_block_the_others(enrolled_station, station_reader, tmp_path):
    station = enrolled_station
    bad = submitted_case(station, tmp_path, name="Ca Lỗi", slices=0)
    good = submitted_case(station, tmp_path, name="Ca Tốt", slices=0)
    # Damage the first case's stored photo: the hub refuses what does not match its hash.
    photo = next(a for a in station.attachments.list(bad.id) if a.original_name == "anh-ecg.jpg")
    path = station.attachments.path(photo)
    path.chmod(0o644)
    path.write_bytes(b"damaged")
    report = station.sync.run_once()
    assert report.online and report.synced_cases == [good.id]
    assert bad.id in report.failed_cases
    status = station.sync.status()
    assert list(status.unsent_by_case) == [bad.id] and status.unsent_by_case[bad.id][1]
    assert station.cases.get_case(bad.id).status == Status.SUBMITTED


def test_no_hub_means_offline_and_nothing_lost(enrolled_station, hub, tmp_path):
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    hub.stop()
    report = station.sync.run_once()
    assert not report.online and report.error
    assert station.sync.status().unsent_rows == 4
    assert station.cases.get_case(case.id).status == Status.SUBMITTED


def answered_case(station, expert, tmp_path):
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    expert.put(mapping.communication_resource(
        "22222222-2222-4222-8222-222222222222", case.id, case.patient.id, "Điều trị nội khoa.", "conclusion",
        {"display": "PGS. Trần Văn Tim"}))
    station.sync.run_once()
    assert station.cases.get_case(case.id).status == Status.ANSWERED
    return case


def test_closing_an_answered_case_completes_its_task_on_the_hub(enrolled_station, expert, station_reader, tmp_path):
    station = enrolled_station
    case = answered_case(station, expert, tmp_path)
    station.cases.close(case.id)
    report = station.sync.run_once()
    assert not report.conflicts and station.sync.status().unsent_rows == 0
    assert station_reader.read("Task", mapping.task_id(case.id))["status"] == "completed"


def test_a_status_change_the_experts_overtook_is_a_conflict_shown_not_overwritten(enrolled_station, expert,
                                                                                 station_reader, tmp_path):
    station = enrolled_station
    case = answered_case(station, expert, tmp_path)
    task = expert.read("Task", mapping.task_id(case.id))
    expert.put({**task, "status": "on-hold"}, if_match=f'W/"{task["meta"]["versionId"]}"')  # unseen by the station
    station.cases.close(case.id)
    report = station.sync.run_once()
    assert report.conflicts == {case.id: "task-changed:requested:on-hold"}
    assert station_reader.read("Task", mapping.task_id(case.id))["status"] == "on-hold"  # not overwritten
    conflict = station.sync.status().conflicts_by_case[case.id]
    assert (conflict.seen, conflict.now) == ("requested", "on-hold")
    # "Sync now" alone does not push it through: that needs the doctor's decision.
    station.sync.run_once(force=True)
    assert station_reader.read("Task", mapping.task_id(case.id))["status"] == "on-hold"
    station.sync.resend(case.id)
    assert not station.sync.run_once().conflicts
    assert station_reader.read("Task", mapping.task_id(case.id))["status"] == "completed"
    assert station.sync.status().conflicts_by_case == {}


def test_passes_reuse_the_token_and_the_connection(enrolled_station, hub):
    from server import audit

    for _ in range(3):
        assert enrolled_station.sync.run_once().online
    client_id = enrolled_station.sync.credential().client_id
    with hub.engine.begin() as conn:
        actions = [e["action"] for e in audit.events(conn, client_id)]
    assert actions.count("token") == 1 and actions.count("search") == 12  # messages, Tasks, conclusions, minutes: three times


def test_a_hub_failing_on_a_case_is_a_refusal_after_three_tries_and_the_others_go_on(enrolled_station, tmp_path,
                                                                                      monkeypatch):
    """A 500 is not the link: the other cases go on; repeated, it is the hub refusing this case, with its reason."""
    from server.store import ResourceStore

    station = enrolled_station
    bad = submitted_case(station, tmp_path, name="Ca Lỗi", slices=0)
    good = submitted_case(station, tmp_path, name="Ca Tốt", slices=0)
    put_many = ResourceStore.put_many

    def failing_on_bad(store, conn, who, entries, *args, **kwargs):
        if any(resource["id"] == bad.id for resource, _ in entries):
            raise RuntimeError("a bug in the hub")
        return put_many(store, conn, who, entries, *args, **kwargs)

    monkeypatch.setattr(ResourceStore, "put_many", failing_on_bad)
    first = station.sync.run_once()
    assert first.online and first.synced_cases == [good.id] and not first.failed_cases
    assert "500" in station.sync.status().unsent_by_case[bad.id][1]
    second = station.sync.run_once(force=True)
    assert second.online and not second.failed_cases
    third = station.sync.run_once(force=True)
    assert third.online and "internal error in the hub" in third.failed_cases[bad.id]
    shown = station.sync.status().unsent_by_case[bad.id][1]  # the case list's tooltip
    assert "refused" in shown and "internal error in the hub" in shown
    assert station.cases.get_case(bad.id).status == Status.SUBMITTED
    monkeypatch.undo()  # the hub is mended: "sync now" sends it
    assert station.sync.run_once(force=True).synced_cases == [bad.id]


def test_a_gateway_error_is_the_link_not_a_refusal(enrolled_station, tmp_path, monkeypatch):
    """502, 503 and 504 come from what stands between station and hub: the case waits, however often."""
    import httpx

    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    real_send = httpx.Client.send

    def gateway_timeout(client, request, **kwargs):
        if request.method == "POST" and request.url.path == "/":
            return httpx.Response(504, text="<html>Gateway Time-out</html>", request=request)
        return real_send(client, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", gateway_timeout)
    for _ in range(4):
        report = station.sync.run_once(force=True)
        assert not report.online and "504" in report.error and not report.failed_cases
    monkeypatch.undo()
    assert station.sync.run_once(force=True).synced_cases == [case.id]
