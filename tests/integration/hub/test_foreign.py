"""Experts abroad read the de-identified case only, and only the cases the station marked for them.

Every JSON answer a foreign expert can get (read, search, history, vread, the thread and inbox
services, the answer to their own write) is scanned for the patient's name with and without
accents, CCCD, BHYT, phone, address and exact date of birth.
"""

import dataclasses
import json
import unicodedata
import uuid
from datetime import date, datetime, timezone

import httpx
import pytest

from app.wire import consultation as wire
from app.wire import mapping, systems
from server import consultation
from server.outcome import FhirError
from server.redaction import age_band, identity_of, scrub
from server.uploads import FileStore

from .conftest import Raw
from .test_consultation import EXPERT, PATIENT, pdf_text, person, reply, services, submit

FOREIGN = person("Jean Martin", "expert", "k", "oncology", foreign=True, title="Pr")
SECRETS = (PATIENT["full_name"], PATIENT["cccd"], PATIENT["bhyt"], PATIENT["phone"], PATIENT["address_line"],
           "1978-03-14", "14/03/1978")
KINDS = ("Patient", "ServiceRequest", "Task", "Observation", "Condition", "Communication", "DocumentReference",
         "Composition", "Provenance")


def fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def assert_no_identity(answer) -> None:
    text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False, default=str)
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), secret
        assert fold(secret) not in fold(text), secret


def as_json(value) -> str:
    return json.dumps(dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value,
                      ensure_ascii=False, default=str)


@pytest.fixture
def cases(hub, enrolled):
    """A case marked for an expert abroad, full of quotes of its patient, and one that is not marked."""
    station = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    marked = submit(station, "0100A", foreign=True, number=1)
    unmarked = submit(station, "0100A", number=2, full_name="Lò Văn Páo")
    reply(station, marked, text="Bệnh nhân dang thi hong nhung, CCCD 001178012345, ở số 12 ngõ 34 phố hàng bông")
    station.put({"resourceType": "DocumentReference", "id": "photo-1", "status": "current",
                 "subject": {"reference": f"Patient/{marked.patient.id}", "display": PATIENT["full_name"]},
                 "description": "Ảnh tổn thương của ĐẶNG THỊ HỒNG NHUNG",
                 "context": {"related": [{"reference": f"ServiceRequest/{marked.id}"}]},
                 "content": [{"attachment": {"contentType": "image/jpeg", "url": "/files/0123456789abcdef0123456789abcdef",
                                             "title": "Dang Thi Hong Nhung 0912345678.jpg"}}]})
    station.put({"resourceType": "Observation", "id": "pulse-1", "status": "final", "code": {"text": "Mạch"},
                 "subject": {"reference": f"Patient/{marked.patient.id}"},
                 "basedOn": [{"reference": f"ServiceRequest/{marked.id}"}], "valueQuantity": {"value": 88},
                 "note": [{"text": "Đo tại nhà Đặng Thị Hồng Nhung, gọi 0912345678"}]})
    with services(hub) as conn:
        consultation.post_message(conn, EXPERT, marked.id, wire.QUESTION, "Chị Nhung (BHYT DN4010123456789) có đau?")
        draft = consultation.save_draft(conn, EXPERT, marked.id, [wire.Issue("Chẩn đoán", "Bà Đặng Thị Hồng Nhung: "
                                                                             "ung thư vú")], "Phẫu thuật", "")
        consultation.sign(conn, EXPERT, draft["id"], hub.config.secret, files=FileStore(hub.config.files_dir))
    return station, marked, unmarked


def test_the_services_give_a_foreign_expert_the_de_identified_marked_case_only(hub, cases):
    _, marked, unmarked = cases
    with services(hub) as conn:
        rows = consultation.inbox(conn, FOREIGN)
        assert [r.request_id for r in rows] == [marked.id]
        assert (rows[0].patient_name, rows[0].age, rows[0].age_band, rows[0].sex) == ("", None, "40-49", "female")
        seen = consultation.thread(conn, FOREIGN, marked.id)
        assert seen.patient["extension"][0]["valueString"] == "40-49" and seen.patient["gender"] == "female"
        assert seen.current is not None and "ung thư vú" in seen.current.issues[0].conclusion
        assert len(seen.messages) >= 2 and len(seen.attachments) == 1
        assert_no_identity(as_json(rows))
        assert_no_identity(as_json(seen))
        with pytest.raises(FhirError) as refused:
            consultation.thread(conn, FOREIGN, unmarked.id)
        assert refused.value.status == 404
        store = consultation.common.store
        for kind in KINDS:
            found = store.select(conn, FOREIGN, kind)
            assert found, kind
            assert_no_identity(found)
            for resource in found:
                assert mapping.request_id_of(resource) in (marked.id, None)
                assert_no_identity(store.read(conn, FOREIGN, kind, resource["id"]))
                assert_no_identity(store.history(conn, FOREIGN, kind, resource["id"]))
        written = consultation.post_message(conn, FOREIGN, marked.id, wire.NOTE, "Vu")
        assert_no_identity(written)
        assert [wire.is_pseudonymous(m) for m in seen.minutes] == [True]  # the copy without the identity only
    with services(hub) as conn:  # the experts at home still read the whole record, and the minutes naming them
        at_home = consultation.thread(conn, EXPERT, marked.id)
        assert at_home.patient["name"][0]["text"] == PATIENT["full_name"]
        assert [wire.is_pseudonymous(m) for m in at_home.minutes] == [False]


def test_the_api_gives_a_foreign_expert_client_the_de_identified_marked_case_only(hub, enrolled, cases):
    _, marked, unmarked = cases
    client = enrolled(hub, "expert", hospital="k", specialty="oncology", name="Dr Dupont", foreign=True)
    raw = Raw(hub, client)
    answers = []
    for kind in KINDS:
        bundle = raw("GET", f"/{kind}", params={"_count": "100"})
        assert bundle.status_code == 200
        answers.append(bundle.text)
        ids = [e["resource"]["id"] for e in bundle.json().get("entry", [])]
        assert ids, kind
        for resource_id in ids:
            for path in (f"/{kind}/{resource_id}", f"/{kind}/{resource_id}/_history",
                         f"/{kind}/{resource_id}/_history/1"):
                answer = raw("GET", path)
                assert answer.status_code in (200, 404), (path, answer.status_code)
                answers.append(answer.text)
        for params in ({"patient": marked.patient.id}, {"based-on": marked.id}):
            if kind not in ("Patient", "Provenance"):
                answers.append(raw("GET", f"/{kind}", params=params).text)
    for answer in answers:
        assert_no_identity(answer)
    station = cases[0]
    minutes = {wire.is_pseudonymous(d): d["content"][0]["attachment"]["url"]
               for client_ in (station, client) for d in client_.search("DocumentReference", {"based-on": marked.id})
               if wire.is_minutes(d)}
    assert [wire.is_pseudonymous(d) for d in station.search("DocumentReference", {"based-on": marked.id})
            if wire.is_minutes(d)] == [False]  # the station: its one minutes per conclusion
    assert raw("GET", minutes[False]).status_code == 404  # the minutes naming the patient stay at home
    copy = raw("GET", minutes[True])
    assert copy.status_code == 200
    text = pdf_text(copy.content)
    assert "40-49" in text and "ung thư vú" in text
    assert_no_identity(text)
    at_home = httpx.get(hub.url + minutes[False], headers=Raw(hub, station).headers)
    assert PATIENT["full_name"] in pdf_text(at_home.content)
    assert raw("GET", f"/ServiceRequest/{unmarked.id}").status_code == 404
    assert raw("GET", f"/Patient/{unmarked.patient.id}").status_code == 404
    message = wire.message(str(uuid.uuid4()), marked.id, marked.patient.id, wire.QUESTION, "Biopsy?",
                           mapping.instant(datetime.now(timezone.utc)))
    written = raw("PUT", f"/Communication/{message['id']}", json=message)
    assert written.status_code == 201
    assert_no_identity(written.text)


def test_scrub_masks_quotes_with_or_without_accents_and_keeps_the_rest():
    identity = identity_of({"resourceType": "Patient", "name": [{"text": "Đặng Thị Hồng Nhung"}],
                            "identifier": [{"system": systems.CCCD, "value": "001178012345"}]})
    decomposed = unicodedata.normalize("NFD", "bà Đặng Thị Hồng Nhung")
    assert scrub("Gửi bà ĐẶNG  THỊ hồng nhung, CCCD 001178012345.", identity) == "Gửi bà […], CCCD […]."
    assert scrub("dang thi hong nhung", identity) == "[…]"
    assert scrub(decomposed, identity) == unicodedata.normalize("NFD", "bà ") + "[…]"
    assert scrub("Khối u vú trái 2cm", identity) == "Khối u vú trái 2cm"
    on = date(2026, 11, 30)
    assert age_band("1978-03-14", on) == "40-49" and age_band("", on) == "" and age_band("1930", on) == "90+"
