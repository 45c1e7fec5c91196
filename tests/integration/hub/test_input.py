"""Whatever a client sends, the hub answers 4xx with an OperationOutcome naming the field, never 500.

Each case below was a 500 (or stored something FHIR forbids) on SQLite, PostgreSQL or both.
"""

import base64
import json

from app.wire import systems

from .conftest import Raw

SUPERSCRIPT_TWO = "²".encode("latin-1")  # str.isdigit() says yes; int() says no
LONG = "a" * 70                            # FHIR ids are at most 64 characters
HUGE = "9" * 5000                          # past Python's 4,300-digit int conversion limit


def patient(pid="x", **extra):
    return {"resourceType": "Patient", "id": pid, **extra}


def observation(oid="o-1", **extra):
    return {"resourceType": "Observation", "id": oid, "status": "final", "code": {"text": "Mạch"}, **extra}


def service_request(rid="sr-1", hospital="bachmai", specialty="cardiology"):
    return {"resourceType": "ServiceRequest", "id": rid, "status": "active", "intent": "order",
            "subject": {"reference": "Patient/x"},
            "category": [{"coding": [{"system": systems.SPECIALTY,
                                      "code": specialty}]}],
            "performer": [{"identifier": {"system": systems.CENTRAL_HOSPITAL,
                                          "value": hospital}}]}


def bundle(*entries):
    return {"resourceType": "Bundle", "type": "transaction", "entry": list(entries)}


def put_entry(resource, **request):
    return {"resource": resource, "request": {"method": "PUT",
                                              "url": f"{resource['resourceType']}/{resource['id']}", **request}}


def body(value) -> dict:
    return {"content": json.dumps(value, ensure_ascii=False)}


def check_refused(raw, cases):
    """Every (method, path, kwargs, words) answers 4xx with an OperationOutcome that says `words`."""
    wrong = []
    for method, path, kwargs, words in cases:
        reply = raw(method, path, **kwargs)
        label = (method, path[:60], str(kwargs)[:100])
        if not 400 <= reply.status_code < 500:
            wrong.append((label, reply.status_code, reply.text[:200]))
            continue
        if method == "HEAD":
            continue  # no body
        try:
            outcome = reply.json()
        except ValueError:
            wrong.append((label, reply.status_code, "not JSON: " + reply.text[:200]))
            continue
        if outcome.get("resourceType") != "OperationOutcome" or words not in json.dumps(outcome, ensure_ascii=False):
            wrong.append((label, reply.status_code, f"does not name {words!r}: {reply.text[:300]}"))
    assert not wrong, "\n".join(map(str, wrong))


def test_nulls_empty_values_and_bad_characters_in_resources_are_refused(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    assert raw("PUT", "/Patient/x", **body(patient())).status_code == 201
    check_refused(raw, [
        ("PUT", "/Patient/x", body(patient(generalPractitioner=None)), "generalPractitioner"),
        ("PUT", "/Patient/x", body(patient(name=None)), "name"),
        ("PUT", "/Patient/x", body(patient(managingOrganization={"reference": None})), "managingOrganization"),
        ("PUT", "/Patient/x", body(patient(name=[])), "name"),
        ("PUT", "/Patient/x", body(patient(name=[{}])), "name[0]"),
        ("PUT", "/Patient/x", body(patient(name=[{"text": ""}])), "name[0].text"),
        ("PUT", "/Patient/x", body(patient(name=[{"text": "An\u0000"}])), "name[0].text"),
        ("PUT", "/Patient/x", body(patient(name=[{"text": "An\u0007"}])), "name[0].text"),
        ("PUT", "/Patient/x", {"content": b'{"resourceType":"Patient","id":"x","name":[{"text":"\\ud800"}]}'},
         "name[0].text"),
        ("PUT", "/Patient/x", {"content": b'{"resourceType":"Patient","id":"x","name":[{"text":"An",'
                                          b'"te\\u0000xt":"B"}]}'}, "name[0]"),
        ("PUT", "/Observation/o-1", body(observation(basedOn=None)), "basedOn"),
        ("PUT", "/Observation/o-1", body(observation(subject=None)), "subject"),
        ("PUT", "/Observation/o-1", body(observation(basedOn=[None])), "basedOn[0]"),
        ("PUT", "/Observation/o-1", body(observation(basedOn=[{"reference": None}])), "basedOn[0].reference"),
        ("PUT", "/Observation/o-1", body(observation(basedOn=[{"reference": "ServiceRequest/" + LONG}])),
         "basedOn[0].reference"),
        ("PUT", "/Observation/o-1", body(observation(basedOn=[{"reference": "ServiceRequest/a b"}])),
         "basedOn[0].reference"),
        ("PUT", "/Observation/o-1", body(observation(subject={"reference": "Patient/x/_history/1"})),
         "subject.reference"),
        ("PUT", "/Observation/o-1", body(observation(subject={"reference": "Patient/" + LONG})), "subject.reference"),
        ("PUT", "/ServiceRequest/sr-1", body(service_request(hospital="h" * 41)), "performer"),
        ("PUT", "/ServiceRequest/sr-1", body(service_request(specialty="s" * 41)), "category"),
    ])


def test_ids_numbers_depth_and_decimals_out_of_range_are_refused(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    nested = '{"url":"http://x","extension":[' * 600 + '{"url":"http://x","valueString":"x"}' + "]}" * 600
    check_refused(raw, [
        ("PUT", f"/Patient/{LONG}", body(patient(LONG)), "id"),
        ("PUT", "/Patient/a%00b", body(patient("a\u0000b")), "id"),
        ("PUT", "/Patient/x", {"content": '{"resourceType":"Patient","id":"x","multipleBirthInteger":' + HUGE + "}"},
         "multipleBirthInteger"),
        ("PUT", "/Observation/o-1", {"content": json.dumps(observation())[:-1] + ',"valueQuantity":{"value":'
                                     + "1" * 60 + "}}"}, "valueQuantity.value"),
        ("PUT", "/Observation/o-1", {"content": json.dumps(observation())[:-1]
                                     + ',"valueQuantity":{"value":1e999999999}}'}, "valueQuantity.value"),
        ("PUT", "/Observation/o-1", {"content": json.dumps(observation())[:-1] + ',"valueQuantity":{"value":NaN}}'},
         "valueQuantity.value"),
        ("PUT", "/Patient/x", {"content": "[" * 100_000 + "]" * 100_000}, "deep"),
        ("PUT", "/Patient/x", {"content": '{"resourceType":"Patient","id":"x","extension":[' + nested + "]}"},
         "deep"),
        ("GET", f"/Patient/{LONG}", {}, "id"),
        ("GET", "/Patient/a%00b", {}, "id"),
        ("GET", "/Patient/a%00b/_history", {}, "id"),
        ("GET", "/Patient/x/_history/%C2%B2", {}, "version"),
        ("GET", "/Patient/x/_history/" + "9" * 30, {}, "version"),
        ("GET", "/Patient/x/_history/" + HUGE, {}, "version"),
    ])
    if "postgresql" in str(hub.engine.url):
        # Accepted (FHIR allows it), and stored: a 64-character id fits the columns exactly.
        assert raw("PUT", "/Patient/" + "a" * 64, **body(patient("a" * 64))).status_code == 201


def test_bad_transaction_entries_are_refused(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    good = put_entry(patient("t-1"))
    check_refused(raw, [
        ("POST", "/", body({**bundle(), "entry": None}), "Bundle.entry"),
        ("POST", "/", body(bundle()), "Bundle.entry"),
        ("POST", "/", body(bundle(good, {"resource": patient("t-2"), "request": "PUT"})), "Bundle.entry[1].request"),
        ("POST", "/", body(bundle({"resource": patient("t-2"), "request": None})), "Bundle.entry[0].request"),
        ("POST", "/", body(bundle({"resource": patient("t-2"), "request": ["PUT"]})), "Bundle.entry[0].request"),
        ("POST", "/", body(bundle(put_entry(patient("t-2"), ifMatch=3))), "Bundle.entry[0].request.ifMatch"),
        ("POST", "/", body(bundle(put_entry(patient("t-2"), ifMatch=["W/\"1\""]))), "ifMatch"),
        ("POST", "/", body(bundle(put_entry(patient("t-2"), ifMatch='W/"²"'))), "ifMatch"),
        ("POST", "/", body(bundle(put_entry(patient("t-2"), ifMatch=f'W/"{HUGE}"'))), "ifMatch"),
        ("POST", "/", body(bundle({"resource": patient("t-2"), "request": {"method": "PUT", "url": 7}})),
         "Bundle.entry[0].request.url"),
        ("POST", "/", body(bundle({"resource": patient("t-2"), "request": {"method": ["PUT"], "url": "Patient/t-2"}})),
         "Bundle.entry[0].request.method"),
        ("POST", "/", body(bundle({"resource": patient(LONG), "request": {"method": "PUT", "url": f"Patient/{LONG}"}})),
         "Bundle.entry[0]"),
        ("POST", "/", body(bundle(put_entry(patient("t-2", name=[{"text": "a\u0000"}])))), "Bundle.entry[0]"),
    ])
    assert raw("GET", "/Patient/t-1").status_code == 404


def test_bad_search_parameters_are_refused(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    token = base64.urlsafe_b64encode(json.dumps(["2026-01-01T00:00:00Z", "a\u0000b"]).encode()).decode()
    check_refused(raw, [
        ("GET", "/Patient", {"params": {"_count": "²"}}, "_count"),
        ("GET", "/Patient", {"params": {"_count": HUGE}}, "_count"),
        ("GET", "/Patient", {"params": {"_count": "-1"}}, "_count"),
        ("GET", "/Patient", {"params": {"_lastUpdated": "gt0001-01-01T00:00:00+05:00"}}, "_lastUpdated"),
        ("GET", "/Patient", {"params": {"_lastUpdated": "lt9999-12-31T23:59:59-05:00"}}, "_lastUpdated"),
        ("GET", "/Patient", {"params": {"_lastUpdated": "gt2026-01-01T00:00:00\u0000"}}, "_lastUpdated"),
        ("GET", "/Patient", {"params": [("_lastUpdated", "gt2020-01-01")] * 1000}, "_lastUpdated"),
        ("GET", "/Patient", {"params": [("_id", "a")] * 1000}, "_id"),
        ("GET", "/Patient", {"params": {"_id": ",".join(["a"] * 1000)}}, "_id"),
        ("GET", "/Patient", {"params": {"_id": "a\u0000b"}}, "_id"),
        ("GET", "/Patient", {"params": {"_id": LONG}}, "_id"),
        ("GET", "/Observation", {"params": {"patient": "a\u0000b"}}, "patient"),
        ("GET", "/Observation", {"params": {"subject": "Patient/" + LONG}}, "subject"),
        ("GET", "/Observation", {"params": {"based-on": "ServiceRequest/\u0000"}}, "based-on"),
        ("GET", "/Observation", {"params": {"_sort": "\u0000"}}, "_sort"),
        ("GET", "/Observation", {"params": {"_page_token": token}}, "_page_token"),
        ("GET", "/Patient", {"params": [("_count", "5")] * 1000}, "parameters"),
    ])
    # Extreme but representable moments are fine.
    assert raw("GET", "/Patient", params={"_lastUpdated": "gt0001-01-01T00:00:00Z"}).status_code == 200
    assert raw("GET", "/Patient", params={"_lastUpdated": "lt9999-12-31T23:59:59Z"}).status_code == 200


def test_bad_upload_headers_are_refused(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    tus = {"Tus-Resumable": "1.0.0"}
    sha = "a" * 64
    meta = f"sha256 {base64.b64encode(sha.encode()).decode()}"
    nul_meta = meta + f",documentreference {base64.b64encode(b'd-1' + bytes(1)).decode()}"
    upload = raw("POST", "/files", headers={**tus, "Upload-Length": "10", "Upload-Metadata": meta})
    assert upload.status_code == 201
    where = upload.headers["Location"]
    patch = {**tus, "Content-Type": "application/offset+octet-stream"}
    check_refused(raw, [
        ("POST", "/files", {"headers": {**tus, "Upload-Length": SUPERSCRIPT_TWO, "Upload-Metadata": meta}},
         "Upload-Length"),
        ("POST", "/files", {"headers": {**tus, "Upload-Length": HUGE, "Upload-Metadata": meta}}, "Upload-Length"),
        ("POST", "/files", {"headers": {**tus, "Upload-Length": "10", "Upload-Metadata": nul_meta}},
         "documentreference"),
        ("POST", "/files", {"headers": {**tus, "Upload-Length": "10",
                                        "Upload-Metadata": meta + ",documentreference " +
                                        base64.b64encode(LONG.encode()).decode()}}, "documentreference"),
        ("PATCH", where, {"headers": {**patch, "Upload-Offset": SUPERSCRIPT_TWO}, "content": b"x"}, "Upload-Offset"),
        ("PATCH", where, {"headers": {**patch, "Upload-Offset": HUGE}, "content": b"x"}, "Upload-Offset"),
        ("PATCH", "/files/a%00b", {"headers": {**patch, "Upload-Offset": "0"}, "content": b"x"}, "upload"),
        ("GET", "/files/a%00b", {}, "upload"),
        ("GET", "/files/" + LONG, {}, "upload"),
        ("HEAD", "/files/a%00b", {"headers": tus}, ""),
    ])


def test_bad_if_match_headers_are_refused(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    raw("PUT", "/Patient/x", **body(patient()))
    check_refused(raw, [
        ("PUT", "/Patient/x", {**body(patient()), "headers": {"If-Match": b'W/"' + SUPERSCRIPT_TWO + b'"'}},
         "If-Match"),
        ("PUT", "/Patient/x", {**body(patient()), "headers": {"If-Match": f'W/"{HUGE}"'}}, "If-Match"),
    ])


def forged_assertion(claims: dict) -> str:
    """A JWT no client signed, with claims PyJWT would not even encode."""
    part = lambda value: base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")  # noqa: E731
    return f"{part({'alg': 'ES384', 'typ': 'JWT'})}.{part(claims)}.{part('not a signature')}"


def test_bad_token_and_enrollment_requests_are_refused(hub):
    raw = Raw(hub)
    for iss in ("a\u0000b", LONG * 3, 7):
        forged = forged_assertion({"iss": iss, "sub": iss, "exp": 10 ** 20})
        reply = raw("POST", "/auth/token", data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": forged})
        assert reply.status_code == 401, (iss, reply.text)
    _, code = hub.register("station", facility="01001")
    check_refused(raw, [
        ("POST", "/enroll", body({"code": code, "jwk": {"kty": "EC", "crv": "P-384", "x": 5, "y": 6}}), "key"),
        ("POST", "/enroll", body({"code": code + "\u0000", "jwk": {"kty": "EC"}}), "code"),
    ])
