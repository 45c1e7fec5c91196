"""What a record may point at, who reads it after re-routing, and messages nobody can rewrite or forge."""

import json
from datetime import datetime, timezone

from sqlalchemy import insert

from app.wire import systems
from server.tables import resources

from .conftest import Raw
from .test_access import consultation


def message(mid, case_id, patient_id, text, **extra):
    return {"resourceType": "Communication", "id": mid, "status": "completed",
            "basedOn": [{"reference": f"ServiceRequest/{case_id}"}], "subject": {"reference": f"Patient/{patient_id}"},
            "payload": [{"contentString": text}], **extra}


def put(raw, resource, **headers):
    return raw("PUT", f"/{resource['resourceType']}/{resource['id']}", content=json.dumps(resource), headers=headers)


# -- 2: references resolve only inside the facility --------------------------------------------

def test_a_station_cannot_point_its_consultation_at_another_facilitys_patient(hub, enrolled):
    a, b = enrolled(hub, facility="0100A"), enrolled(hub, facility="0200B")
    a.transaction(consultation("case-a", "pat-a"))
    raw_b = Raw(hub, b)
    hijack = consultation("case-b", "pat-a")[1]  # B's own request, A's patient
    refused = put(raw_b, hijack)
    assert refused.status_code == 422, refused.text
    assert "ServiceRequest.subject" in json.dumps(refused.json()) and "Patient/pat-a" in refused.text
    # The same answer for a patient that does not exist at all: B learns nothing.
    missing = put(raw_b, dict(hijack, subject={"reference": "Patient/nobody"}))
    assert missing.status_code == 422
    assert refused.json()["issue"][0]["diagnostics"].replace("pat-a", "X") == \
        missing.json()["issue"][0]["diagnostics"].replace("nobody", "X")
    # Every reference field, and inside a transaction too.
    b.transaction(consultation("case-b2", "pat-b"))
    note = message("m-b", "case-b2", "pat-b", "x", inResponseTo=[{"reference": "Communication/none"}])
    assert put(raw_b, note).status_code == 422
    observation = {"resourceType": "Observation", "id": "o-b", "status": "final", "code": {"text": "x"},
                   "subject": {"reference": "Patient/pat-b"},
                   "basedOn": [{"reference": "ServiceRequest/case-b2"}, {"reference": "ServiceRequest/case-a"}]}
    assert put(raw_b, observation).status_code == 422
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": hijack, "request": {"method": "PUT", "url": "ServiceRequest/case-b"}}]}
    assert raw_b("POST", "/", content=json.dumps(bundle)).status_code == 422
    assert put(raw_b, dict(hijack, subject={"reference": "http://elsewhere.example/Patient/1"})).status_code == 422
    # Its own patient, and contained resources, are fine.
    assert put(raw_b, dict(hijack, subject={"reference": "Patient/pat-b"})).status_code == 201


def test_an_expert_reads_only_patients_of_the_consultations_own_facility(hub, enrolled):
    a = enrolled(hub, facility="0100A")
    a.transaction(consultation("case-a", "pat-a", hospital="k", specialty="oncology"))
    # A row the write checks would refuse, as a database from before them may hold.
    forged = consultation("case-b", "pat-a")[1]
    with hub.engine.begin() as conn:
        conn.execute(insert(resources).values(
            type="ServiceRequest", id="case-b", version=1, last_updated=datetime.now(timezone.utc), facility="0200B",
            request_id="case-b", patient_id="pat-a", hospital="bachmai", specialty="cardiology",
            content=dict(forged, meta={"versionId": "1"})))
    cardiologist = Raw(hub, enrolled(hub, "expert", hospital="bachmai", specialty="cardiology"))
    assert cardiologist("GET", "/Patient/pat-a").status_code == 404
    assert cardiologist("GET", "/Patient").json().get("entry", []) == []


# -- 3: expert access follows the consultation's current routing -------------------------------

def test_after_rerouting_the_old_expert_loses_access_and_the_new_one_gains_it(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    records = consultation("case-r", "pat-r")
    observation = {"resourceType": "Observation", "id": "obs-r", "status": "final", "code": {"text": "Mạch"},
                   "subject": {"reference": "Patient/pat-r"}, "basedOn": [{"reference": "ServiceRequest/case-r"}]}
    station.transaction(records + [observation])
    old = Raw(hub, enrolled(hub, "expert", hospital="bachmai", specialty="cardiology"))
    new = Raw(hub, enrolled(hub, "expert", hospital="k", specialty="oncology"))
    assert put(old, message("ans-r", "case-r", "pat-r", "Cần thêm ảnh")).status_code == 201
    assert old("GET", "/Observation/obs-r").status_code == 200
    assert new("GET", "/Observation/obs-r").status_code == 404
    rerouted = dict(records[1], performer=[{"identifier": {"system": systems.CENTRAL_HOSPITAL, "value": "k"}}],
                    category=[{"coding": [{"system": systems.SPECIALTY, "code": "oncology"}]}])
    station.put(rerouted)
    for kind, rid in (("Observation", "obs-r"), ("Communication", "ans-r"), ("Task", "task-case-r"),
                      ("ServiceRequest", "case-r"), ("Patient", "pat-r")):
        assert old("GET", f"/{kind}/{rid}").status_code == 404, kind
        assert old("GET", f"/{kind}/{rid}/_history").status_code == 404, kind
        assert old("GET", f"/{kind}").json().get("entry", []) == [], kind
        assert new("GET", f"/{kind}/{rid}").status_code == 200, kind
        assert [e["resource"]["id"] for e in new("GET", f"/{kind}").json()["entry"]] == [rid], kind
    assert put(old, message("ans-r2", "case-r", "pat-r", "Late")).status_code == 404
    task = new("GET", "/Task/task-case-r").json()
    assert put(old, dict(task, status="accepted"), **{"If-Match": 'W/"1"'}).status_code == 404
    assert put(new, dict(task, status="accepted"), **{"If-Match": 'W/"1"'}).status_code == 200


# -- 4: messages are append-only, and the hub names their author ------------------------------

def test_nobody_rewrites_a_message_and_the_sender_comes_from_the_token(hub, enrolled):
    station = enrolled(hub, facility="0100A", name="BV huyện Ba Vì")
    station.transaction(consultation("case-m", "pat-m"))
    raw_station = Raw(hub, station)
    expert = Raw(hub, enrolled(hub, "expert", hospital="bachmai", specialty="cardiology", name="GS. Trần Văn Hùng"))
    forged = {"display": "GS. Trần Văn Hùng (Bạch Mai)", "identifier": {"system": "x", "value": "expert"}}
    question = put(raw_station, message("q-1", "case-m", "pat-m", "Xin ý kiến", sender=forged))
    assert question.status_code == 201
    sender = question.json()["sender"]
    assert sender["identifier"] == {"system": systems.FACILITY, "value": "0100A"}
    assert sender["display"] == "BV huyện Ba Vì" and "Hùng" not in question.text
    answer = put(expert, message("a-1", "case-m", "pat-m", "Chụp MSCT tim"))
    assert answer.status_code == 201 and answer.json()["sender"]["display"] == "GS. Trần Văn Hùng"
    assert "bachmai" in json.dumps(answer.json())
    # Nobody rewrites: not the other side, not the author.
    assert put(raw_station, message("a-1", "case-m", "pat-m", "Không cần chụp")).status_code == 409
    assert put(expert, message("q-1", "case-m", "pat-m", "Đổi câu hỏi")).status_code == 409
    rewrite = put(expert, message("a-1", "case-m", "pat-m", "Chụp MRI"))
    assert rewrite.status_code == 409 and "correction" in rewrite.json()["issue"][0]["diagnostics"]
    # A retried PUT of the same message is not a change.
    assert put(expert, message("a-1", "case-m", "pat-m", "Chụp MSCT tim")).status_code == 200
    assert expert("GET", "/Communication/a-1").json()["payload"][0]["contentString"] == "Chụp MSCT tim"
    assert expert("GET", "/Communication/a-1").json()["meta"]["versionId"] == "1"
    # A correction is a new message naming the one it corrects; only its author may make one.
    corrects = [{"url": systems.CORRECTS_EXTENSION, "valueReference": {"reference": "Communication/a-1"}}]
    assert put(raw_station, message("a-1c", "case-m", "pat-m", "x", extension=corrects)).status_code == 403
    fixed = put(expert, message("a-1c", "case-m", "pat-m", "Chụp MRI tim", extension=corrects))
    assert fixed.status_code == 201
    assert expert("GET", "/Communication/a-1").json()["payload"][0]["contentString"] == "Chụp MSCT tim"


# -- 6: writes answer like reads; meta changes are kept -----------------------------------------

def test_a_write_to_another_facilitys_id_answers_like_a_read(hub, enrolled):
    a, b = enrolled(hub, facility="0100A"), enrolled(hub, facility="0200B")
    a.transaction(consultation("case-a", "pat-a"))
    raw_b = Raw(hub, b)
    hijack = {"resourceType": "Patient", "id": "pat-a", "name": [{"text": "X"}]}
    for headers in ({}, {"If-Match": 'W/"1"'}, {"If-Match": 'W/"7"'}):
        reply = put(raw_b, hijack, **headers)
        assert reply.status_code == 404, (headers, reply.text)
        assert reply.json()["issue"][0]["diagnostics"] == raw_b("GET", "/Patient/pat-a").json()["issue"][0]["diagnostics"]
        assert "version" not in reply.text
    # An id nobody has answers the same way: nothing tells "elsewhere" from "nowhere".
    nowhere = put(raw_b, dict(hijack, id="nobody"), **{"If-Match": 'W/"1"'})
    assert nowhere.status_code == 404 and "version" not in nowhere.text
    b.transaction(consultation("case-b", "pat-b"))
    observation = {"resourceType": "Observation", "id": "o-probe", "status": "final", "code": {"text": "x"},
                   "subject": {"reference": "Patient/pat-b"}}
    elsewhere = put(raw_b, dict(observation, basedOn=[{"reference": "ServiceRequest/case-a"}]))
    missing = put(raw_b, dict(observation, basedOn=[{"reference": "ServiceRequest/case-none"}]))
    assert elsewhere.status_code == missing.status_code == 404
    assert elsewhere.json()["issue"][0]["diagnostics"].replace("case-a", "X") == \
        missing.json()["issue"][0]["diagnostics"].replace("case-none", "X")
    expert = Raw(hub, enrolled(hub, "expert", hospital="k", specialty="oncology"))
    assert put(expert, message("m-x", "case-a", "pat-a", "x")).status_code == 404
    assert put(expert, message("m-y", "case-none", "pat-a", "x")).status_code == 404


def test_a_put_that_changes_only_tags_or_security_labels_is_kept(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="0100A"))
    patient = {"resourceType": "Patient", "id": "p-t", "name": [{"text": "An"}]}
    assert put(raw, patient).status_code == 201
    labelled = dict(patient, meta={"security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                                                 "code": "R"}], "tag": [{"system": "urn:x", "code": "vip"}]})
    changed = put(raw, labelled)
    assert changed.status_code == 200 and changed.headers["ETag"] == 'W/"2"'
    read = raw("GET", "/Patient/p-t").json()
    assert read["meta"]["security"][0]["code"] == "R" and read["meta"]["tag"][0]["code"] == "vip"
    assert put(raw, labelled).headers["ETag"] == 'W/"2"'  # the same again is no new version
