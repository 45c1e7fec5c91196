"""The written consultation at service level (server/consultation) on a real hub, SQLite and PostgreSQL.

Stations talk to the hub over HTTP with their enrolled clients; console people (coordinator,
experts) act through the services the console calls, with Principals as the console builds them.
"""

import uuid
from datetime import date, datetime, timedelta, timezone

import httpx
import pypdfium2 as pdfium
import pytest
from sqlalchemy import update

from app.domain.case import ConsultationCase, Patient
from app.domain.lifecycle import Urgency
from app.sync.hub_client import HubRejected
from app.wire import consultation as wire
from app.wire import mapping
from server import consultation
from server.access import Principal
from server.outcome import FhirError
from server.tables import resources
from server.uploads import FileStore

from .conftest import Raw

PATIENT = dict(full_name="Đặng Thị Hồng Nhung", birth="14/03/1978", sex="female", cccd="001178012345",
               bhyt="DN4010123456789", phone="0912345678", address_line="Số 12 ngõ 34 phố Hàng Bông")


def submit(station, facility: str, *, hospital="k", specialty="oncology", urgency=Urgency.ROUTINE,
           created: datetime | None = None, foreign=False, number=1, **patient) -> ConsultationCase:
    """A case as the station's sync sends it: the records in one transaction, then its Task (create only)."""
    case = ConsultationCase(
        patient=Patient(**{**PATIENT, **patient}), urgency=urgency, specialty=specialty, hospital=hospital,
        reason="Khối u vú trái", question="Xin ý kiến điều trị bà Đặng Thị Hồng Nhung, SĐT 0912345678",
        history="Phát hiện khối u 3 tháng", examination="Khối u 2cm", treatment="Chưa điều trị",
        diagnosis_code="C50.9", diagnosis_text="U vú trái", foreign_expert=foreign, number=number,
        created_at=created or datetime.now(timezone.utc))
    station.transaction(mapping.case_resources(case, facility))
    station.put(mapping.task_resource(case, facility), create_only=True)
    return case


def person(name: str, role: str, hospital: str, specialty: str = "", *, foreign=False, title="") -> Principal:
    """A console person as the console's session makes them."""
    key = name.lower().replace(" ", "-")
    return Principal(f"console-{key}", "expert", hospital=hospital, specialty=specialty, name=name,
                     person_id=f"p-{key}", role=role, title=title, foreign=foreign)


def station_of(facility: str) -> Principal:
    return Principal(f"station-{facility}", "station", facility=facility)


def reply(station, case: ConsultationCase, kind=wire.REPLY, text="Đã gửi thêm phim", **fields) -> dict:
    message = wire.message(str(uuid.uuid4()), case.id, case.patient.id, kind, text,
                           mapping.instant(datetime.now(timezone.utc)), **fields)
    return station.put(message)


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def services(hub):
    """A transaction on the hub's database, as a console request has one."""
    return hub.engine.begin()


COORDINATOR = person("Lê Thị Điều Phối", "coordinator", "k")
EXPERT = person("Nguyễn Văn An", "expert", "k", "oncology", title="PGS.TS")
COLLEAGUE = person("Trần Văn Bình", "expert", "k", "oncology", title="TS")
ISSUES = [wire.Issue("Chẩn đoán", "Ung thư vú trái giai đoạn II"), wire.Issue("Điều trị", "Phẫu thuật rồi hóa trị")]


def test_the_written_loop(hub, enrolled):
    station = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case = submit(station, "0100A", urgency=Urgency.URGENT)
    raw = Raw(hub, station)
    with services(hub) as conn:
        consultation.assign(conn, COORDINATOR, case.id, EXPERT.name, EXPERT.person_id)
    task = station.read("Task", mapping.task_id(case.id))
    assert task["status"] == "accepted" and task["owner"]["display"] == EXPERT.name
    with services(hub) as conn:
        consultation.post_message(conn, EXPERT, case.id, wire.QUESTION, "Xin phim CT ngực có thuốc")
    reply(station, case, text="Đã chụp, gửi kèm")
    kinds = [(m.kind, m.change) for m in map(wire.read_message, station.search("Communication",
                                                                               {"based-on": case.id}))]
    assert (wire.STATUS, wire.ASSIGNED) in kinds and (wire.QUESTION, "") in kinds and (wire.REPLY, "") in kinds

    with services(hub) as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES[:1], "Phẫu thuật", "Tái khám sau 1 tháng")
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Phẫu thuật bảo tồn", "Tái khám sau 1 tháng",
                                        draft_id=draft["id"])
    assert draft["meta"]["versionId"] == "2" and draft["status"] == "preliminary"
    assert draft["contained"][0]["practitioner"]["display"] == EXPERT.name
    for path in (f"/Composition/{draft['id']}", f"/Composition/{draft['id']}/_history",
                 f"/Composition/{draft['id']}/_history/1"):
        assert raw("GET", path).status_code == 404, path
    for params in ({}, {"_id": draft["id"]}, {"based-on": case.id}, {"patient": case.patient.id}):
        assert list(station.search("Composition", params)) == []
    with services(hub) as conn:
        station_thread = consultation.thread(conn, station_of("0100A"), case.id)
        assert station_thread.conclusions == [] and station_thread.current is None
        assert [c.status for c in consultation.thread(conn, EXPERT, case.id).conclusions] == ["preliminary"]

    with services(hub) as conn:
        composition, provenance = consultation.sign(conn, EXPERT, draft["id"], hub.config.secret,
                                                    files=FileStore(hub.config.files_dir))
    final = station.read("Composition", draft["id"])
    assert final["status"] == "final" and final["attester"][0]["mode"] == "legal"
    conclusion = wire.read_conclusion(final)
    assert conclusion.signed_by == EXPERT.name and "PGS.TS" in conclusion.signer_detail
    assert [i.conclusion for i in conclusion.issues] == [i.conclusion for i in ISSUES]
    history = raw("GET", f"/Composition/{draft['id']}/_history").json()["entry"]
    assert [e["resource"]["status"] for e in history] == ["final"]  # its drafts stay with the experts
    signature = station.read("Provenance", provenance["id"])
    assert signature["target"][0]["reference"] == f"Composition/{draft['id']}/_history/3"
    assert signature["signature"][0]["sigFormat"] == "application/jose"
    with services(hub) as conn:
        assert consultation.verify(conn, draft["id"], hub.config.secret)
        assert not consultation.verify(conn, draft["id"], b"another hub's secret, as long as a real one")

    minutes = [d for d in station.search("DocumentReference", {"based-on": case.id}) if wire.is_minutes(d)]
    assert len(minutes) == 1 and wire.minutes_composition(minutes[0]) == draft["id"]
    pdf = httpx.get(hub.url + minutes[0]["content"][0]["attachment"]["url"], headers=raw.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    with services(hub) as conn:
        amended = consultation.amend(conn, EXPERT, draft["id"], treatment="Phẫu thuật cắt toàn bộ vú trái")
        consultation.sign(conn, EXPERT, amended["id"], hub.config.secret, files=FileStore(hub.config.files_dir))
    assert station.read("Composition", draft["id"]) == final  # the old one never changes
    minutes = {wire.minutes_composition(d): d for d in station.search("DocumentReference", {"based-on": case.id})
               if wire.is_minutes(d)}
    assert set(minutes) == {draft["id"], amended["id"]}
    pdf = httpx.get(hub.url + minutes[amended["id"]]["content"][0]["attachment"]["url"], headers=raw.headers)
    text = " ".join(pdf_text(pdf.content).split())
    assert "thay thế phiên bản 1" in text and "Phẫu thuật cắt toàn bộ vú trái" in text
    with services(hub) as conn:
        seen = consultation.thread(conn, station_of("0100A"), case.id)
    assert seen.current.id == amended["id"] and seen.current.replaces == draft["id"]
    assert seen.current.treatment == "Phẫu thuật cắt toàn bộ vú trái"
    assert {c.id for c in seen.conclusions} == {draft["id"], amended["id"]}

    reply(station, case, wire.OUTCOME, "Đã mổ, ổn định", outcome=wire.Outcome("improved", date.today()))
    with services(hub) as conn:
        seen = consultation.thread(conn, EXPERT, case.id)
    assert seen.outcome.outcome.code == "improved" and not seen.no_feedback


def test_a_tampered_conclusion_fails_verification(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    case = submit(station, "0100A")
    with services(hub) as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Hóa trị", "")
        consultation.sign(conn, EXPERT, draft["id"], hub.config.secret)
        assert consultation.verify(conn, draft["id"], hub.config.secret)
        stored = consultation.thread(conn, EXPERT, case.id).compositions[draft["id"]]
        changed = {**stored, "section": stored["section"][1:]}  # an issue dropped behind the hub's back
        conn.execute(update(resources).where(resources.c.type == "Composition", resources.c.id == draft["id"])
                     .values(content=changed))
        assert not consultation.verify(conn, draft["id"], hub.config.secret)


def test_the_minutes_follow_the_signature_once_and_by_the_signer(hub, enrolled):
    """Signed first (the station hears of it at once), the PDF made in the next transaction, exactly once."""
    station = enrolled(hub, facility="0100A")
    case = submit(station, "0100A")
    files = FileStore(hub.config.files_dir)
    with services(hub) as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Hóa trị", "Tái khám sau 3 tuần")
        consultation.sign(conn, EXPERT, draft["id"], hub.config.secret)
    assert station.read("Composition", draft["id"])["status"] == "final"  # readable before any PDF exists
    minutes = consultation.minutes_id(draft["id"], pseudonymous=False)
    with pytest.raises(HubRejected):
        station.read("DocumentReference", minutes)
    with services(hub) as conn:
        assert consultation.make_minutes_of(conn, COLLEAGUE, draft["id"], files) == 0  # not theirs to sign for
        assert consultation.make_minutes_of(conn, EXPERT, draft["id"], files) == 1
        assert consultation.make_minutes_of(conn, EXPERT, draft["id"], files) == 0  # made already: not again
    document = station.read("DocumentReference", minutes)
    assert wire.is_minutes(document) and wire.minutes_composition(document) == draft["id"]
    pdf = httpx.get(hub.url + document["content"][0]["attachment"]["url"], headers=Raw(hub, station).headers)
    assert "Tái khám sau 3 tuần" in pdf_text(pdf.content)


def test_a_signed_conclusion_never_changes_and_a_draft_is_its_authors(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    case = submit(station, "0100A")
    with services(hub) as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Hóa trị", "")
    with services(hub) as conn, pytest.raises(FhirError) as refused:
        consultation.save_draft(conn, COLLEAGUE, case.id, ISSUES, "Xạ trị", "", draft_id=draft["id"])
    assert refused.value.status == 403
    with services(hub) as conn, pytest.raises(FhirError) as refused:
        consultation.sign(conn, COLLEAGUE, draft["id"], hub.config.secret)
    assert refused.value.status == 403
    with services(hub) as conn, pytest.raises(consultation.InvalidInput) as invalid:
        empty = consultation.save_draft(conn, EXPERT, case.id, [wire.Issue("Chẩn đoán", "")], "", "")
        consultation.sign(conn, EXPERT, empty["id"], hub.config.secret)
    assert invalid.value.field == "issues.0.conclusion" and "kết luận" in invalid.value.message
    with services(hub) as conn:
        consultation.sign(conn, EXPERT, draft["id"], hub.config.secret)
    signed = {k: v for k, v in station.read("Composition", draft["id"]).items() if k != "meta"}
    for attempt in (lambda conn: consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Khác", "",
                                                         draft_id=draft["id"]),
                    lambda conn: consultation.sign(conn, EXPERT, draft["id"], hub.config.secret),
                    lambda conn: consultation.common.store.put(conn, EXPERT, {**signed, "title": "Sửa"}, service=True)):
        with services(hub) as conn, pytest.raises(FhirError) as refused:
            attempt(conn)
        assert refused.value.status == 409
    assert station.read("Composition", draft["id"])["meta"]["versionId"] == "2"


def test_nobody_writes_conclusions_or_minutes_through_the_api(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    expert = enrolled(hub, "expert", hospital="k", specialty="oncology")
    case = submit(station, "0100A")
    composition = wire.conclusion("c-api", case.id, case.patient.id, ISSUES, "Hóa trị", "", status="final",
                                  date_=mapping.instant(None)) | {"author": [{"display": "ai đó"}]}
    provenance = {"resourceType": "Provenance", "id": "p-api", "recorded": mapping.instant(None),
                  "target": [{"reference": "Composition/c-api"}],
                  "agent": [{"who": {"display": "ai đó"}}]}
    for client in (station, expert):
        for resource in (composition, provenance):
            reply_ = Raw(hub, client)("PUT", f"/{resource['resourceType']}/{resource['id']}", json=resource)
            assert reply_.status_code == 403, reply_.text
            assert "console" in reply_.json()["issue"][0]["diagnostics"]
    minutes = wire.minutes_reference("m-api", case.id, case.patient.id, "c-api", "/files/x", 1, "AA==", "0" * 64,
                                     mapping.instant(None), "Biên bản giả")
    with pytest.raises(HubRejected) as refused:
        station.put(minutes)
    assert refused.value.status == 403


def test_triage_belongs_to_coordinators_and_a_decline_needs_its_reason(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    case = submit(station, "0100A")
    with services(hub) as conn, pytest.raises(FhirError) as refused:
        consultation.decline(conn, EXPERT, case.id, "Không thuộc chuyên khoa")
    assert refused.value.status == 403
    with services(hub) as conn, pytest.raises(FhirError) as refused:
        consultation.assign(conn, EXPERT, case.id, COLLEAGUE.name, COLLEAGUE.person_id)
    assert refused.value.status == 403
    with services(hub) as conn, pytest.raises(consultation.InvalidInput) as invalid:
        consultation.decline(conn, COORDINATOR, case.id, "   ")
    assert invalid.value.field == "reason" and invalid.value.message == "Cần ghi lý do từ chối."
    with services(hub) as conn:
        consultation.decline(conn, COORDINATOR, case.id, "Cần chuyển Bệnh viện Bạch Mai")
    task = station.read("Task", mapping.task_id(case.id))
    assert task["status"] == "rejected" and task["statusReason"]["text"] == "Cần chuyển Bệnh viện Bạch Mai"
    status = [m for m in map(wire.read_message, station.search("Communication", {"based-on": case.id}))
              if m.kind == wire.STATUS]
    assert [(m.change, m.text, m.author) for m in status] == [
        (wire.DECLINED, "Cần chuyển Bệnh viện Bạch Mai", COORDINATOR.name)]
    with services(hub) as conn, pytest.raises(FhirError) as refused:  # the page showed the Task before the decline
        consultation.assign(conn, COORDINATOR, case.id, EXPERT.name, EXPERT.person_id, if_match=1)
    assert refused.value.status == 412
    with services(hub) as conn:
        consultation.accept(conn, EXPERT, case.id, if_match=2)  # the routed expert takes it after all, and owns it
    task = station.read("Task", mapping.task_id(case.id))
    assert task["status"] == "accepted" and task["owner"]["identifier"]["value"] == EXPERT.person_id
    with services(hub) as conn:  # owned: a colleague may no longer write the conclusion
        with pytest.raises(FhirError) as refused:
            consultation.save_draft(conn, COLLEAGUE, case.id, ISSUES, "", "")
    assert refused.value.status == 403


def test_a_station_may_not_forge_a_status_change_and_reports_a_valid_outcome(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    case = submit(station, "0100A")
    with pytest.raises(HubRejected) as refused:
        reply(station, case, wire.STATUS, "Đã nhận", change=wire.ACCEPTED)
    assert refused.value.status == 403
    for bad in (wire.Outcome("improved", date.today() + timedelta(days=3)), None):
        message = wire.message(str(uuid.uuid4()), case.id, case.patient.id, wire.OUTCOME, "?",
                               mapping.instant(None), outcome=bad)
        answer = Raw(hub, station)("PUT", f"/Communication/{message['id']}", json=message)
        assert answer.status_code == 422, answer.text
    odd = wire.message(str(uuid.uuid4()), case.id, case.patient.id, wire.OUTCOME, "?", mapping.instant(None),
                       outcome=wire.Outcome("improved", date.today()))
    odd["extension"][0]["extension"][0]["valueCode"] = "cured"
    assert Raw(hub, station)("PUT", f"/Communication/{odd['id']}", json=odd).status_code == 422
    expert = enrolled(hub, "expert", hospital="k", specialty="oncology")
    forged = wire.message(str(uuid.uuid4()), case.id, case.patient.id, wire.OUTCOME, "", mapping.instant(None),
                          outcome=wire.Outcome("died", date.today()))
    assert Raw(hub, expert)("PUT", f"/Communication/{forged['id']}", json=forged).status_code == 403


def test_no_feedback_a_month_after_signing_until_the_outcome(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    case = submit(station, "0100A")
    with services(hub) as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Hóa trị", "")
        consultation.sign(conn, EXPERT, draft["id"], hub.config.secret)
    later = datetime.now(timezone.utc) + timedelta(days=31)
    with services(hub) as conn:
        assert not consultation.thread(conn, EXPERT, case.id).no_feedback
        assert consultation.thread(conn, EXPERT, case.id, at=later).no_feedback
        assert [r.no_feedback for r in consultation.inbox(conn, EXPERT, at=later)] == [True]
    reply(station, case, wire.OUTCOME, "", outcome=wire.Outcome("stable", date.today()))
    with services(hub) as conn:
        assert not consultation.thread(conn, EXPERT, case.id, at=later).no_feedback
        assert [r.no_feedback for r in consultation.inbox(conn, EXPERT, at=later)] == [False]


def test_inbox_urgent_first_then_longest_waiting_with_filters(hub, enrolled):
    station = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    other = enrolled(hub, facility="0200B", name="BVĐK tỉnh Hà Giang")
    hours = lambda n: datetime.now(timezone.utc) - timedelta(hours=n)  # noqa: E731
    routine_old = submit(station, "0100A", created=hours(50), number=1)
    routine_new = submit(station, "0100A", created=hours(2), number=2)
    urgent = submit(other, "0200B", urgency=Urgency.URGENT, created=hours(1), number=1)
    emergency = submit(station, "0100A", urgency=Urgency.EMERGENCY, created=hours(0.1), number=3)
    surgery = submit(station, "0100A", specialty="surgery", created=hours(30), number=4)
    elsewhere = submit(station, "0100A", hospital="bachmai", created=hours(70), number=5)
    with services(hub) as conn:
        rows = consultation.inbox(conn, EXPERT)
        assert [r.request_id for r in rows] == [emergency.id, urgent.id, routine_old.id, routine_new.id]
        first = rows[2]
        assert (first.case_number, first.facility, first.facility_name, first.specialty, first.status) == (
            "0100A-1", "0100A", "TTYT huyện Mèo Vạc", "oncology", "requested")
        assert first.patient_name == PATIENT["full_name"] and first.sex == "female" and first.age >= 47
        assert timedelta(hours=49) < first.waited < timedelta(hours=51) and not first.concluded
        assert [r.request_id for r in consultation.inbox(conn, EXPERT, facility="0200B")] == [urgent.id]
        assert [r.request_id for r in consultation.inbox(conn, EXPERT, waiting_hours=24)] == [routine_old.id]
        assert [r.request_id for r in consultation.inbox(conn, COORDINATOR)] == [
            emergency.id, urgent.id, routine_old.id, surgery.id, routine_new.id]
        assert [r.request_id for r in consultation.inbox(conn, COORDINATOR, specialty="surgery")] == [surgery.id]
        consultation.decline(conn, COORDINATOR, routine_new.id, "Trùng ca")
        assert [r.request_id for r in consultation.inbox(conn, EXPERT, status="rejected")] == [routine_new.id]
        assert len(consultation.inbox(conn, EXPERT, status=("requested",))) == 3
        assert len(consultation.inbox(conn, EXPERT, limit=2)) == 2
        assert elsewhere.id not in {r.request_id for r in consultation.inbox(conn, COORDINATOR)}


@pytest.mark.parametrize("outsider", [
    person("Phạm Văn Cường", "expert", "bachmai", "oncology"),        # another hospital
    person("Hoàng Thị Dung", "expert", "k", "surgery"),               # another specialty
    person("Vũ Văn Em", "coordinator", "bachmai"),                    # another hospital's coordinator
    person("Quản Trị", "admin", ""),                                  # an administrator: no clinical data
    person("Jean Martin", "expert", "k", "oncology", foreign=True),   # abroad, and the case is not marked so
    station_of("0200B"),                                              # another facility's station
], ids=["other-hospital", "other-specialty", "other-coordinator", "admin", "foreign-unmarked", "other-station"])
def test_outsiders_get_nothing(hub, enrolled, outsider):
    station = enrolled(hub, facility="0100A")
    case = submit(station, "0100A")
    with services(hub) as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Hóa trị", "")
    with services(hub) as conn:
        if not outsider.is_station:
            assert consultation.inbox(conn, outsider) == []
        for kind in ("ServiceRequest", "Patient", "Task", "Composition", "Communication"):
            assert consultation.common.store.select(conn, outsider, kind) == []
    attempts = [lambda conn: consultation.thread(conn, outsider, case.id),
                lambda conn: consultation.post_message(conn, outsider, case.id, wire.QUESTION, "?"),
                lambda conn: consultation.accept(conn, outsider, case.id),
                lambda conn: consultation.decline(conn, outsider, case.id, "Không"),
                lambda conn: consultation.save_draft(conn, outsider, case.id, ISSUES, "", ""),
                lambda conn: consultation.sign(conn, outsider, draft["id"], hub.config.secret),
                lambda conn: consultation.amend(conn, outsider, draft["id"])]
    for attempt in attempts:
        with services(hub) as conn, pytest.raises(FhirError) as refused:
            attempt(conn)
        assert refused.value.status == 404  # as for a consultation that does not exist
