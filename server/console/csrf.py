"""CSRF: every POST to the console carries the session's token (form field `csrf` or header X-CSRF-Token).

Before signing in (the login form) there is no session, so the token is a random cookie of its own
that the form repeats (double submit): a page of another site can neither read it nor set it.
"""

import secrets

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from .sessions import cookie_secure, session_of

FIELD = "csrf"
HEADER = "x-csrf-token"
ANONYMOUS_COOKIE = "diemcau_csrf"
_SAFE = ("GET", "HEAD", "OPTIONS")


class CsrfRefused(Exception):
    """A form without its token, or with another session's: refused with a page saying why."""


def token_for_page(request: Request) -> str:
    """The token this page's forms carry: the session's, else the anonymous cookie's (made when absent)."""
    session = session_of(request)  # a page outside the session's views (the login page) may be open signed in
    if session:
        return session.csrf
    token = request.cookies.get(ANONYMOUS_COOKIE) or getattr(request.state, "new_anonymous_csrf", "")
    if not token:
        token = request.state.new_anonymous_csrf = secrets.token_urlsafe(32)
    return token


def finish_response(request: Request, response) -> None:
    """Sets the anonymous token's cookie when this page made one."""
    token = getattr(request.state, "new_anonymous_csrf", "")
    if token:
        response.set_cookie(ANONYMOUS_COOKIE, token, httponly=True, samesite="strict",
                            secure=cookie_secure(request), path="/console")


async def csrf_protect(request: Request) -> None:
    """A dependency of every console route: a POST (or any unsafe method) without the right token is refused."""
    if request.method in _SAFE:
        return
    session = await run_in_threadpool(session_of, request)
    expected = session.csrf if session else request.cookies.get(ANONYMOUS_COOKIE, "")
    sent = request.headers.get(HEADER, "")
    if not sent and request.headers.get("content-type", "").split(";")[0].strip() in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        sent = str((await request.form()).get(FIELD, ""))
    if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()
