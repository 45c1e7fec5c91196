"""What the console answers when a page cannot be shown: a redirect to sign in, or a page saying why."""

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from .csrf import CsrfRefused
from .sessions import Forbidden, LoginRequired, TotpRequired, login_url, session_of
from .templating import render

# Which refusal a 403 is, for static/errors.js: htmx swaps no 403, so the page says it in its own words.
REFUSED = "X-Refused"


def add_console_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def on_login_required(request: Request, error: LoginRequired):
        if request.headers.get("hx-request"):
            # htmx would put the login page inside the fragment it asked for: it opens the page instead
            referer = request.headers.get("hx-current-url", "")
            path = "/" + referer.split("://", 1)[-1].split("/", 1)[-1] if "://" in referer else error.next_url
            return Response(status_code=204, headers={"HX-Redirect": login_url(path)})
        return RedirectResponse(login_url(error.next_url), status_code=303)

    @app.exception_handler(TotpRequired)
    async def on_totp_required(_request: Request, _error: TotpRequired):
        return RedirectResponse("/console/totp", status_code=303)

    @app.exception_handler(Forbidden)
    async def on_forbidden(request: Request, _error: Forbidden):
        response = render(request, "refused.html", status=403, reason="role")
        response.headers[REFUSED] = "role"
        return response

    @app.exception_handler(CsrfRefused)
    async def on_csrf_refused(request: Request, _error: CsrfRefused):
        response = render(request, "refused.html", status=403, reason="csrf")
        # A post from a page of the console without any session behind it now: signed out (idle, or in another
        # tab), not merely a page opened under an older sign-in (session_of was looked up by the CSRF check).
        # Read by static/errors.js, for htmx's requests and the pages' own fetch calls alike.
        signed_out = session_of(request) is None
        response.headers[REFUSED] = "signed-out" if signed_out else "csrf"
        return response
