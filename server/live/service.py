"""Live consultations on a case: rooms on Janus, who may join, joining tickets, invitations, ending.

Synchronous functions over the caller's connection (one request, one transaction) and the actor, a
`server.access.Principal` (a station, an expert API client or a console person): the bearer-token
routes (server/routes/live.py) and the console (server/console/views/live.py) call the same ones.

Who may join a session: the stations of the case's own facility, the experts and coordinators the case
is routed to (server/access.py), and the facilities and people invited to it. Each join gets a ticket:
a fresh room token that the room's `allowed` list lets in (so Janus itself refuses anyone the hub did
not admit), a Janus core token signed with the secret the hub shares with Janus, and a display name
the hub sets. The case is named on shared screens by its code and the patient's initials, age and sex
only (HOI-CHAN.md); an expert abroad gets no initials and an age band.
"""

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from app.domain import reference
from app.wire import systems

from ..access import COORDINATOR, Principal
from ..config import HubConfig
from ..events.record import append as append_events
from ..outcome import FhirError, not_found, operation_outcome
from ..store import ResourceStore, aware
from ..tables import clients, imaging_studies, resources
from .janus_admin import JanusAdmin, JanusAdminError
from .tables import live_attendance, live_invitations, live_sessions, live_tickets
from .tokens import signed_token

OPEN, ENDED = "open", "ended"
# A joining ticket's Janus token must outlive the longest session it is used in: Janus checks it on every
# request of the participant's Janus session (keepalives, long polls), so an expiry mid-session would drop
# the participant. A hội chẩn rarely passes 2 hours; 12 hours covers a long one with margin, and a
# leaked token is still worth nothing without a room token the room's `allowed` list holds.
JANUS_TOKEN_LIFETIME_S = 12 * 3600
TURN_LIFETIME_S = JANUS_TOKEN_LIFETIME_S  # the media relay must last as long as the session too
MAX_INVITED = 200  # per request: a national session invites many districts, but not unbounded lists
# Per session, across calls and inviters: each invitation is a push to the invited, so without a bound a host (or a
# stolen host token) could keep pushing. A national session is the largest: docs/live-scale.md's plan carries up to
# 2,000 sites (5 edge Janus machines), each invited facility being one site; beside them, people named one by one
# (experts, moderators, coordinators: a few dozen, 500 is ample). More than the edges can carry would only invite
# sites to a session they could not all watch; a bigger session raises this with the edges it adds.
MAX_SESSION_INVITED = 2500
# Who may be invited by name: console experts and coordinators (administrators run the hub and read no clinical
# data), not disabled; expert API clients, not revoked. The directory (directory.py) offers exactly these.
INVITABLE_ROLES = ("expert", "coordinator")
_FACILITY = re.compile(r"[A-Za-z0-9]{5}")
_ID = re.compile(r"[A-Za-z0-9:._-]{1,80}")


class LiveError(FhirError):
    """A refusal with a machine `code` beside the FHIR OperationOutcome (clients branch on it)."""

    def __init__(self, status: int, code: str, diagnostics: str, issue: str = "processing"):
        super().__init__(status, issue, diagnostics)
        self.machine_code = code

    def outcome(self) -> dict:
        return dict(operation_outcome(self.code, self.diagnostics, severity="error" if self.status < 500 else "fatal"),
                    code=self.machine_code)


def sfu_unavailable(why: str = "") -> LiveError:
    return LiveError(503, "sfu-unavailable", "the video server (Janus) cannot be reached; live consultation is "
                     "unavailable for now, the rest of the case work goes on" + (f" ({why})" if why else ""),
                     "transient")


def not_invited() -> LiveError:
    return LiveError(403, "not-invited", "this station or person is not invited to this live consultation and may "
                     "not join it", "forbidden")


def ended() -> LiveError:
    return LiveError(409, "ended", "this live consultation has ended", "conflict")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _instant(moment: datetime | None) -> str | None:
    return aware(moment).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else None


def admin_of(config: HubConfig) -> JanusAdmin:
    if config.janus is None:
        raise sfu_unavailable("no video server is configured on this hub")
    return JanusAdmin(config.janus)


# -- who is who ------------------------------------------------------------------------------------

def site_of(who: Principal) -> str:
    """The site an actor speaks for: a station's registered name, an expert's hospital."""
    if who.is_station:
        return who.name or who.facility
    found = reference.hospital(who.hospital or "")
    return found.label("vi") if found else (who.hospital or "")


def display_of(who: Principal) -> str:
    """'BS Lan — Bệnh viện Bạch Mai'; a station is its site."""
    site = site_of(who)
    if who.is_station:
        return site
    name = " ".join(p for p in (who.title, who.name) if p) or "Chuyên gia"
    return f"{name} — {site}" if site else name


def _request_row(conn: Connection, request_id: str, lock: bool = False):
    query = select(resources).where(resources.c.type == "ServiceRequest", resources.c.id == request_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()  # two starts at once on one case make one session (SQLite: one writer)
    return conn.execute(query).first()


def _session_row(conn: Connection, live_id: str, lock: bool = False):
    query = select(live_sessions).where(live_sessions.c.id == live_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first() if _ID.fullmatch(live_id or "") else None


def _owns_case(who: Principal, session) -> bool:
    return who.is_station and who.facility == session.facility


def _invited(conn: Connection, who: Principal, live_id: str) -> bool:
    if who.is_station:
        match = live_invitations.c.facility == who.facility
    else:
        match = live_invitations.c.person.in_([p for p in (who.person_id, who.client_id) if p])
    return conn.execute(select(live_invitations.c.id).where(live_invitations.c.session_id == live_id, match)
                        .limit(1)).first() is not None


def may_start(who: Principal, request) -> bool:
    """The station of the case's facility, or an expert or coordinator the case is routed to."""
    if request is None:
        return False
    return (who.is_station and who.facility == request.facility) or who.routed(request)


def may_join(conn: Connection, who: Principal, session, request=None) -> bool:
    if _owns_case(who, session):
        return True
    request = request if request is not None else _request_row(conn, session.request_id)
    return (request is not None and who.routed(request)) or _invited(conn, who, session.id)


def _joinable(conn: Connection, who: Principal, live_id: str, lock: bool = False):
    """(session, request) when `who` may join session `live_id`; 404 when there is no such session, 403 else."""
    session = _session_row(conn, live_id, lock)
    if session is None:
        raise not_found("LiveSession", live_id)
    request = _request_row(conn, session.request_id)
    if not may_join(conn, who, session, request):
        raise not_invited()
    return session, request


# -- views -----------------------------------------------------------------------------------------

def _recording(conn: Connection, live_id: str) -> dict:
    """The recording's state and consents (server/live/recording.py, helper H2's); 'off' until it is there."""
    try:
        from . import recording
    except ImportError:
        recording = None
    view = getattr(recording, "recording_view", None)
    if view is None:
        return {"state": "off", "agreed": [], "missing": []}
    return view(conn, live_id)


def present(conn: Connection, live_id: str) -> list[dict]:
    rows = conn.execute(select(live_attendance).where(live_attendance.c.session_id == live_id,
                                                      live_attendance.c.left_at.is_(None))
                        .order_by(live_attendance.c.joined_at, live_attendance.c.id))
    return [{"participant": r.participant, "display": r.display, "site": r.site, "who": r.who,
             "joined_at": _instant(r.joined_at)} for r in rows]


def _view(conn: Connection, session) -> dict:
    """The session JSON, for those who may see the session (its callers check). `invited` has the codes and ids
    (what clients send back); `invited_names` names them as the directory does, so a client (a station that
    restarted) can say whom the session invited: the directory finds by words, and an expert's id is none."""
    from .directory import invited_names  # the directory builds on this module

    invited = conn.execute(select(live_invitations).where(live_invitations.c.session_id == session.id)
                           .order_by(live_invitations.c.at, live_invitations.c.id)).all()
    return {"id": session.id, "request": session.request_id, "state": session.state, "title": session.title,
            "started_by": session.started_by, "started_at": _instant(session.started_at),
            "ended_at": _instant(session.ended_at),
            "invited": {"facilities": list(dict.fromkeys(r.facility for r in invited if r.facility)),
                        "people": list(dict.fromkeys(r.person for r in invited if r.person))},
            "invited_names": invited_names(conn, session.id),
            "present": present(conn, session.id), "recording": _recording(conn, session.id)}


def session_json(conn: Connection, live_id: str) -> dict:
    """The session JSON without any check of who asks: for the hub's own services, after they checked."""
    session = _session_row(conn, live_id)
    if session is None:
        raise not_found("LiveSession", live_id)
    return _view(conn, session)


def session_view(conn: Connection, who: Principal, live_id: str) -> dict:
    """The session as the contract shows it; 403 unless `who` may join it."""
    session, _ = _joinable(conn, who, live_id)
    return _view(conn, session)


def sessions_for(conn: Connection, who: Principal) -> list[dict]:
    """The open sessions `who` may join (own facility's cases, routed cases, invitations), newest first."""
    rows = conn.execute(select(live_sessions).where(live_sessions.c.state == OPEN)
                        .order_by(live_sessions.c.started_at.desc())).all()
    return [_view(conn, s) for s in rows if may_join(conn, who, s)]


def sessions_of_request(conn: Connection, who: Principal, request_id: str) -> list[dict]:
    """The sessions (open first, then ended, newest first) on case `request_id` that `who` may join."""
    rows = conn.execute(select(live_sessions).where(live_sessions.c.request_id == request_id)
                        .order_by(live_sessions.c.state.desc(), live_sessions.c.started_at.desc())).all()
    return [_view(conn, s) for s in rows if may_join(conn, who, s)]


# -- starting and inviting -------------------------------------------------------------------------

def _case_code(request_content: dict, request_id: str) -> str:
    for ident in request_content.get("identifier", []):
        if ident.get("system") == systems.CASE_NUMBER and ident.get("value"):
            return ident["value"]
    return request_id[:8]


def start(conn: Connection, who: Principal, config: HubConfig, request_id: str, invite: dict | None = None,
          title: str = "") -> tuple[dict, bool]:
    """(session JSON, created): a live session on case `request_id`, with its Janus room; the open one
    if the case has one already (a double click starts one session), with `invite` added either way."""
    if not _ID.fullmatch(request_id or ""):
        raise FhirError(400, "invalid", "'request' must be the id of the consultation (ServiceRequest)", ["request"])
    request = _request_row(conn, request_id, lock=True)
    if request is None or not may_start(who, request):
        # The same answer as a read: nobody learns which cases exist elsewhere.
        raise not_found("ServiceRequest", request_id)
    facilities, people = _invitees(conn, invite or {})
    query = select(live_sessions).where(live_sessions.c.request_id == request_id, live_sessions.c.state == OPEN)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()  # as invite() does: the invitations' limit is checked under the session's lock
    existing = conn.execute(query).first()
    if existing is not None:
        _invite(conn, who, existing, facilities, people)
        return _view(conn, existing), False
    live_id, (room, secret) = str(uuid.uuid4()), _room_for(conn, config, request_id)
    title = (title or "").strip()[:200]
    if title and _names_the_patient(conn, request, title):
        raise FhirError(422, "invalid", "the title is shown to every site of the session (and to experts abroad): "
                        "it may name the case by its code, never the patient by name, address or identity number",
                        ["title"])
    # No words in a default: every reader's screen says "live consultation" in its own language; the case code
    # alone is the same in all of them (the console shows it as "ca/case/cas …", server/console/views/live.py).
    title = title or _case_code(request.content, request_id)
    try:
        _make_room(admin_of(config), room, secret)
    except JanusAdminError as error:
        raise _janus_failure(error) from None
    conn.execute(insert(live_sessions).values(id=live_id, request_id=request_id, facility=request.facility, room=room,
                                              room_secret=secret, state=OPEN, title=title,
                                              started_by=who.client_id, started_at=_now()))
    session = _session_row(conn, live_id)
    _invite(conn, who, session, facilities, people)
    return _view(conn, session), True


def _room_for(conn: Connection, config: HubConfig, request_id: str) -> tuple[str, str]:
    """(room, secret) of the case's next session: named by the case and how many sessions it had, under the
    hub's secret (no one else can tell them), so a start that died between making the room on Janus and
    committing the session (a crash, kill -9) left a room the next start on the case finds by its name."""
    key = config.secret or config.janus.token_secret.encode()
    count = len(conn.execute(select(live_sessions.c.id).where(live_sessions.c.request_id == request_id)).all())
    room = "dc-" + hmac.new(key, f"live-room:{request_id}:{count}".encode(), hashlib.sha256).hexdigest()[:24]
    return room, hmac.new(key, f"live-room-secret:{room}".encode(), hashlib.sha256).hexdigest()[:48]


def _make_room(admin: JanusAdmin, room: str, secret: str) -> None:
    """The room, empty and closed: no one is allowed in until the hub issues tickets (`allowed` = [])."""
    try:
        admin.create_room(room, secret, [], require_pvtid=True)
    except JanusAdminError as error:
        if error.unreachable or error.code != 427:  # 427: the room exists
            raise
        # Left by a start that never committed: no ticket was ever issued for it. Made afresh, so that it is
        # as this hub makes rooms now, with nobody in it.
        admin.destroy_room(room, secret)
        admin.create_room(room, secret, [], require_pvtid=True)


def _names_the_patient(conn: Connection, request, text: str) -> bool:
    """Whether `text` quotes the case's patient: name, address, CCCD, BHYT (accents, case and spacing ignored), or a
    UID of the case's imaging not checked clean (an original an expert abroad may not learn: the title outlives a
    marking for abroad made during the session, so it is refused whether or not the case is marked yet)."""
    from ..abroad_imaging import withheld_uids
    from ..redaction import identity_of, scrub

    patient = conn.execute(select(resources.c.content).where(
        resources.c.type == "Patient", resources.c.id == request.patient_id)).first() if request.patient_id else None
    identity = replace(identity_of(patient.content if patient is not None else None),
                       uids=withheld_uids(conn, [request.id]))
    return scrub(text, identity) != text


def _janus_failure(error: JanusAdminError) -> LiveError:
    if error.unreachable:
        return sfu_unavailable()
    return LiveError(502, "sfu-refused", f"the video server (Janus) refused the hub's request: {error}", "exception")


def _invitees(conn: Connection, body) -> tuple[list[str], list[str]]:
    if not isinstance(body, dict):
        raise FhirError(400, "invalid", "'invite' must be an object {\"facilities\": [...], \"people\": [...]}",
                        ["invite"])
    facilities, people = body.get("facilities", []) or [], body.get("people", []) or []
    if not (isinstance(facilities, list) and isinstance(people, list)) or len(facilities) + len(people) > MAX_INVITED:
        raise FhirError(400, "invalid", f"'facilities' and 'people' must be lists of at most {MAX_INVITED} in all",
                        ["invite"])
    bad = [f for f in facilities if not (isinstance(f, str) and _FACILITY.fullmatch(f))]
    if bad:
        raise FhirError(422, "invalid", f"a facility is named by its 5-character code (mã cơ sở KCB), not "
                        f"{str(bad[0])[:40]!r}", ["invite.facilities"])
    bad = [p for p in people if not (isinstance(p, str) and _ID.fullmatch(p))]
    if bad:
        raise FhirError(422, "invalid", f"a person is named by their id, not {str(bad[0])[:40]!r}", ["invite.people"])
    people = list(dict.fromkeys(people))
    if people:
        from ..console.tables import people as persons

        known = set(conn.execute(select(persons.c.id).where(
            persons.c.id.in_(people), persons.c.role.in_(INVITABLE_ROLES), persons.c.disabled_at.is_(None))).scalars())
        known |= set(conn.execute(select(clients.c.id).where(
            clients.c.id.in_(people), clients.c.kind == "expert", clients.c.revoked_at.is_(None))).scalars())
        unknown = [p for p in people if p not in known]
        if unknown:
            raise not_invitable(unknown[0])
    return list(dict.fromkeys(f.upper() for f in facilities)), people


def not_invitable(person: str) -> LiveError:
    """An id no expert or coordinator who may be invited has: disabled, revoked or removed since the directory
    listed them (or never one). Its own code: the station and the console say it as such, not as a bad body."""
    return LiveError(422, "not-invitable", f"no expert or coordinator who may be invited has the id {person[:64]!r} "
                     "(disabled or removed since the search?): nobody was invited", "invalid")


def too_many_invited(have: int, adding: int) -> LiveError:
    return LiveError(409, "too-many-invited", f"a live consultation invites at most {MAX_SESSION_INVITED} sites and "
                     f"people in all: {have} are invited, these {adding} more would pass it (nobody was invited)",
                     "too-costly")


def _invite(conn: Connection, who: Principal, session, facilities: list[str], people: list[str]) -> None:
    """Record the invitations not made yet, each with its push event to the invited (those invited already: no
    second push); all of them or, past MAX_SESSION_INVITED, none. The caller holds the session's row lock."""
    done = conn.execute(select(live_invitations.c.facility, live_invitations.c.person)
                        .where(live_invitations.c.session_id == session.id)).all()
    have_f, have_p = {r.facility for r in done if r.facility}, {r.person for r in done if r.person}
    now, sender, rows = _now(), site_of(who), []
    for facility, person in [(f, "") for f in facilities if f not in have_f] + \
                            [("", p) for p in people if p not in have_p]:
        rows.append(dict(id=str(uuid.uuid4()), session_id=session.id, facility=facility, person=person,
                         invited_by=who.client_id, from_site=sender, at=now))
    if not rows:
        return
    if len(done) + len(rows) > MAX_SESSION_INVITED:
        raise too_many_invited(len(done), len(rows))
    conn.execute(insert(live_invitations), rows)
    append_events(conn, [dict(created_at=now, kind="invitation", resource_type="LiveInvitation", resource_id=r["id"],
                              request_id=session.request_id, facility=r["facility"] or session.facility,
                              hospital="", specialty="", client_id=who.client_id) for r in rows])


def may_invite(conn: Connection, who: Principal, live_id: str, lock: bool = False):
    """The session when `who` may invite to it: 404 no such session, 403 not invited / not the host,
    409 ended. Those who could start a session on the case may, and its starter."""
    session, request = _joinable(conn, who, live_id, lock=lock)
    if session.state != OPEN:
        raise ended()
    if not (may_start(who, request) or session.started_by == who.client_id):
        raise LiveError(403, "not-host", "only the case's own station and the experts it is routed to invite "
                        "others", "forbidden")
    return session


def invite(conn: Connection, who: Principal, live_id: str, body: dict) -> dict:
    """Invite more facilities and people (`body` {"facilities": [...], "people": [...]}): those who could
    start a session on the case, and its starter."""
    session = may_invite(conn, who, live_id, lock=True)
    facilities, people = _invitees(conn, body)
    _invite(conn, who, session, facilities, people)
    return _view(conn, session)


def invitations_for(conn: Connection, who: Principal, ids: list[str]) -> dict[str, tuple[str, str]]:
    """Of invitations `ids`, those addressed to `who`: id -> (live session id, the inviting site)."""
    if who.is_station:
        match = live_invitations.c.facility == who.facility
    else:
        match = live_invitations.c.person.in_([p for p in (who.person_id, who.client_id) if p] or [""])
    rows = conn.execute(select(live_invitations.c.id, live_invitations.c.session_id, live_invitations.c.from_site)
                        .where(live_invitations.c.id.in_(ids), match))
    return {r.id: (r.session_id, r.from_site) for r in rows}


# -- joining ---------------------------------------------------------------------------------------

def _case_summary(conn: Connection, who: Principal, request) -> dict:
    """What every screen of the session may show: case code, initials, age, sex (an expert abroad: age band)."""
    patient = None
    if request.patient_id:
        row = conn.execute(select(resources.c.content).where(resources.c.type == "Patient",
                                                             resources.c.id == request.patient_id)).first()
        patient = row.content if row is not None else None
    patient = patient or {}
    code = _case_code(request.content, request.id)
    sex = patient.get("gender", "")
    if who.foreign:
        from ..redaction import age_band

        return {"code": code, "initials": "", "age": age_band(patient.get("birthDate", "")), "sex": sex}
    return {"code": code, "initials": initials(patient), "age": age_of_patient(patient), "sex": sex}


def initials(patient: dict) -> str:
    """'Nguyễn Văn An' -> 'N.V.A.'"""
    name = (patient.get("name") or [{}])[0]
    text = name.get("text") or " ".join([name.get("family", ""), *name.get("given", [])])
    return "".join(f"{part[0].upper()}." for part in text.split() if part[:1].isalpha())


def age_of_patient(patient: dict, today: date | None = None) -> str:
    """The age the station was told when it knew no date of birth (its birthDate is then a year estimated from
    it, a year off half the time), else the age counted from the date of birth."""
    from app.wire.mapping import stated_age

    stated = stated_age(patient)
    return str(stated) if stated is not None else age_of(patient.get("birthDate", ""), today)


def age_of(birth_date: str, today: date | None = None) -> str:
    """Whole years from a FHIR date ('' when there is none); under two years, in months ('18 tháng')."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", birth_date or "")
    if not match:
        return ""
    today = today or date.today()
    year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
    months = (today.year - year) * 12 + today.month - month - (today.day < day)
    if months < 0:
        return ""
    return f"{months} tháng" if months < 24 else str(months // 12)


def _studies(conn: Connection, who: Principal, request) -> list[str]:
    """The case's StudyInstanceUIDs `who` may open in its own viewer: none for a site only invited (it reads
    none of the case's records), only the de-identified ones for an expert abroad."""
    if not (who.routed(request) or (who.is_station and who.facility == request.facility)):
        return []
    found = ResourceStore().select(conn, who, "ImagingStudy", resources.c.request_id == request.id)
    uids = [next((i.get("value", "").removeprefix("urn:oid:") for i in s.get("identifier", [])
                  if i.get("system") == systems.DICOM_UID), "") for s in found]
    uids = [u for u in dict.fromkeys(uids) if u]
    if who.foreign:
        clean = set(conn.execute(select(imaging_studies.c.study_uid).where(
            imaging_studies.c.request_id == request.id, imaging_studies.c.deidentified.is_(True))).scalars())
        uids = [u for u in uids if u in clean]
    return uids


def join_details(conn: Connection, who: Principal, config: HubConfig, live_id: str) -> dict:
    """A ticket to join session `live_id`: 403 not invited, 409 ended, 503 when Janus cannot be reached.

    The client attaches to Janus's VideoRoom with `opaque_id` and joins with `room_token` and `display`
    exactly as given: the room lets in only tokens the hub added, and Janus's events name the ticket
    by its opaque id (attendance)."""
    session, request = _joinable(conn, who, live_id, lock=True)
    if session.state != OPEN:
        raise ended()
    if config.janus is None:
        raise sfu_unavailable("no video server is configured on this hub")
    room_token, opaque_id = secrets.token_urlsafe(24), f"dc-{uuid.uuid4()}"
    admin = admin_of(config)
    try:
        try:
            admin.allow(session.room, session.room_secret, [room_token])
        except JanusAdminError as error:
            if error.unreachable or error.code != 426:  # 426: no such room (Janus restarted): made again below
                raise
            _recreate_room(conn, admin, session, [room_token])
    except JanusAdminError as error:
        raise _janus_failure(error) from None
    site, display = site_of(who), display_of(who)
    conn.execute(insert(live_tickets).values(opaque_id=opaque_id, session_id=session.id, room_token=room_token,
                                             who=who.client_id, site=site, display=display, issued_at=_now()))
    ice = list(config.janus.ice_servers)
    if config.turn is not None:
        ice.append(config.turn.ice_server(who.client_id, TURN_LIFETIME_S))
    from .viewer_uids import originals

    studies = _studies(conn, who, request)
    return {"id": session.id,
            "janus": {"url": config.janus_public_url or config.janus.url,
                      "token": signed_token(config.janus.token_secret, JANUS_TOKEN_LIFETIME_S),
                      "room": session.room, "room_token": room_token, "opaque_id": opaque_id, "ice_servers": ice},
            "display": display, "site": site, "case": _case_summary(conn, who, request), "request": session.request_id,
            "home_sites": _home_sites(conn, session.facility),
            "studies": studies, "recording": _recording(conn, session.id),
            # The viewer states carry de-identified UIDs only (app/wire/live.py): a browser holding the originals
            # maps them back with this; {} for an expert abroad (S1, issue 15).
            "uids": originals(conn, who, request, studies)}


def _home_sites(conn: Connection, facility: str) -> list[str]:
    """How the case's own stations are shown in the room (their displays): on a slow link, the video received
    after the presenter's is theirs, the site where the patient is (not two experts that happen to come first)."""
    from .directory import station_names

    return station_names(conn, facility) or [facility]


def _recreate_room(conn: Connection, admin: JanusAdmin, session, tokens: list[str]) -> None:
    """The room is gone from Janus (a restart): make it again with the tickets issued and not used yet."""
    used = select(live_attendance.c.opaque_id).where(live_attendance.c.session_id == session.id)
    issued = list(conn.execute(select(live_tickets.c.room_token).where(
        live_tickets.c.session_id == session.id, live_tickets.c.opaque_id.not_in(used))).scalars())
    admin.create_room(session.room, session.room_secret, issued + tokens, require_pvtid=True)


def room_of(conn: Connection, live_id: str) -> tuple[str, str] | None:
    """(Janus room, room secret) of session `live_id`, for the hub's own services (recording): never to clients."""
    session = _session_row(conn, live_id)
    return (session.room, session.room_secret) if session is not None else None


# -- leaving and ending ----------------------------------------------------------------------------

def leave(conn: Connection, who: Principal, config: HubConfig, live_id: str, join: str = "") -> dict:
    """`who` leaves: its tickets no longer let anyone in, its participants are taken out of the room and its
    attendance closed. Janus being unreachable does not stop it (the room goes with Janus anyway).
    `join`: the opaque id of one join (a browser tab): only that one leaves, so an expert who closes one of two
    tabs stays in the session with the other (it was taken out of the room, its page still saying "joined")."""
    if not isinstance(join, str) or len(join) > 64:
        raise FhirError(400, "invalid", "'join' is the opaque id of one's own join (at most 64 characters)", ["join"])
    session, _ = _joinable(conn, who, live_id)
    ticket = [live_tickets.c.opaque_id == join] if join else []
    attended = [live_attendance.c.opaque_id == join] if join else []
    tokens = list(conn.execute(select(live_tickets.c.room_token).where(
        live_tickets.c.session_id == session.id, live_tickets.c.who == who.client_id, *ticket)).scalars())
    mine = conn.execute(select(live_attendance.c.participant).where(
        live_attendance.c.session_id == session.id, live_attendance.c.who == who.client_id,
        live_attendance.c.left_at.is_(None), *attended)).scalars().all()
    if session.state == OPEN and config.janus is not None:
        admin = JanusAdmin(config.janus)
        try:
            if tokens:
                admin.allow(session.room, session.room_secret, tokens, action="remove")
            for participant in mine:
                try:
                    admin.kick(session.room, session.room_secret, participant)
                except JanusAdminError as error:
                    if error.unreachable:
                        raise
        except JanusAdminError:
            pass  # Janus gone or the room gone: nobody gets in with these tickets either way
    conn.execute(update(live_attendance).where(
        live_attendance.c.session_id == session.id, live_attendance.c.who == who.client_id,
        live_attendance.c.left_at.is_(None), *attended).values(left_at=_now()))
    return _view(conn, session)


def may_end(who: Principal, session, request) -> bool:
    """The starter, or a coordinator of the case's routing."""
    return session.started_by == who.client_id or (who.role == COORDINATOR and request is not None
                                                   and who.routed(request))


def end(conn: Connection, who: Principal, config: HubConfig, live_id: str) -> dict:
    """End the session: the room is destroyed on Janus (everyone is out), open attendance is closed."""
    session, request = _joinable(conn, who, live_id, lock=True)
    if session.state != OPEN:
        raise ended()
    if not may_end(who, session, request):
        raise LiveError(403, "not-host", "only whoever started this live consultation, or a coordinator of the "
                        "case's routing, may end it", "forbidden")
    if config.janus is not None:
        try:
            JanusAdmin(config.janus).destroy_room(session.room, session.room_secret)
        except JanusAdminError:
            pass  # unreachable or already gone (a restart): the session ends on the hub regardless
    now = _now()
    conn.execute(update(live_sessions).where(live_sessions.c.id == session.id).values(state=ENDED, ended_at=now))
    conn.execute(update(live_attendance).where(live_attendance.c.session_id == session.id,
                                               live_attendance.c.left_at.is_(None)).values(left_at=now))
    return _view(conn, _session_row(conn, session.id))


def attendance(conn: Connection, who: Principal, live_id: str) -> dict:
    """Who was in the room, from which site, from when to when (for the minutes)."""
    session, _ = _joinable(conn, who, live_id)
    return {"id": session.id, "attendance": attendance_rows(conn, session.id)}


def attendance_rows(conn: Connection, live_id: str) -> list[dict]:
    rows = conn.execute(select(live_attendance).where(live_attendance.c.session_id == live_id)
                        .order_by(live_attendance.c.joined_at, live_attendance.c.id))
    out = []
    for r in rows:
        seconds = int((aware(r.left_at) - aware(r.joined_at)).total_seconds()) if r.left_at else None
        out.append({"participant": r.participant, "who": r.who, "site": r.site, "display": r.display,
                    "joined_at": _instant(r.joined_at), "left_at": _instant(r.left_at), "seconds": seconds})
    return out


# -- Janus's events --------------------------------------------------------------------------------

def record_janus_events(conn: Connection, events: list, impostors: list | None = None) -> set[str]:
    """Attendance from Janus's event handler (sampleevh, grouped): the live session ids whose presence changed.

    `joined` (a VideoRoom participant, its handle's opaque id naming the hub's ticket) opens a row and adds a
    `Followup` to `impostors` for `remove_impostors` once this transaction is committed: the ticket's room token
    is withdrawn (one join per ticket); one that joined under another display than its ticket's (a client lying
    on the others' tiles) or another handle is recorded all the same (it is in the room: recording's consent
    must count it) and taken out; one in a hub room without a ticket, or on a ticket used already, is taken out
    unrecorded; so is one that `configure`d under another name (Janus lets a participant rename itself there, and
    its event does not say to what: Janus's participant list is asked, after the commit);
    `leaving`/`kicked` close it by participant id; a Janus session destroyed or timed out closes what it held;
    a room destroyed closes all of it. A handle detached closes nothing: a join's subscriber handles carry its
    opaque id too, and a station drops the one that received whoever left (it closed the station's attendance
    while it sat in the room, and recording then ignored its refusal); a publisher's handle going away is
    told as its `leaving`."""
    changed: set[str] = set()
    now = _now()
    for event in events if isinstance(events, list) else [events]:
        if not isinstance(event, dict):
            continue
        body = event.get("event") if isinstance(event.get("event"), dict) else {}
        kind = event.get("type")
        if kind == 64 and body.get("plugin") == "janus.plugin.videoroom":
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            what, room, participant = data.get("event"), str(data.get("room", "")), str(data.get("id", ""))
            if what == "joined" and participant:
                changed |= _joined(conn, event, room, participant, data, now, impostors)
            elif what in ("configured", "published") and participant and impostors is not None:
                _check_name(conn, room, participant, impostors)
            elif what in ("leaving", "kicked") and participant:
                changed |= _close(conn, now, live_attendance.c.participant == participant, room=room)
            elif what == "destroyed" and room:
                changed |= _close(conn, now, room=room)
        elif kind == 1 and body.get("name") in ("destroyed", "timeout") and _janus_id(event.get("session_id")):
            changed |= _close(conn, now, live_attendance.c.janus_session == event["session_id"])
    return changed


def _janus_id(value) -> bool:
    """A Janus session id as Janus makes them (a positive integer a database column holds), not a forged one."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 63


def _ticket_in(conn: Connection, room: str, match):
    query = select(live_tickets, live_sessions.c.room, live_sessions.c.room_secret).join(
        live_sessions, live_sessions.c.id == live_tickets.c.session_id).where(match, live_sessions.c.room == room)
    if conn.dialect.name == "postgresql":
        # Two `joined` on one ticket in two event posts at once (two hub workers): one is the ticket's participant.
        query = query.with_for_update(of=live_tickets)
    return conn.execute(query).first()


def _joined(conn: Connection, event: dict, room: str, participant: str, data: dict, now: datetime,
            impostors: list | None = None) -> set[str]:
    """One ticket lets in one participant, once, through the handle the ticket names: its room token is
    withdrawn once used (`remove_impostors`), a second participant on it is taken out and not attended."""
    opaque = str(event.get("opaque_id") or "")
    token = data.get("token") if isinstance(data.get("token"), str) else ""
    ticket = _ticket_in(conn, room, live_tickets.c.opaque_id == opaque) if opaque else None
    by_handle = ticket is not None
    if ticket is None and token:  # Janus names the room token used: a ticket's holder under another handle
        ticket = _ticket_in(conn, room, live_tickets.c.room_token == token)
    if ticket is None:
        ours = conn.execute(select(live_sessions.c.room_secret).where(live_sessions.c.room == room)).first()
        if ours is not None and impostors is not None:  # in one of the hub's rooms without any ticket
            impostors.append(Followup(room, ours.room_secret, participant, token))
        return set()
    if conn.execute(select(live_attendance.c.id).where(
            live_attendance.c.session_id == ticket.session_id, live_attendance.c.participant == participant,
            live_attendance.c.left_at.is_(None))).first() is not None:
        return set()  # retransmitted by the event handler
    if conn.execute(select(live_attendance.c.id).where(live_attendance.c.opaque_id == ticket.opaque_id)
                    .limit(1)).first() is not None:
        # The ticket let someone in already (two joins at once with one ticket, before its token was withdrawn).
        if impostors is not None:
            impostors.append(Followup(room, ticket.room_secret, participant, ticket.room_token))
        return set()
    session_id = event.get("session_id")
    conn.execute(insert(live_attendance).values(
        session_id=ticket.session_id, participant=participant, opaque_id=ticket.opaque_id, who=ticket.who,
        site=ticket.site, display=ticket.display, janus_session=session_id if _janus_id(session_id) else None,
        joined_at=now))
    if impostors is not None:
        # Recorded all the same (it is in the room: recording's consent must count it) until taken out.
        lying = (not by_handle or data.get("display") not in (None, ticket.display)
                 or data.get("token") not in (None, ticket.room_token) or _gone(conn, ticket.who))
        impostors.append(Followup(room, ticket.room_secret, participant, ticket.room_token, kick=lying))
    return {ticket.session_id}


def _gone(conn: Connection, who: str) -> bool:
    """A revoked station or expert client, a disabled console account: its tickets no longer let it in (a
    stolen station kept its Janus token, valid 12 hours, and its room token, so it could rejoin)."""
    if who.startswith("person:"):
        from ..console.tables import people as persons

        row = conn.execute(select(persons.c.disabled_at).where(persons.c.id == who.removeprefix("person:"))).first()
        return row is None or row.disabled_at is not None
    row = conn.execute(select(clients.c.revoked_at).where(clients.c.id == who)).first()
    return row is None or row.revoked_at is not None


def withdraw(conn: Connection, who: str) -> list:
    """Client `who` was revoked (a stolen station) or console account `who` ("person:<id>") disabled: its tickets
    in the open sessions no longer let anyone in, and its participants in them are taken out; what Janus is to
    be asked, for `remove_impostors` once this transaction is committed. (A `joined` of a revoked client is
    refused anyway; this is for one sitting in a room when it is revoked.)"""
    tickets = conn.execute(select(live_tickets.c.room_token, live_sessions.c.room, live_sessions.c.room_secret).join(
        live_sessions, live_sessions.c.id == live_tickets.c.session_id).where(
        live_tickets.c.who == who, live_sessions.c.state == OPEN)).all()
    present = conn.execute(select(live_attendance.c.participant, live_sessions.c.room, live_sessions.c.room_secret)
                           .join(live_sessions, live_sessions.c.id == live_attendance.c.session_id).where(
        live_attendance.c.who == who, live_attendance.c.left_at.is_(None), live_sessions.c.state == OPEN)).all()
    return ([Followup(t.room, t.room_secret, "", t.room_token, kick=False) for t in tickets]
            + [Followup(p.room, p.room_secret, p.participant, "") for p in present])


def _check_name(conn: Connection, room: str, participant: str, impostors: list) -> None:
    """Participant `participant`, in the room by the hub's ticket, is to keep its ticket's name: checked with
    Janus once this transaction is committed (`remove_impostors`)."""
    row = conn.execute(select(live_tickets.c.room_token, live_tickets.c.display, live_sessions.c.room_secret).join(
        live_attendance, live_attendance.c.opaque_id == live_tickets.c.opaque_id).join(
        live_sessions, live_sessions.c.id == live_tickets.c.session_id).where(
        live_attendance.c.participant == participant, live_attendance.c.left_at.is_(None),
        live_sessions.c.room == room)).first()
    if row is not None:
        impostors.append(Followup(room, row.room_secret, participant, row.room_token, expected=row.display))


@dataclass(frozen=True)
class Followup:
    """What Janus is asked once the attendance naming a participant is committed: withdraw the room token it
    joined with (a ticket is good for one join), and take it out (`kick`) when it had no right to stay;
    `expected`: take it out only if Janus now shows another name than this (a `configure`)."""
    room: str
    secret: str
    participant: str
    room_token: str
    kick: bool = True
    expected: str | None = None


def remove_impostors(config: HubConfig, impostors: list) -> bool:
    """Withdraw the room tokens just used and take out of their rooms the participants that joined under another
    name than their ticket's (or with another ticket's room token, another handle than the ticket's, a ticket
    used already, or whose client was revoked since): the hub's clients join as their ticket says, so only a
    forged client differs, and its tile would have lied to every site. Janus gone: nothing to do. False when
    Janus did not answer one of the requests (the sweep of revoked clients tries again)."""
    if not impostors or config.janus is None:
        return True
    answered = True
    admin = JanusAdmin(config.janus)
    names: dict[str, dict[str, str]] = {}  # room -> participant -> display, as Janus has them now
    for one in impostors:
        if one.expected is not None:
            if one.room not in names:
                try:
                    names[one.room] = {str(p.get("id")): p.get("display") for p in admin.participants(one.room)}
                except JanusAdminError:
                    names[one.room] = {}
            if names[one.room].get(one.participant, one.expected) in (None, one.expected):
                continue
        requests = [lambda one=one: admin.allow(one.room, one.secret, [one.room_token], action="remove")]
        if one.kick:
            requests.append(lambda one=one: admin.kick(one.room, one.secret, one.participant))
        for request in requests if one.room_token else requests[1:]:
            try:
                request()
            except JanusAdminError as error:  # unreachable, or the room or participant already gone
                answered = answered and not error.unreachable
    return answered


def _close(conn: Connection, now: datetime, *where, room: str = "") -> set[str]:
    """Close the open attendance rows matching `where` (in Janus room `room` when given)."""
    query = select(live_attendance.c.id, live_attendance.c.session_id).where(live_attendance.c.left_at.is_(None),
                                                                            *where)
    if room:
        query = query.join_from(live_attendance, live_sessions, live_sessions.c.id == live_attendance.c.session_id
                                ).where(live_sessions.c.room == room)
    rows = conn.execute(query).all()
    if not rows:
        return set()
    conn.execute(update(live_attendance).where(live_attendance.c.id.in_([r.id for r in rows])).values(left_at=now))
    return {r.session_id for r in rows}


def open_attendance_of(conn: Connection, live_id: str) -> list[dict]:
    """Who is in the room now (for recording's consent: every present site must agree)."""
    return present(conn, live_id)

