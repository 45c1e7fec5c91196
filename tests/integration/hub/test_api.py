"""The FHIR semantics sync relies on, against the real hub on SQLite and PostgreSQL."""

import json
from datetime import datetime, timedelta, timezone

from .conftest import Raw


def patient(pid, name="Nguyễn Văn An", **extra):
    return {"resourceType": "Patient", "id": pid, "name": [{"text": name}], **extra}


def test_metadata_tells_fhir_version_and_what_is_supported(hub):
    reply = Raw(hub)("GET", "/metadata")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/fhir+json")
    body = reply.json()
    assert body["resourceType"] == "CapabilityStatement" and body["fhirVersion"] == "4.0.1"
    kinds = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert {"Patient", "ServiceRequest", "Task", "Communication", "DocumentReference", "ImagingStudy",
            "Appointment", "Observation", "Condition", "Organization", "Practitioner", "PractitionerRole"} <= set(kinds)
    assert "delete" not in {i["code"] for i in kinds["Patient"]["interaction"]}
    assert kinds["Patient"]["updateCreate"] is True


def test_put_creates_then_updates_with_versions_and_etags(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    body = json.dumps(patient("p-1"))
    first = raw("PUT", "/Patient/p-1", content=body, headers={"Content-Type": "application/fhir+json"})
    assert first.status_code == 201 and first.headers["ETag"] == 'W/"1"'
    again = raw("PUT", "/Patient/p-1", content=body)
    assert again.status_code == 200 and again.headers["ETag"] == 'W/"1"'  # a retried PUT makes no new version
    changed = raw("PUT", "/Patient/p-1", content=json.dumps(patient("p-1", "Nguyễn Văn Ân")))
    assert changed.headers["ETag"] == 'W/"2"'
    read = raw("GET", "/Patient/p-1")
    assert read.json()["name"][0]["text"] == "Nguyễn Văn Ân" and read.json()["meta"]["versionId"] == "2"
    history = raw("GET", "/Patient/p-1/_history").json()
    assert history["type"] == "history" and [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2", "1"]
    assert raw("GET", "/Patient/p-1/_history/1").json()["name"][0]["text"] == "Nguyễn Văn An"


def test_if_match_on_a_stale_version_is_412(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    raw("PUT", "/Patient/p-2", content=json.dumps(patient("p-2")))
    raw("PUT", "/Patient/p-2", content=json.dumps(patient("p-2", "Lê Thị B")))
    stale = raw("PUT", "/Patient/p-2", content=json.dumps(patient("p-2", "Khác")), headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    outcome = stale.json()
    assert outcome["resourceType"] == "OperationOutcome" and "version 2" in outcome["issue"][0]["diagnostics"]
    fresh = raw("PUT", "/Patient/p-2", content=json.dumps(patient("p-2", "Khác")), headers={"If-Match": 'W/"2"'})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == 'W/"3"'


def test_last_updated_search_pages_through_everything_once_in_order(hub, enrolled):
    client = enrolled(hub, facility="01001")
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    client.transaction([patient(f"pp-{n:03d}") for n in range(230)])
    raw = Raw(hub, client)
    reply = raw("GET", "/Patient", params={"_lastUpdated": f"gt{before.isoformat()}", "_count": "100",
                                           "_sort": "_lastUpdated"})
    pages, seen = 0, []
    while True:
        bundle = reply.json()
        assert bundle["type"] == "searchset"
        pages += 1
        seen += [e["resource"]["id"] for e in bundle.get("entry", [])]
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        if not following:
            break
        reply = raw("GET", following[0].removeprefix(hub.url))
    assert pages == 3 and sorted(seen) == [f"pp-{n:03d}" for n in range(230)] and len(set(seen)) == 230
    later = raw("GET", "/Patient", params={"_lastUpdated": "gt2100-01-01T00:00:00Z"}).json()
    assert later.get("entry", []) == []


def test_transaction_is_all_or_nothing(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": patient("t-1"), "request": {"method": "PUT", "url": "Patient/t-1"}},
        {"resource": patient("t-2", birthDate="not a date"), "request": {"method": "PUT", "url": "Patient/t-2"}}]}
    reply = raw("POST", "/", content=json.dumps(bundle))
    assert reply.status_code == 400 and "Bundle.entry[1]" in reply.json()["issue"][0]["diagnostics"]
    assert raw("GET", "/Patient/t-1").status_code == 404
    bundle["entry"][1]["resource"] = patient("t-2")
    ok = raw("POST", "/", content=json.dumps(bundle))
    assert ok.status_code == 200
    assert [e["response"]["status"] for e in ok.json()["entry"]] == ["201 Created", "201 Created"]


def test_a_transaction_names_the_entry_a_store_rule_refuses_and_keeps_nothing(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    orphan = {"resourceType": "Observation", "id": "o-1", "status": "final", "code": {"text": "Mạch"},
              "basedOn": [{"reference": "ServiceRequest/not-sent"}]}
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": patient("t-3"), "request": {"method": "PUT", "url": "Patient/t-3"}},
        {"resource": orphan, "request": {"method": "PUT", "url": "Observation/o-1"}}]}
    reply = raw("POST", "/", content=json.dumps(bundle))
    assert reply.status_code == 404 and reply.json()["issue"][0]["diagnostics"].startswith("Bundle.entry[1]: ")
    assert raw("GET", "/Patient/t-3").status_code == 404


def test_the_same_new_id_put_by_many_at_once_gives_one_resource_and_ordered_versions(hub, enrolled):
    from concurrent.futures import ThreadPoolExecutor

    raw = Raw(hub, enrolled(hub, facility="01001"))
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda n: raw("PUT", "/Patient/race", content=json.dumps(
            patient("race", birthDate=f"1960-01-{n + 1:02d}"))), range(8)))
    assert sorted(r.status_code for r in replies) == [200] * 7 + [201], [r.text for r in replies]
    assert sorted(int(r.json()["meta"]["versionId"]) for r in replies) == list(range(1, 9))
    assert len(raw("GET", "/Patient/race/_history").json()["entry"]) == 8


def test_bad_requests_get_4xx_with_an_operation_outcome(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    cases = [
        ("PUT", "/Patient/x", {"content": b"{not json"}, 400, "not valid JSON"),
        ("PUT", "/Patient/x", {"content": json.dumps(patient("x", active="perhaps"))}, 400, "active"),
        ("PUT", "/Patient/x", {"content": json.dumps({"resourceType": "Observation", "id": "x"})}, 400, "expected a Patient"),
        ("PUT", "/Patient/x", {"content": json.dumps(patient("y"))}, 400, "does not match"),
        ("PUT", "/Patient/x", {"content": b"[1, 2]"}, 400, "JSON object"),
        ("PUT", "/Patient/x", {"content": b'{"resourceType":"Patient","id":"x","name":[{"text":"'
                                          + b"a" * (5 * 1024 * 1024) + b'"}]}'}, 413, "limit"),
        ("GET", "/Patient/nobody", {}, 404, "not known"),
        ("GET", "/Spaceship/1", {}, 404, "not supported"),
        ("GET", "/Patient", {"params": {"name": "An"}}, 400, "not supported"),
        ("GET", "/Patient", {"params": {"_lastUpdated": "gtyesterday"}}, 400, "date-time"),
        ("GET", "/Patient", {"params": {"_page_token": "garbage!"}}, 400, "paging token"),
        ("DELETE", "/Patient/x", {}, 405, ""),
        ("POST", "/", {"content": json.dumps({"resourceType": "Bundle", "type": "batch"})}, 400, "transaction"),
        ("PUT", "/Patient/x", {"content": json.dumps(patient("x")), "headers": {"If-Match": "banana"}}, 400, "If-Match"),
    ]
    for method, path, kwargs, status, words in cases:
        reply = raw(method, path, **kwargs)
        assert reply.status_code == status, (method, path, reply.status_code, reply.text[:200])
        outcome = reply.json()
        assert outcome["resourceType"] == "OperationOutcome", (method, path)
        assert words in outcome["issue"][0]["diagnostics"], (method, path, outcome)


def test_every_read_and_write_is_audited_without_content(hub, enrolled):
    client = enrolled(hub, facility="01001")
    raw = Raw(hub, client)
    raw("PUT", "/Patient/a-1", content=json.dumps(patient("a-1", "Tên Bí Mật")))
    raw("GET", "/Patient/a-1")
    raw("GET", "/Patient/none")
    from server.audit import events

    with hub.engine.begin() as conn:
        trail = events(conn, client.credential.client_id)
    assert [(e["action"], e["resource_id"], e["outcome"]) for e in reversed(trail)] == [
        ("enroll", "", 200), ("token", "", 200), ("update", "a-1", 201), ("read", "a-1", 200), ("read", "none", 404)]
    assert "Bí Mật" not in repr(trail)
