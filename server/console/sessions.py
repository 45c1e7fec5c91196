"""Server-side console sessions: a random token in an HttpOnly cookie, only its SHA-256 in the database.

A session ends after 30 minutes without a request, after 12 hours in any case, on sign-out, and
when the account is disabled or its password reset; changing one's password ends one's other
sessions. `current_person` is the dependency every console page takes; `require_role` narrows it.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from .accounts import Person, by_id
from .tables import console_sessions

COOKIE = "diemcau_session"
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
SEEN_STEP = timedelta(seconds=30)
# Only these pages are open to an administrator who has no second factor yet.
_BEFORE_TOTP = ("/console/totp", "/console/logout", "/console/static/")
_UNSEEN = object()


class LoginRequired(Exception):
    """No live session: the console handler sends the browser to the login page, back here afterwards."""

    def __init__(self, next_url: str):
        self.next_url = next_url


class TotpRequired(Exception):
    """An administrator without a second factor: sent to enrol one before anything else."""


class Forbidden(Exception):
    """Signed in, but this page is not for this role: a 403 page saying so."""


@dataclass(frozen=True)
class Session:
    person: Person
    csrf: str
    token_hash: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def start(conn: Connection, person_id: str, now: datetime | None = None) -> tuple[str, str]:
    """A new session for the person: (the cookie's token, its CSRF token)."""
    now = now or datetime.now(timezone.utc)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    conn.execute(insert(console_sessions).values(token_hash=_hash(token), person_id=person_id, csrf=csrf,
                                                 created_at=now, last_seen=now))
    return token, csrf


def lookup(conn: Connection, token: str | None, now: datetime | None = None, touch: bool = True) -> Session | None:
    """The live session of this cookie token (its last-seen time moved on), or None; an expired one is deleted.

    `touch=False`: asked by the console's event stream, which is no sign of someone at the screen.
    """
    if not token:
        return None
    now = now or datetime.now(timezone.utc)
    token_hash = _hash(token)
    row = conn.execute(select(console_sessions).where(console_sessions.c.token_hash == token_hash)).first()
    if row is None:
        return None
    if now - _aware(row.last_seen) > IDLE or now - _aware(row.created_at) > ABSOLUTE:
        conn.execute(delete(console_sessions).where(console_sessions.c.token_hash == token_hash))
        return None
    person = by_id(conn, row.person_id)
    if person is None or person.disabled:
        conn.execute(delete(console_sessions).where(console_sessions.c.token_hash == token_hash))
        return None
    if touch and now - _aware(row.last_seen) > SEEN_STEP:  # not a write per page: the idle clock needs no finer grain
        conn.execute(update(console_sessions).where(console_sessions.c.token_hash == token_hash)
                     .values(last_seen=now))
    return Session(person=person, csrf=row.csrf, token_hash=token_hash)


def end(conn: Connection, token: str | None) -> None:
    if token:
        conn.execute(delete(console_sessions).where(console_sessions.c.token_hash == _hash(token)))


def end_all(conn: Connection, person_id: str) -> None:
    conn.execute(delete(console_sessions).where(console_sessions.c.person_id == person_id))


def end_others(conn: Connection, person_id: str, token: str | None) -> None:
    """Every session of the person but this token's (a password changed here: elsewhere must sign in again)."""
    conn.execute(delete(console_sessions).where(console_sessions.c.person_id == person_id,
                                                console_sessions.c.token_hash != _hash(token or "")))


def session_of(request: Request) -> Session | None:
    """This request's session, looked up once per request (the CSRF check and the page share it)."""
    if getattr(request.state, "console_session", _UNSEEN) is _UNSEEN:
        with request.app.state.engine.begin() as conn:
            session = lookup(conn, request.cookies.get(COOKIE))
        request.state.console_session = session
        if session:
            request.state.console_person = session.person  # for the audit of this request
    return request.state.console_session


def cookie_secure(request: Request) -> bool:
    return request.app.state.config.public_url.startswith("https://")


def set_cookie(response, request: Request, token: str) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=cookie_secure(request), path="/")


def clear_cookie(response, request: Request) -> None:
    response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=cookie_secure(request), path="/")


def current_person(request: Request) -> Person:
    """The person signed in; else LoginRequired (a redirect to /console/login?next=<this page>)."""
    session = session_of(request)
    if session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method == "GET" else "/console/")
    person = session.person
    if person.role == "admin" and not person.has_totp and not request.url.path.startswith(_BEFORE_TOTP):
        raise TotpRequired()
    return person


def require_role(*roles: str):
    """A dependency: the person signed in, if their role is one of `roles`; else a 403 page."""
    def person_in_role(person: Person = Depends(current_person)) -> Person:
        if person.role not in roles:
            raise Forbidden()
        return person
    return person_in_role


def login_url(next_url: str) -> str:
    return "/console/login?next=" + quote(next_url, safe="/")
