"""Push (GET /events): who is told what, catching up by cursor, revocation, and two hub workers.

Negative checks need no waiting: events come in cursor order, so when a subscriber's next event
is a later "sentinel" it may see, nothing it may not see was delivered before it.
"""

import json
import uuid

import httpx
import pytest

from app.sync.hub_client import HubClient, enroll
from app.wire import consultation as wire
from app.wire import systems
from tests.support.events import Subscription
from tests.support.hub import HubProcess, RunningHub

from .test_access import consultation

EVENT_FIELDS = {"cursor", "kind", "type", "id", "request"}


@pytest.fixture(params=["sqlite", "postgresql"])
def push_hub(request, tmp_path):
    """The hub with a short heartbeat (revocation is noticed at the next one) and two streams per client."""
    url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else None
    running = RunningHub(tmp_path / "hub", url, events_heartbeat_s=1.0, events_per_client=2).start()
    yield running
    running.stop()


@pytest.fixture
def two_workers(postgres, tmp_path):
    """Two hub worker processes on one PostgreSQL database, each at its own address."""
    url = postgres.new_database()
    first = HubProcess(tmp_path / "hub", url).start()  # migrates before the second starts
    second = HubProcess(tmp_path / "hub", url).start()
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture
def subscribe():
    opened = []

    def make(hub, client: HubClient, **kwargs) -> Subscription:
        opened.append(Subscription(hub.url, client.token(), **kwargs))
        return opened[-1]
    yield make
    for subscription in opened:
        subscription.close()


def question(message_id: str, case_id: str, patient_id: str, kind: str = wire.QUESTION) -> dict:
    return wire.message(message_id, case_id, patient_id, kind, "Xin thêm phim X-quang ngực thẳng?",
                        "2026-11-29T10:00:00+07:00")


def rerouted(station: HubClient, case_id: str, hospital: str, specialty: str) -> None:
    request = station.read("ServiceRequest", case_id)
    request["category"] = [{"coding": [{"system": systems.SPECIALTY, "code": specialty}]}]
    request["performer"] = [{"identifier": {"system": systems.CENTRAL_HOSPITAL, "value": hospital}}]
    station.put(request)


def test_each_event_goes_only_to_those_who_may_read_its_record(push_hub, enrolled, subscribe):
    station = enrolled(push_hub, facility="0100A")
    other_station = enrolled(push_hub, facility="0200B")
    cardiology = enrolled(push_hub, "expert", hospital="bachmai", specialty="cardiology")
    respiratory = enrolled(push_hub, "expert", hospital="bachmai", specialty="respiratory")
    oncology_k = enrolled(push_hub, "expert", hospital="k", specialty="cardiology")
    other_station.transaction(consultation("b-case", "p-b", hospital="k"))
    feeds = {name: subscribe(push_hub, client) for name, client in [
        ("station", station), ("other_station", other_station), ("cardiology", cardiology),
        ("respiratory", respiratory), ("k", oncology_k)]}

    station.transaction(consultation("heart", "p-heart"))
    got = feeds["cardiology"].next()
    assert (got.kind, got.type, got.id, got.request) == ("request", "ServiceRequest", "heart", "heart")
    got = feeds["cardiology"].next()
    assert (got.kind, got.id) == ("task", "task-heart")
    cardiology.put(question("q-1", "heart", "p-heart"))
    got = feeds["station"].next()  # the station is not told of its own writes: the question comes first
    assert (got.kind, got.type, got.id, got.request) == ("question", "Communication", "q-1", "heart")

    # Sentinels, each the first thing its subscriber may see after the writes above.
    station.transaction(consultation("lung", "p-lung", specialty="respiratory"))
    other_station.transaction(consultation("b-2", "p-b2", hospital="k"))
    oncology_k.put(question("q-b", "b-case", "p-b"))
    assert feeds["respiratory"].next().id == "lung"
    assert [feeds["k"].next().id, feeds["k"].next().id] == ["b-2", "task-b-2"]
    assert feeds["other_station"].next().id == "q-b"
    cardiology.put(question("q-2", "heart", "p-heart"))
    assert feeds["station"].next().id == "q-2"  # nothing of the other facility before it


def test_the_event_names_the_record_and_nothing_of_its_content(push_hub, enrolled):
    station = enrolled(push_hub, facility="0100A")
    expert = enrolled(push_hub, "expert", hospital="bachmai", specialty="cardiology")
    station.transaction(consultation("heart", "p-heart"))
    with httpx.stream("GET", f"{push_hub.url}/events", params={"after": "0"}, timeout=10,
                      headers={"Authorization": f"Bearer {expert.token()}"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        data = next(line for line in lines if line.startswith("data:"))
    body = json.loads(data.removeprefix("data:"))
    assert set(body) == EVENT_FIELDS and body["id"] == "heart"
    assert "Phạm" not in data and "p-heart" not in data  # no name, not even the patient's id


def test_rerouting_moves_the_events_to_the_new_experts(push_hub, enrolled, subscribe):
    station = enrolled(push_hub, facility="0100A")
    bachmai = enrolled(push_hub, "expert", hospital="bachmai", specialty="cardiology")
    k = enrolled(push_hub, "expert", hospital="k", specialty="oncology")
    old, new = subscribe(push_hub, bachmai), subscribe(push_hub, k)
    station.transaction(consultation("heart", "p-heart"))
    assert old.next().id == "heart"
    bachmai.put(question("q-1", "heart", "p-heart"))
    rerouted(station, "heart", "k", "oncology")
    # q-1 reaches the new experts too if its delivery comes after the move: decided at delivery.
    seen = [new.next()]
    if seen[0].id == "q-1":
        seen.append(new.next())
    assert (seen[-1].kind, seen[-1].id) == ("request", "heart")
    k.put(question("q-2", "heart", "p-heart"))
    station.transaction(consultation("sentinel", "p-s"))
    assert [old.next().id, old.next().id] == ["task-heart", "sentinel"]  # nothing after the move

    # Catching up from the start: the consultation's whole past goes with it to the new routing.
    again_old, again_new = subscribe(push_hub, bachmai, after=0), subscribe(push_hub, k, after=0)
    assert [again_old.next().id, again_old.next().id] == ["sentinel", "task-sentinel"]
    assert [again_new.next().id for _ in range(4)] == ["heart", "task-heart", "q-1", "heart"]


def test_a_subscriber_catches_up_by_cursor_after_a_disconnect(push_hub, enrolled, subscribe):
    station = enrolled(push_hub, facility="0100A")
    expert = enrolled(push_hub, "expert", hospital="bachmai", specialty="cardiology")
    station.transaction(consultation("heart", "p-heart"))
    feed = subscribe(push_hub, station)
    expert.put(question("q-1", "heart", "p-heart"))
    first = feed.next()
    feed.close()
    expert.put(question("n-1", "heart", "p-heart", wire.NOTE))
    expert.put(question("q-2", "heart", "p-heart"))
    by_header = subscribe(push_hub, station, last_event_id=str(first.cursor))
    assert [(e.kind, e.id) for e in (by_header.next(), by_header.next())] == [("note", "n-1"), ("question", "q-2")]
    by_query = subscribe(push_hub, station, after=first.cursor)
    assert [by_query.next().id, by_query.next().id] == ["n-1", "q-2"]
    by_header.close()
    by_query.close()
    from_now = subscribe(push_hub, station)  # no cursor: only what happens from now on
    expert.put(question("q-3", "heart", "p-heart"))
    assert from_now.next().id == "q-3"


def test_a_draft_conclusion_tells_nobody_and_its_signature_tells_the_station(push_hub, enrolled, subscribe):
    from server import consultation
    from server.uploads import FileStore

    from .test_consultation import COORDINATOR, EXPERT, ISSUES, submit

    station = enrolled(push_hub, facility="0100A")
    case = submit(station, "0100A")  # to K oncology
    feed = subscribe(push_hub, station)
    with push_hub.engine.begin() as conn:
        consultation.assign(conn, COORDINATOR, case.id, EXPERT.name, EXPERT.person_id)
    with push_hub.engine.begin() as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Phẫu thuật", "Tái khám sau 1 tháng")
    with push_hub.engine.begin() as conn:
        consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Phẫu thuật bảo tồn", "", draft_id=draft["id"])
    with push_hub.engine.begin() as conn:
        consultation.sign(conn, EXPERT, draft["id"], push_hub.config.secret, files=FileStore(push_hub.config.files_dir))
    told = [feed.next()]
    while told[-1].kind != "conclusion":
        told.append(feed.next())
    assert [e.type for e in told].count("Composition") == 1  # the signed one, never its drafts
    assert (told[-1].type, told[-1].id, told[-1].request) == ("Composition", draft["id"], case.id)
    assert {e.kind for e in told[:-1]} <= {"task", "status"}  # the assignment came first
    minutes = feed.next()  # made on signing, in the same transaction
    assert (minutes.kind, minutes.type, minutes.request) == ("minutes", "DocumentReference", case.id)


def test_a_console_session_is_told_of_its_routing_and_cut_when_it_ends(push_hub, enrolled):
    from server.console import accounts, sessions

    station = enrolled(push_hub, facility="0100A")
    with push_hub.engine.begin() as conn:
        person = accounts.create_person(conn, "an.nguyen", "Nguyễn Văn An", "expert", accounts.new_password(),
                                        hospital="bachmai", specialty="cardiology", title="PGS.TS")
        token, _csrf = sessions.start(conn, person.id)
    anonymous = httpx.get(f"{push_hub.url}/console/events", timeout=10)
    assert anonymous.status_code == 401
    feed = Subscription(push_hub.url, None, path="/console/events", cookies={sessions.COOKIE: token})
    try:
        assert feed.status == 200
        station.transaction(consultation("for-k", "p-k", hospital="k"))
        station.transaction(consultation("heart", "p-heart"))
        assert feed.next().id == "heart"  # K's came first and was not told
        with push_hub.engine.begin() as conn:
            sessions.end(conn, token)  # signed out
        assert feed.ended.wait(3 * 1.0 + 2), "the stream outlived the session"
    finally:
        feed.close()


def test_a_revoked_client_is_cut_within_a_heartbeat(push_hub, enrolled, subscribe):
    station_id, code = push_hub.register("station", facility="0100A")
    station = HubClient(enroll(push_hub.url, code))
    try:
        feed = subscribe(push_hub, station)
        push_hub.revoke(station_id)
        assert feed.ended.wait(3 * 1.0 + 2), "still streaming after three heartbeats"
        assert "unauthorized" in feed.end_reason
    finally:
        station.close()


def test_refusals_are_operation_outcomes_and_streams_per_client_are_bounded(push_hub, enrolled, subscribe):
    station = enrolled(push_hub, facility="0100A")
    anonymous = httpx.get(f"{push_hub.url}/events", timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["resourceType"] == "OperationOutcome"
    token = {"Authorization": f"Bearer {station.token()}"}
    for bad in ("-1", "abc", "1" * 30):
        refused = httpx.get(f"{push_hub.url}/events", params={"after": bad}, headers=token, timeout=10)
        assert refused.status_code == 400 and refused.json()["resourceType"] == "OperationOutcome"
    first, _second = subscribe(push_hub, station), subscribe(push_hub, station)
    third = Subscription(push_hub.url, station.token())
    third.close()
    assert third.status == 429 and json.loads(third.body)["resourceType"] == "OperationOutcome"
    first.close()  # its slot is given back as soon as the hub sees it gone
    for _ in range(50):
        again = Subscription(push_hub.url, station.token())
        if again.status == 200:
            break
        again.close()
        again.ended.wait(0.1)
    assert again.status == 200
    again.close()


def test_an_event_committed_through_one_worker_reaches_a_subscriber_of_the_other(two_workers, subscribe):
    a, b = two_workers
    station = HubClient(enroll(a.url, a.register("station", facility="0100A")[1]))
    expert = HubClient(enroll(b.url, b.register("expert", hospital="bachmai", specialty="cardiology")[1]))
    stranger = HubClient(enroll(b.url, b.register("expert", hospital="k", specialty="cardiology")[1]))
    try:
        on_b, stranger_on_b = subscribe(b, expert), subscribe(b, stranger)
        on_a = subscribe(a, station)
        case = f"case-{uuid.uuid4().hex[:8]}"
        station.transaction(consultation(case, "p-1"))        # through worker A
        got = on_b.next()                                      # told by worker B
        assert (got.kind, got.id) == ("request", case)
        expert.put(question("q-1", case, "p-1"))              # through worker B
        got = on_a.next()                                      # told by worker A
        assert (got.kind, got.id) == ("question", "q-1")
        station.transaction(consultation("for-k", "p-k", hospital="k"))
        assert stranger_on_b.next().id == "for-k"              # and nothing of bachmai's before it
        # A subscriber of worker A that was away catches up, whichever worker wrote.
        late = subscribe(a, expert, after=0)
        assert [late.next().id, late.next().id] == [case, f"task-{case}"]  # its own question: not told
        station.transaction(consultation("last", "p-l"))
        assert late.next().id == "last"
    finally:
        for client in (station, expert, stranger):
            client.close()
