"""A station sees only its own facility; an expert only what is routed to them; revoked is revoked."""

import json

import pytest

from app.sync.hub_client import HubClient, HubRejected, enroll, new_key_pair
from app.wire import systems

from .conftest import Raw


def consultation(case_id, patient_id, hospital="bachmai", specialty="cardiology"):
    return [
        {"resourceType": "Patient", "id": patient_id, "name": [{"text": "Phạm Văn C"}]},
        {"resourceType": "ServiceRequest", "id": case_id, "status": "active", "intent": "order",
         "subject": {"reference": f"Patient/{patient_id}"},
         "category": [{"coding": [{"system": systems.SPECIALTY, "code": specialty}]}],
         "performer": [{"identifier": {"system": systems.CENTRAL_HOSPITAL, "value": hospital}}]},
        {"resourceType": "Task", "id": f"task-{case_id}", "status": "requested", "intent": "order",
         "basedOn": [{"reference": f"ServiceRequest/{case_id}"}], "for": {"reference": f"Patient/{patient_id}"}},
    ]


def test_station_cannot_read_search_or_write_another_facilitys_records(hub, enrolled):
    a, b = enrolled(hub, facility="0100A"), enrolled(hub, facility="0200B")
    a.transaction(consultation("case-a", "pat-a"))
    raw_b = Raw(hub, b)
    assert raw_b("GET", "/Patient/pat-a").status_code == 404
    assert raw_b("GET", "/ServiceRequest/case-a/_history").status_code == 404
    assert raw_b("GET", "/Patient").json().get("entry", []) == []
    assert raw_b("GET", "/Task", params={"based-on": "ServiceRequest/case-a"}).json().get("entry", []) == []
    overwrite = raw_b("PUT", "/Patient/pat-a", content=json.dumps(
        {"resourceType": "Patient", "id": "pat-a", "name": [{"text": "Hijack"}]}))
    assert overwrite.status_code == 404 and overwrite.json()["resourceType"] == "OperationOutcome"  # as a read
    attach = raw_b("PUT", "/Communication/c-1", content=json.dumps({
        "resourceType": "Communication", "id": "c-1", "status": "completed",
        "basedOn": [{"reference": "ServiceRequest/case-a"}]}))
    assert attach.status_code == 404
    assert a.read("Patient", "pat-a")["name"][0]["text"] == "Phạm Văn C"


def test_expert_sees_only_what_is_routed_to_their_hospital_and_specialty(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    station.transaction(consultation("heart", "p-heart"))
    station.transaction(consultation("lung", "p-lung", specialty="respiratory"))
    station.transaction(consultation("k-case", "p-k", hospital="k"))
    cardiologist = enrolled(hub, "expert", hospital="bachmai", specialty="cardiology")
    assert {r["id"] for r in cardiologist.search("ServiceRequest", {})} == {"heart"}
    assert {r["id"] for r in cardiologist.search("Patient", {})} == {"p-heart"}
    assert {r["id"] for r in cardiologist.search("Task", {})} == {"task-heart"}
    raw = Raw(hub, cardiologist)
    assert raw("GET", "/Patient/p-lung").status_code == 404
    answer = {"resourceType": "Communication", "id": "answer-1", "status": "completed",
              "basedOn": [{"reference": "ServiceRequest/heart"}], "payload": [{"contentString": "Chụp MSCT tim."}]}
    assert raw("PUT", "/Communication/answer-1", content=json.dumps(answer)).status_code == 201
    assert station.read("Communication", "answer-1")["payload"][0]["contentString"] == "Chụp MSCT tim."
    elsewhere = dict(answer, id="answer-2", basedOn=[{"reference": "ServiceRequest/lung"}])
    assert raw("PUT", "/Communication/answer-2", content=json.dumps(elsewhere)).status_code == 404
    patient = {"resourceType": "Patient", "id": "p-heart", "name": [{"text": "Đổi tên"}]}
    assert raw("PUT", "/Patient/p-heart", content=json.dumps(patient)).status_code == 403
    task = station.read("Task", "task-heart")
    accepted = dict(task, status="accepted")
    ok = raw("PUT", "/Task/task-heart", content=json.dumps(accepted), headers={"If-Match": 'W/"1"'})
    assert ok.status_code == 200
    late = raw("PUT", "/Task/task-heart", content=json.dumps(dict(task, status="rejected")),
               headers={"If-Match": 'W/"1"'})
    assert late.status_code == 412


def test_revoked_station_gets_401_at_once(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    raw = Raw(hub, station)
    assert raw("GET", "/Patient").status_code == 200
    hub.revoke(station.credential.client_id)
    refused = raw("GET", "/Patient")
    assert refused.status_code == 401 and refused.json()["resourceType"] == "OperationOutcome"
    with pytest.raises(HubRejected) as error:
        station.search("Patient", {}).__next__()
    assert error.value.status == 401


def test_requests_without_a_valid_token_are_401(sqlite_hub):
    raw = Raw(sqlite_hub)
    assert raw("GET", "/Patient").status_code == 401
    assert raw("GET", "/Patient", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert "WWW-Authenticate" in raw("GET", "/Patient/x").headers


def test_enrollment_code_works_once_and_assertions_cannot_be_replayed(sqlite_hub):
    _, code = sqlite_hub.register("station", facility="0300C")
    credential = enroll(sqlite_hub.url, code.lower().replace("-", " "))  # read aloud, typed loosely
    with pytest.raises(HubRejected) as again:
        enroll(sqlite_hub.url, code)
    assert again.value.status == 401 and "not valid" in again.value.diagnostics
    client = HubClient(credential)
    try:
        assertion = client._assertion()
        form = {"grant_type": "client_credentials", "client_assertion": assertion,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
        import httpx

        assert httpx.post(credential.token_endpoint, data=form).status_code == 200
        replay = httpx.post(credential.token_endpoint, data=form)
        assert replay.status_code == 401 and "used already" in replay.json()["error_description"]
        # An assertion signed with another key is refused.
        import jwt

        other_pem, _ = new_key_pair()
        forged = jwt.encode(jwt.decode(assertion, options={"verify_signature": False}) | {"jti": "x"},
                            other_pem, algorithm="ES384")
        assert httpx.post(credential.token_endpoint, data=dict(form, client_assertion=forged)).status_code == 401
    finally:
        client.close()


def test_enrollment_refuses_a_private_key(sqlite_hub):
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    _, code = sqlite_hub.register("station", facility="0300C")
    private = json.loads(ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP384R1())))
    reply = Raw(sqlite_hub)("POST", "/enroll", json={"code": code, "jwk": private})
    assert reply.status_code == 400 and "public half" in reply.json()["issue"][0]["diagnostics"]
