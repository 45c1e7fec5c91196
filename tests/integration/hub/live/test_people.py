"""Console people in live sessions (the console calls the same services as the API): a routed expert starts,
a person is invited and joins, a coordinator of the routing ends; an expert abroad sees the de-identified case.
On SQLite and on PostgreSQL, attendance coming from Janus's own events."""

import asyncio

import pytest

from app.wire import systems
from server.access import Principal
from server.console import accounts
from server.live import service
from server.outcome import FhirError

from .conftest import CASE, Participant, case_of, wait_for


def person(hub, login, role="expert", hospital="bachmai", specialty="cardiology", foreign=False) -> Principal:
    made, _ = accounts.ensure_person(hub.engine, login, name=login.split(".")[-1].title(), role=role,
                                     hospital=hospital, specialty=specialty, title="BS", foreign=foreign)
    return made.principal


def test_console_people_start_invite_join_and_a_coordinator_ends(hub_with_sfu, enrolled):
    hub, config = hub_with_sfu, hub_with_sfu.config
    station = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(station)
    cardiologist = person(hub, "bs.lan")
    guest = person(hub, "bs.an", hospital="choray", specialty="oncology")
    stranger = person(hub, "bs.binh", hospital="k", specialty="oncology")
    coordinator = person(hub, "dp.bachmai", role="coordinator", specialty="")
    from server.events.stream import deliverable, newest

    with hub.engine.begin() as conn:
        cursor = newest(conn)
        session, created = service.start(conn, cardiologist, config, CASE,
                                         {"people": [guest.person_id], "facilities": ["0200B"]})
    assert created and session["started_by"] == cardiologist.client_id
    assert session["invited"]["people"] == [guest.person_id]
    with hub.engine.begin() as conn:  # what the console's /console/events delivers to each person
        [invitation], _ = deliverable(conn, guest, cursor)
        assert (invitation.kind, invitation.live, invitation.sender) == ("invitation", session["id"],
                                                                         "Bệnh viện Bạch Mai")
        assert deliverable(conn, stranger, cursor)[0] == [] and deliverable(conn, coordinator, cursor)[0] == []
    with hub.engine.begin() as conn:
        assert [s["id"] for s in service.sessions_for(conn, guest)] == [session["id"]]
        assert service.sessions_for(conn, stranger) == []
        assert [s["id"] for s in service.sessions_of_request(conn, coordinator, CASE)] == [session["id"]]
        with pytest.raises(FhirError) as refused:
            service.join_details(conn, stranger, config, session["id"])
        assert refused.value.status == 403
        details = service.join_details(conn, guest, config, session["id"])
    assert details["display"] == "BS An — Bệnh viện Chợ Rẫy" and details["site"] == "Bệnh viện Chợ Rẫy"
    assert details["case"]["initials"] == "N.T.L." and details["studies"] == []

    async def scenario():
        someone = Participant(details)
        try:
            await someone.join()

            def present():
                with hub.engine.begin() as conn:
                    return service.session_json(conn, session["id"])["present"]
            [row] = await asyncio.to_thread(wait_for, present, what="the person present, from Janus's events")
            assert row["display"] == details["display"] and row["who"] == guest.client_id
        finally:
            await someone.close()  # its Janus session destroyed: the attendance row is closed
        await asyncio.to_thread(wait_for, lambda: not present(), what="the person gone once its session ended")
    asyncio.run(scenario())

    with hub.engine.begin() as conn:
        with pytest.raises(FhirError) as refused:
            service.end(conn, guest, config, session["id"])  # invited, neither starter nor coordinator
        assert refused.value.status == 403
    with hub.engine.begin() as conn:
        done = service.end(conn, coordinator, config, session["id"])
        assert done["state"] == "ended"
        [attended] = service.attendance_rows(conn, session["id"])
        assert attended["who"] == guest.client_id and attended["left_at"] and attended["seconds"] is not None


def test_an_expert_abroad_gets_the_de_identified_case(hub_with_sfu, enrolled):
    hub = hub_with_sfu
    station = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(station)
    marked = station.read("ServiceRequest", CASE)
    marked["extension"] = [{"url": systems.EXPERT_ABROAD_EXTENSION, "valueBoolean": True}]
    station.put(marked)
    paris = person(hub, "dr.martin", foreign=True)
    with hub.engine.begin() as conn:
        session, _ = service.start(conn, paris, hub.config, CASE)
        details = service.join_details(conn, paris, hub.config, session["id"])
    assert details["case"]["initials"] == "" and details["case"]["age"].endswith("-49")
    assert details["case"]["code"] == "0100A-2026-0042" and details["case"]["sex"] == "female"
