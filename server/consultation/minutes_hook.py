"""make_minutes: the consultation's records mapped to the minutes (server/minutes), rendered as a PDF.

Called by `sign` inside its transaction. The patient's identity is printed from the hub's own record;
the copy for experts abroad carries the pseudonym (case code, age band, sex) only.

A case discussed live (server/live) gets the live form: the sessions' time, the sites that joined, who took part
from each (from the hub's attendance) and whether it was recorded, as all this stood at the signing. A session
held after the signing is not in these minutes (signed, they never change): an amendment's minutes, made at its
own signing, have it. In the copy for abroad the live part follows the same rule as the rest: the experts'
names and hospitals, the sites' names (a station is named by its site only, as the session showed it), and any
quote of the patient masked.
"""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.domain import reference
from app.wire import consultation as wire
from app.wire import mapping, systems

from .. import abroad_imaging
from ..access import Principal
from ..redaction import age_band, identity_of, scrub
from ..store import parse_instant
from ..live import minutes_view
from ..tables import clients, resources

try:
    from .. import minutes
except ImportError:  # the renderer is optional to this module's import; without it no PDF is made
    minutes = None

_SEX = {"male": "Nam", "female": "Nữ", "other": "Khác"}
_MINUTES_DATA = getattr(minutes, "MinutesData", None)


def make_minutes(conn: Connection, who: Principal, request_row, composition: dict, digest: str, *,
                 pseudonymous: bool = False, language: str = "vi") -> bytes | None:
    """The PDF of the minutes of the just-signed `composition` (stored content); None without a renderer."""
    if minutes is None or _MINUTES_DATA is None:
        return None
    request = request_row.content
    conclusion = wire.read_conclusion(composition)
    signed_at = parse_instant(conclusion.signed_at)
    specialty = _label(reference.specialty(request_row.specialty), request_row.specialty)
    hospital = _label(reference.hospital(request_row.hospital), request_row.hospital)
    signer = minutes.Person(name=who.name or conclusion.signed_by, title=who.title, specialty=specialty, site=hospital)
    patient = _raw(conn, "Patient", mapping.patient_id_of(request) or "") or {}
    notes = [n.get("text", "") for n in request.get("note", [])]
    case_number = next((i.get("value", "") for i in request.get("identifier", [])
                        if i.get("system") == systems.CASE_NUMBER), "") or request_row.id[:8]
    band = age_band(patient.get("birthDate", ""))
    identity = {"pseudonymous": True, "pseudonym": minutes.Pseudonym(
        code=case_number, age_band=f"{band} tuổi" if band else "",
        sex=_SEX.get(patient.get("gender", ""), ""))} if pseudonymous else {"patient": _patient(patient, case_number)}
    condition = _condition(conn, request_row.id)
    earlier = _replaced_chain(conn, conclusion)
    amendment = None
    if earlier and earlier[0].signed_at:
        amendment = minutes.Amendment(replaces_version=len(earlier), replaced_signed_at=parse_instant(
            earlier[0].signed_at))
    # The pseudonymous copy: every quote of the patient in the free text masked, as the API masks it, and of a UID
    # of the case's imaging not checked clean (an original the hub took before the case was marked abroad).
    masked = replace(identity_of(patient), uids=abroad_imaging.withheld_uids(conn, [request_row.id])) \
        if pseudonymous else None
    text = (lambda value: scrub(value, masked)) if pseudonymous else (lambda value: value)
    station = _station_name(conn, request_row.facility)
    live = _live(conn, request_row.id, signed_at, text)
    timing = dict(mode=minutes.LIVE, started=live[0].started, ended=live[-1].ended, connection_points=tuple(
        dict.fromkeys(p.site for s in live for p in s.presence))) if live else dict(
        started=signed_at, connection_points=(hospital, station))
    data = minutes.MinutesData(
        organiser=minutes.Facility(name=hospital),
        requester=minutes.Facility(name=station, code=request_row.facility),
        number=f"{case_number}/BB-HCTX", chair=signer, secretary=signer,
        issues=tuple(wire.Issue(text(i.title), text(i.conclusion)) for i in conclusion.issues),
        treatment=text(conclusion.treatment), follow_up=text(conclusion.follow_up),
        question=text(notes[0]) if notes else "", history=text(notes[1]) if len(notes) > 1 else "",
        examination=text(notes[2]) if len(notes) > 2 else "", treatment_so_far=text(notes[3]) if len(notes) > 3 else "",
        diagnosis=text(condition), live=live, **timing,
        signatures=(minutes.Signature(minutes.CHAIR, signer.name, who.title, signed_at, digest),),
        amendment=amendment, version=len(earlier) + 1, **identity)
    return minutes.render_minutes(data, language)


def _live(conn: Connection, request_id: str, signed_at: datetime, text) -> tuple:
    """The case's live sessions up to the signing, as the minutes print them (`text`: the copy's masking)."""
    sessions = []
    for record in minutes_view.sessions_of(conn, request_id, signed_at):
        presence = tuple(minutes.Presence(site=text(a.site), name="" if a.display == a.site else text(
            a.display.removesuffix(f" — {a.site}")), stretches=a.stretches) for a in record.attendees)
        sessions.append(minutes.LiveSession(started=record.started, ended=record.ended, presence=presence,
                                            recorded=record.recorded, consents=tuple(map(text, record.agreed)),
                                            as_of=signed_at))
    return tuple(sessions)


def _replaced_chain(conn: Connection, conclusion) -> list:
    """The signed conclusions `conclusion` amends, the one it replaces first (its minutes' earlier versions)."""
    chain, seen = [], {conclusion.id}
    while conclusion.replaces and conclusion.replaces not in seen:
        replaced = _raw(conn, "Composition", conclusion.replaces)
        conclusion = wire.read_conclusion(replaced) if replaced else None
        if conclusion is None:
            break
        seen.add(conclusion.id)
        chain.append(conclusion)
    return chain


def _label(coded, code: str) -> str:
    return coded.vi if coded else code


def _raw(conn: Connection, kind: str, resource_id: str) -> dict | None:
    """A record of the consultation being signed (the signer may read it: checked by the caller)."""
    row = conn.execute(select(resources.c.content).where(resources.c.type == kind,
                                                         resources.c.id == resource_id)).first()
    return row.content if row else None


def _patient(patient: dict, case_number: str):
    birth = patient.get("birthDate", "")
    born = None
    if len(birth) == 10:
        born = datetime.fromisoformat(birth).date()
    stated = mapping.stated_age(patient)  # only an age was known: its birth year is an estimate, not "sinh năm"
    idents = {i.get("system"): i.get("value", "") for i in patient.get("identifier", [])}
    address = patient.get("address", [{}])[0] if patient.get("address") else {}
    return minutes.Patient(
        full_name=(patient.get("name") or [{}])[0].get("text", ""), sex=_SEX.get(patient.get("gender", ""), ""),
        birth_date=born, age=f"{stated} tuổi" if stated is not None else (
            "" if born or not birth else f"sinh năm {birth[:4]}"),
        address=", ".join(address.get("line", []) + [address.get(k, "") for k in ("city", "state") if address.get(k)]),
        cccd=idents.get(systems.CCCD, ""), bhyt=idents.get(systems.BHYT, ""), record_number=case_number)


def _condition(conn: Connection, request_id: str) -> str:
    rows = conn.execute(select(resources.c.content).where(resources.c.type == "Condition",
                                                          resources.c.request_id == request_id)).all()
    return "; ".join(r.content.get("code", {}).get("text", "") for r in rows if r.content.get("code"))


def _station_name(conn: Connection, facility: str) -> str:
    name = conn.execute(select(clients.c.name).where(clients.c.kind == "station", clients.c.facility == facility)
                        .order_by(clients.c.created_at)).scalars().first()
    return name or facility
