"""The experts' side of a consultation, as tests drive it: messages through the API, conclusions
signed through the hub's consultation services (as the console signs them)."""

import uuid
from datetime import datetime, timezone

from server.access import Principal
from app.wire import consultation as wire
from app.wire import mapping

SECRET = b"test-signing-secret-of-32-bytes-at-least"


def console_expert(name: str = "Trần Văn Tim", title: str = "PGS.TS", hospital: str = "bachmai",
                   specialty: str = "cardiology") -> Principal:
    """A person signed in to the console (the hub's services take one, as the console hands them)."""
    return Principal(client_id="console", kind="expert", hospital=hospital, specialty=specialty, name=name,
                     person_id=f"person-{name}", role="expert", title=title)


def post(expert_client, case, kind: str, text: str, **extra) -> str:
    """An expert's message through the FHIR API (a question, a note, a workflow change); its id."""
    message_id = str(uuid.uuid4())
    sent = mapping.instant(datetime.now(timezone.utc))
    expert_client.put(wire.message(message_id, case.id, case.patient.id, kind, text, sent, **extra))
    return message_id


def sign_conclusion(hub, case, issues: list[tuple[str, str]], treatment: str, follow_up: str,
                    replaces: str = "", who: Principal | None = None) -> dict:
    """A conclusion written and signed (with its minutes PDF); `replaces`: the signed one it amends."""
    from server.consultation import conclusions

    who = who or console_expert()
    issues = [wire.Issue(title, text) for title, text in issues]
    with hub.engine.begin() as conn:
        if replaces:
            draft = conclusions.amend(conn, who, replaces, issues, treatment, follow_up)
        else:
            draft = conclusions.save_draft(conn, who, case.id, issues, treatment, follow_up)
        composition, _ = conclusions.sign(conn, who, draft["id"], SECRET, files=hub.app.state.hub.files)
    return composition


def draft_conclusion(hub, case, text: str, who: Principal | None = None) -> dict:
    """A conclusion still being written: it must never reach the station."""
    from server.consultation import conclusions

    with hub.engine.begin() as conn:
        return conclusions.save_draft(conn, who or console_expert(), case.id, [wire.Issue("Nháp", text)], "", "")
