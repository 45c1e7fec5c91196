"""Signing in and out, the second factor (TOTP), one's own password and language."""

from datetime import timezone

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from .. import audit
from . import accounts, sessions
from .accounts import N_, Person
from .sessions import current_person
from .templating import LANGUAGE_COOKIE, LANGUAGES, gettext_for, render

BAD_LOGIN = N_("Wrong login or password.")  # the same words whatever was wrong: logins cannot be probed


def _safe_next(target: str) -> str:
    """Only a console page of this hub: never another site (an open redirect would help phishing)."""
    if target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/inbox"


def _engine(request: Request):
    return request.app.state.engine


def signin_router() -> APIRouter:
    router = APIRouter()

    @router.get("/login")
    def login_page(request: Request, next: str = "/console/inbox"):
        return render(request, "login.html", next=_safe_next(next), errors={}, login="", needs_code=False)

    @router.post("/login")
    def login(request: Request, login: str = Form(""), password: str = Form(""), code: str = Form(""),
              next: str = Form("/console/inbox")):
        with _engine(request).begin() as conn:
            result = accounts.sign_in(conn, login, password, code)
            if result.person is None:
                audit.record(conn, "", "login", 423 if result.locked_until else 401,
                             "person" if result.account_id else "console", result.account_id,
                             "code asked" if result.needs_code else "")
        if result.person is None:
            _ = gettext_for(request)
            if result.needs_code:
                error = _("Enter the 6-digit code your authenticator app shows, with your password.")
            elif result.locked_until:
                until = result.locked_until.astimezone(timezone.utc).strftime("%H:%M UTC")
                error = _("Too many failed attempts: this account is locked until %(time)s. Try again then, "
                          "or ask an administrator.") % {"time": until}
            else:
                error = _(BAD_LOGIN)
            return render(request, "login.html", status=200 if result.needs_code else 401, next=_safe_next(next),
                          errors={"form": error}, login=login, needs_code=result.needs_code)
        with _engine(request).begin() as conn:
            sessions.end(conn, request.cookies.get(sessions.COOKIE))  # a new token at each sign-in (no fixation)
            token, _csrf = sessions.start(conn, result.person.id)
            audit.record(conn, result.person.client_id, "login", 200, "console")
        request.state.console_person = result.person
        target = "/console/totp" if result.person.role == "admin" and not result.person.has_totp \
            else _safe_next(next)
        response = RedirectResponse(target, status_code=303)
        sessions.set_cookie(response, request, token)
        return response

    @router.post("/logout")
    def logout(request: Request, person: Person = Depends(current_person)):
        with _engine(request).begin() as conn:
            sessions.end(conn, request.cookies.get(sessions.COOKIE))
        response = RedirectResponse("/console/login", status_code=303)
        sessions.clear_cookie(response, request)
        return response

    @router.post("/language")
    def language(request: Request, language: str = Form(""), next: str = Form("/console/inbox")):
        session = sessions.session_of(request)
        response = RedirectResponse(_safe_next(next), status_code=303)
        if language not in LANGUAGES:
            return response
        if session:
            with _engine(request).begin() as conn:
                accounts.set_language(conn, session.person.id, language)
        else:
            response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="strict", path="/console")
        return response

    @router.get("/totp")
    def totp_page(request: Request, person: Person = Depends(current_person)):
        return _totp_page(request, person, accounts.new_totp_secret(), {})

    @router.post("/totp")
    def totp_enrol(request: Request, secret: str = Form(""), code: str = Form(""),
                   person: Person = Depends(current_person)):
        if person.has_totp:
            return RedirectResponse("/console/totp", status_code=303)
        with _engine(request).begin() as conn:
            ok = len(secret) == 32 and accounts.enable_totp(conn, person.id, secret, code)
        if not ok:
            return _totp_page(request, person, secret if len(secret) == 32 else accounts.new_totp_secret(),
                              {"code": N_("This code does not match. Check the phone's clock and enter the "
                                          "6 digits shown now.")}, status=400)
        return RedirectResponse("/console/totp?done=1", status_code=303)

    @router.get("/password")
    def password_page(request: Request, person: Person = Depends(current_person), done: str = ""):
        return render(request, "password.html", person=person, errors={}, done=bool(done))

    @router.post("/password")
    def password_change(request: Request, current: str = Form(""), new: str = Form(""), repeat: str = Form(""),
                        person: Person = Depends(current_person)):
        errors = {}
        if new != repeat:
            errors["repeat"] = N_("The two new passwords differ.")
        else:
            try:
                with _engine(request).begin() as conn:
                    accounts.change_password(conn, person, current, new)
                    # Whoever else held a session (a stolen cookie, a forgotten ward PC) must sign in again.
                    sessions.end_others(conn, person.id, request.cookies.get(sessions.COOKIE))
            except accounts.InvalidFields as invalid:
                errors = {"new" if k == "password" else k: v for k, v in invalid.errors.items()}
        if errors:
            return render(request, "password.html", status=400, person=person, errors=errors, done=False)
        return RedirectResponse("/console/password?done=1", status_code=303)

    return router


def _totp_page(request: Request, person: Person, secret: str, errors: dict, status: int = 200):
    return render(request, "totp.html", status=status, person=person, secret=secret,
                  uri=accounts.totp_uri(person, secret), errors=errors,
                  done=request.query_params.get("done") == "1")


