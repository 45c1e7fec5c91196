"""The experts' web console, served by the hub under /console (server-rendered, Jinja2 + htmx).

`install_console(app)` is what create_app calls: the console's routes (`console_router()`, every one
behind the CSRF check), its static files, its DICOM viewer, its error pages (an HTML 404 for any other
/console path) and the audit of every request. Views add their APIRouter to `console_router()` below;
paths there are relative to /console.
"""

import re
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse

from .admin import admin_router
from .audit_trail import ConsoleAudit
from .csrf import csrf_protect
from .errors import add_console_error_handlers
from .sessions import session_of
from .signin import signin_router
from .templating import render
from .viewer import viewer_router
from .views import case, conclusion, inbox, live, triage

PREFIX = "/console"
STATIC = Path(__file__).parent / "static"
# htmx from npm (package-lock.json), never a CDN.
NODE_FILES = {"htmx.min.js": Path(__file__).parents[2] / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"}
_STATIC_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,80}\.(css|js|svg|png|woff2)")
_MEDIA = {"css": "text/css", "js": "text/javascript", "svg": "image/svg+xml", "png": "image/png",
          "woff2": "font/woff2"}


def console_router() -> APIRouter:
    """Every console page and action, under /console; each POST must carry the session's CSRF token."""
    router = APIRouter(prefix=PREFIX, dependencies=[Depends(csrf_protect)])
    router.include_router(static_router())
    router.include_router(signin_router())
    router.include_router(admin_router())
    # The experts' pages (server/console/views): inbox, case page, triage actions, conclusion editor.
    router.include_router(inbox.router)
    router.include_router(case.router)
    router.include_router(triage.router)
    router.include_router(conclusion.router)
    router.include_router(live.router)  # live consultations: the session page, join, consent
    return router


def static_router() -> APIRouter:
    router = APIRouter()

    @router.get("/static/{name}")
    def static_file(name: str, request: Request):
        path = NODE_FILES.get(name) or (STATIC / name if _STATIC_NAME.fullmatch(name) else None)
        if path is None or not path.is_file():
            return page_not_found(request)
        return FileResponse(path, media_type=_MEDIA[path.suffix.lstrip(".")],
                            headers={"Cache-Control": "public, max-age=3600"})
    return router


def page_not_found(request: Request):
    """The console's own 404: a page in the person's language (signed in or not), never the API's JSON."""
    session_of(request)  # who is asking, for the header and the language; nobody is sent to sign in for a 404
    return render(request, "not_found.html", status=404)


def fallback_router() -> APIRouter:
    """Any other /console path: the console's 404 page. Included after every console route (the viewer's too)
    and before the FHIR routes, which would answer an OperationOutcome."""
    router = APIRouter(prefix=PREFIX)

    @router.get("")
    def console_root():
        return RedirectResponse(f"{PREFIX}/", status_code=303)

    @router.api_route("/{rest:path}", methods=["GET", "HEAD"])
    def unknown_page(request: Request):
        return page_not_found(request)
    return router


def install_console(app: FastAPI) -> None:
    """Before the FHIR routes (their /{kind} would take /console)."""
    add_console_error_handlers(app)
    app.add_middleware(ConsoleAudit, engine_of=lambda: app.state.engine)
    app.include_router(console_router(), include_in_schema=False)  # pages, not the FHIR API's description
    app.include_router(viewer_router())  # its DICOM viewer, /console/viewer
    app.include_router(fallback_router(), include_in_schema=False)  # last of /console: an HTML 404
