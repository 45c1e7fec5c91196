"""Who can be invited to a live session, found by words: sites (a facility's registered stations) and
experts (console people, expert API clients).

A doctor types "Cần Thơ", "bach mai", "tim mach", not a facility code or an account id; each word of the
query must begin a word of what is shown of the site or expert (accents and case ignored, đ is d), or
be the start of a facility code. The directory answers only those who may invite in that session (the
same rule as service.invite) and says only what the invitation needs and a doctor recognises: a site's
code, its stations' names and hospital; an expert's id, title, name, hospital and specialty. Never
logins, e-mail addresses, roles or anything about a case.

Matching is done here, not in SQL: diacritic folding is not portable between SQLite and PostgreSQL, and
the query never reaches the database (no LIKE, so % and _ are letters like any other). The directory is
the hub's registered clients and people: thousands of rows at most, read once per query.
"""

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from app.domain import reference
from app.domain.text import fold, tokens

from ..access import Principal
from ..console.tables import people as persons
from ..outcome import FhirError
from ..tables import clients
from . import service
from .tables import live_invitations

MAX_RESULTS = 20
MAX_QUERY_CHARS = 200   # a name or two and a place; anything longer is not someone typing
MAX_QUERY_WORDS = 8


def check_query(q) -> list[str]:
    """The query's words (folded); 400 when it is longer than anyone types."""
    if not isinstance(q, str):
        return []
    if len(q) > MAX_QUERY_CHARS:
        raise FhirError(400, "too-costly", f"the search text is longer than {MAX_QUERY_CHARS} characters", ["q"])
    return list(dict.fromkeys(tokens(q)))[:MAX_QUERY_WORDS]


def invitable(conn: Connection, who: Principal, live_id: str, q: str) -> dict:
    """{"sites": [...], "experts": [...], "more": bool}: at most MAX_RESULTS sites and experts matching `q`,
    best first (a name that starts with the query before one that merely contains its words)."""
    session = service.may_invite(conn, who, live_id)  # answered exactly to those who may invite
    words = check_query(q)
    if not words:
        return {"sites": [], "experts": [], "more": False}
    invited = conn.execute(select(live_invitations.c.facility, live_invitations.c.person)
                           .where(live_invitations.c.session_id == session.id)).all()
    facilities_in = {r.facility for r in invited if r.facility}
    people_in = {r.person for r in invited if r.person}
    phrase = " ".join(words)
    found = [(_rank(site["name"], phrase), "site", site) for site in _sites(conn, session.facility, words)]
    found += [(_rank(expert["name"], phrase), "expert", expert) for expert in _experts(conn, who, words)]
    found.sort(key=lambda f: (f[0], fold(f[2]["name"]), f[1]))
    chosen = found[:MAX_RESULTS]
    sites = [dict(s, invited=s["facility"] in facilities_in) for _, kind, s in chosen if kind == "site"]
    experts = [dict(e, invited=e["id"] in people_in) for _, kind, e in chosen if kind == "expert"]
    return {"sites": sites, "experts": experts, "more": len(found) > MAX_RESULTS}


def _matches(words: list[str], haystack: list[str], codes: tuple[str, ...] = ()) -> bool:
    """Every query word begins a word of `haystack` or a code."""
    return all(any(h.startswith(w) for h in haystack) or any(c.startswith(w) for c in codes) for w in words)


def _rank(name: str, phrase: str) -> int:
    folded = " ".join(tokens(name))
    return 0 if folded.startswith(phrase) else 1 if phrase in folded else 2


def _hospital_label(code: str) -> str:
    found = reference.hospital(code or "")
    return found.label("vi") if found else ""


def _hospital_words(code: str) -> list[str]:
    found = reference.hospital(code or "")
    return tokens(f"{found.vi} {found.en}") if found else []


def _stations(conn: Connection, *where) -> dict[str, dict]:
    """Facility code -> {"facility", "names", "hospital"}: the facilities with a station that is not revoked
    (and matches `where`), its stations' names in the order they were registered."""
    rows = conn.execute(select(clients.c.facility, clients.c.name, clients.c.hospital)
                        .where(clients.c.kind == "station", clients.c.revoked_at.is_(None), clients.c.facility != "",
                               *where)
                        .order_by(clients.c.created_at, clients.c.id)).all()
    by_facility: dict[str, dict] = {}
    for row in rows:
        if not service._FACILITY.fullmatch(row.facility or ""):
            continue  # not a code an invitation takes
        site = by_facility.setdefault(row.facility.upper(), {"facility": row.facility.upper(), "names": [],
                                                             "hospital": row.hospital or ""})
        if row.name and row.name not in site["names"]:
            site["names"].append(row.name)
        site["hospital"] = site["hospital"] or row.hospital or ""
    return by_facility


def _site_name(site: dict, hospital: str) -> str:
    return (site["names"] or [hospital or site["facility"]])[0]


def _sites(conn: Connection, own_facility: str, words: list[str]) -> list[dict]:
    """Facilities with a station that is not revoked, other than the case's own (it is in the session already)."""
    found = []
    for code, site in _stations(conn, clients.c.facility != own_facility).items():
        haystack = tokens(" ".join(site["names"])) + _hospital_words(site["hospital"])
        if _matches(words, haystack, (code.lower(),)):
            hospital = _hospital_label(site["hospital"])
            found.append({"facility": code, "name": _site_name(site, hospital), "stations": site["names"][:5],
                          "hospital": hospital, "hospital_code": site["hospital"] if hospital else ""})
    return found


def _people(conn: Connection, *where) -> list[tuple]:
    """(id, name, title, hospital, specialty) of console experts and coordinators (not disabled) and expert API
    clients (not revoked), each `where` applied to the id."""
    rows = [(r.id, r.name, r.title, r.hospital, r.specialty) for r in conn.execute(
        select(persons.c.id, persons.c.name, persons.c.title, persons.c.hospital, persons.c.specialty)
        .where(persons.c.disabled_at.is_(None), persons.c.role.in_(service.INVITABLE_ROLES),
               *(w(persons.c.id) for w in where)))]
    rows += [(r.id, r.name, "", r.hospital, r.specialty) for r in conn.execute(
        select(clients.c.id, clients.c.name, clients.c.hospital, clients.c.specialty)
        .where(clients.c.kind == "expert", clients.c.revoked_at.is_(None), *(w(clients.c.id) for w in where)))]
    return rows


def _experts(conn: Connection, who: Principal, words: list[str]) -> list[dict]:
    """Console experts and coordinators (not disabled) and expert API clients (not revoked), but not `who`."""
    me = {p for p in (who.person_id, who.client_id) if p}
    found = []
    for person_id, name, title, hospital, specialty in _people(conn):
        if person_id in me:
            continue
        known = reference.specialty(specialty or "")
        haystack = (tokens(f"{title} {name}") + _hospital_words(hospital)
                    + (tokens(f"{known.vi} {known.en}") if known else []))
        if _matches(words, haystack):
            # The labels in Vietnamese (the stations show them so); the codes too, for a page in another language.
            label = _hospital_label(hospital)
            found.append({"id": person_id, "name": name or "", "title": title or "",
                          "hospital": label, "specialty": known.label("vi") if known else "",
                          "hospital_code": hospital if label else "", "specialty_code": known.code if known else ""})
    return found


def station_names(conn: Connection, facility: str) -> list[str]:
    """The names of `facility`'s stations that are not revoked, in the order they were registered: how they show
    in a room (a station's display is its name)."""
    site = _stations(conn, clients.c.facility == facility).get(facility.upper())
    return site["names"] if site else []


def invited_names(conn: Connection, live_id: str) -> dict:
    """{"facilities": {code: name}, "people": {id: "PGS.TS Nguyễn Thị Lan"}}: the sites and experts invited to
    session `live_id` named as this directory shows them to the inviters (a station by its first registered
    name, an expert by title and name); those it does not show (no station, revoked, disabled, no name) are left
    out.
    For the session JSON, whose readers were checked already (the same rule as GET /live/{id})."""
    invited = select(live_invitations.c.facility, live_invitations.c.person) \
        .where(live_invitations.c.session_id == live_id).subquery()
    sites = _stations(conn, func.upper(clients.c.facility).in_(select(invited.c.facility)
                                                                 .where(invited.c.facility != "")))
    people = _people(conn, lambda column: column.in_(select(invited.c.person).where(invited.c.person != "")))
    return {"facilities": {code: _site_name(site, _hospital_label(site["hospital"])) for code, site in sites.items()},
            "people": {person_id: " ".join(p for p in (title, name) if p)
                       for person_id, name, title, _, _ in people if name}}
