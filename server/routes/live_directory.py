"""Whom a live session's host can invite, found by words (server/live/directory.py):

GET /live/{id}/invitable?q=<text>             bearer token (a station, an expert API client)
GET /console/live/{id}/invitable?q=<text>     the console's signed-in person (a read: no CSRF token)

Both answer {"sites": [{"facility", "name", "stations", "hospital", "invited"}], "experts": [{"id", "name",
"title", "hospital", "specialty", "invited"}], "more"}, and only to those who may invite in that session;
refusals as the other live routes give them (OperationOutcome with a machine code; the console: JSON
{"code", "message"} as live.js reads them).
"""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..console.sessions import current_person
from ..console.views import common
from ..live import directory
from ..outcome import FhirError
from ..validation import check_id
from .common import Hub
from .live import KIND


def live_directory_router(hub: Hub) -> APIRouter:
    router = APIRouter()

    @router.get("/live/{live_id}/invitable")
    async def invitable(live_id: str, request: Request, q: str = ""):
        check_id(live_id, "the live session id")
        return await hub.run(request, "live-directory", KIND, live_id,
                             lambda conn, who: JSONResponse(directory.invitable(conn, who, live_id, q)))

    @router.get("/console/live/{live_id}/invitable", include_in_schema=False)
    def console_invitable(live_id: str, request: Request, q: str = "", person=Depends(current_person)):
        try:
            check_id(live_id, "the live session id")
            with common.transaction(request) as conn:
                found = directory.invitable(conn, person.principal, live_id, q)
                common.audit(conn, person, "live-directory", KIND, live_id)
        except FhirError as error:
            code = getattr(error, "machine_code", "") or error.code
            return JSONResponse({"code": code, "message": error.diagnostics}, status_code=error.status)
        return JSONResponse(found)
    return router
