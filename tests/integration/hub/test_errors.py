"""A bug in the hub answers 500 with an OperationOutcome that quotes nothing, and is audited like any request."""

from server.audit import events
from server.store import ResourceStore

from .conftest import Raw


def test_a_bug_answers_500_and_is_audited_without_its_message(hub, enrolled, monkeypatch):
    client = enrolled(hub, facility="01001")
    raw = Raw(hub, client)

    def broken(*_args, **_kwargs):
        raise RuntimeError("Nguyễn Văn An")  # an exception's message may quote patient data

    monkeypatch.setattr(ResourceStore, "read", broken)
    reply = raw("GET", "/Patient/p-1")
    assert reply.status_code == 500
    outcome = reply.json()
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["severity"] == "fatal"
    assert "Nguyễn" not in reply.text
    with hub.engine.begin() as conn:
        trail = events(conn, client.credential.client_id)
    latest = trail[0]
    assert (latest["action"], latest["outcome"], latest["resource_type"], latest["resource_id"]) == \
        ("read", 500, "Patient", "p-1")
    assert "RuntimeError" in latest["detail"] and "Nguyễn" not in str(latest)


def test_a_bug_without_a_token_is_audited_too(hub, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("server.routes.enroll.capability_statement", broken)
    assert Raw(hub)("GET", "/metadata").status_code == 500
    with hub.engine.begin() as conn:
        latest = events(conn)[0]
    assert (latest["client_id"], latest["action"], latest["outcome"]) == ("-", "metadata", 500)
