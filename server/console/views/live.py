"""Live consultations in the console: an expert joins a case's live session from the browser.

POST /console/cases/{id}/live            start a live session on the case, or join the open one -> its page
GET  /console/live/{id}                  the session page (tiles, controls, the synced DICOM viewer)
POST /console/live/{id}/join             the join details (JSON, as POST /live/{id}/join answers)
GET  /console/live/{id}/state            the session JSON, and whether this person is asked to consent
POST /console/live/{id}/leave            leave (JSON)
POST /console/live/{id}/end              end it for everyone (the starter, or a coordinator)
GET  /console/live/{id}/invite-search    whom to invite, found by words: the invite form's list (htmx)
POST /console/live/{id}/invitations      invite the sites and experts ticked in that list (a form; htmx: the block)
POST /console/live/{id}/consent          {"recording": true|false}: this person's answer
POST /console/live/{id}/recording        {"on": true|false}: ask for the recording, or stop it
GET  /console/live/banners               the inbox's list of open sessions (htmx)
GET  /console/live/lib/{name}            janus.js and webrtc-adapter from node_modules (never a CDN)

Every action calls the same services as the bearer-token routes (server/live/service.py, and
server/routes/live_recording.py for consent and recording) with the signed-in person's Principal: the
rules of who may start, join, invite and end live there only; whom one can invite is found by the hub's
directory (server/live/directory.py, as the stations' GET /live/{id}/invitable). POSTs carry the session's
CSRF token (a form field, or the X-CSRF-Token header from live.js and htmx).
"""

import json
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...live import directory, service
from ...outcome import FhirError
from ...validation import check_id
from .. import csrf
from ..sessions import current_person
from ..templating import language_of, render, translations
from ..viewer import _file
from . import common

router = APIRouter()
N_ = common.N_
KIND = "LiveSession"

NODE_MODULES = Path(__file__).resolve().parents[3] / "node_modules"
# The only files of node_modules this page loads: janus.js as an ES module, and webrtc-adapter (a global
# `adapter` janus.js uses).
LIBRARIES = {
    "janus.es.js": NODE_MODULES / "janus-gateway" / "npm" / "dist" / "janus.es.js",
    "adapter.js": NODE_MODULES / "webrtc-adapter" / "out" / "adapter.js",
}

# The page's words for live.js, as msgids of the console's catalogues.
MESSAGES = {
    "you": N_("you"), "mute": N_("Mute"), "unmute": N_("Unmute"), "camera_off": N_("Stop camera"),
    "camera_on": N_("Start camera"), "raise_hand": N_("Raise hand"), "lower_hand": N_("Lower hand"),
    "present": N_("Present"), "stop_presenting": N_("Stop presenting"), "presenting_now": N_("Presenting:"),
    "reconnecting": N_("The connection was lost. Reconnecting…"),
    "link_trouble": N_("The link is unstable: the picture may freeze for a moment."),
    "refused": N_("You are not invited to this live consultation."),
    "sfu_unavailable": N_("The video server cannot be reached. The rest of the case work goes on; "
                          "this page tries again."),
    "ended": N_("This live consultation has ended."),
    "left_offline": N_("You have left the session. There is no connection: this page goes back to the case "
                       "once it returns."),
    "removed": N_("This window was taken out of the live consultation. Reload the page to join again if you are "
                  "still invited."),
    "no_camera": N_("No camera: the others see your name."),
    "no_devices": N_("No camera or microphone: you take part with your name, and can hear and see the others."),
    "no_webrtc": N_("This browser cannot take part in video calls."),
    "recording_on": N_("Recording"), "recording_waiting": N_("Recording waits for everyone's consent"),
    "recording_paused": N_("Recording paused: waiting for consent"),
    "record": N_("Record the session"), "stop_recording": N_("Stop recording"),
    "video_paused": N_("Video paused to save bandwidth"),
    "video_audio_only": N_("Audio only: video not received"),
    "quality_low_auto": N_("The link is slow: you receive 2 videos at low bandwidth (360p). You can change it."),
    "quality_audio_auto": N_("The link is too slow for video: you receive sound only. You can change it."),
    "male": N_("Male"), "female": N_("Female"), "other": N_("Other"), "years": N_("years"), "study": N_("Study"),
}


def labels_of(language: str) -> dict:
    gettext = translations(language).gettext
    return {key: gettext(text) for key, text in MESSAGES.items()}


def _hub(request: Request):
    return request.app.state.hub


def _config(request: Request):
    return request.app.state.config


def _json_error(error: FhirError) -> JSONResponse:
    """A refusal as live.js reads it: the status, the machine code, the words."""
    code = getattr(error, "machine_code", "") or error.code
    return JSONResponse({"code": code, "message": error.diagnostics}, status_code=error.status)


def _valid_id(live_id: str) -> bool:
    try:
        check_id(live_id, "the live session id")
    except FhirError:
        return False
    return True


def presence_changed(request: Request, live_id: str, ended: bool = False) -> None:
    """As the bearer-token routes do after a join, leave or end: recording re-decides (never fails us)."""
    from ...routes.live import presence_changed as tell

    tell(_hub(request), {live_id}, ended)


def me_in(people: list, person) -> bool:
    return any(isinstance(p, dict) and p.get("participant") == person.client_id for p in people)


def with_consent_question(view: dict, person) -> dict:
    """The session JSON with `recording.asked`: recording is asked for and this person has not answered."""
    recording = dict(view.get("recording") or {})
    recording["asked"] = (recording.get("state", "off") != "off" and me_in(recording.get("missing", []), person)
                          and not me_in(recording.get("declined", []), person))
    return {**view, "recording": recording}


# -- starting from the case ----------------------------------------------------------------------

@router.post("/cases/{case_id}/live")
def start_live(case_id: str, request: Request, person=Depends(current_person)):
    """The case page's "Hội chẩn trực tuyến": a new session on the case, or the open one (the service decides)."""
    try:
        with common.transaction(request) as conn:
            view, created = service.start(conn, person.principal, _config(request), case_id)
            common.audit(conn, person, "live-start" if created else "live-open", KIND, view["id"],
                         f"ServiceRequest/{case_id}")
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        from .case import show_case

        return show_case(request, person, case_id, status=error.status, conflict=_live_refusal(request, person, error))
    return RedirectResponse(f"/console/live/{view['id']}", status_code=303)


def _live_refusal(request: Request, person, error: FhirError) -> str:
    from ..templating import gettext_for

    _ = gettext_for(request, person)
    code = getattr(error, "machine_code", "")
    if code == "sfu-unavailable" or error.status in (502, 503):
        return _(MESSAGES["sfu_unavailable"])
    if code == "ended":
        return _(MESSAGES["ended"])
    return _(MESSAGES["refused"])


def open_sessions_of_case(conn, person, case_id: str) -> list[dict]:
    """The case's open live sessions this person may join (for the case page's banner)."""
    return labelled(conn, [s for s in service.sessions_of_request(conn, person.principal, case_id)
                           if s.get("state") == service.OPEN])


def open_sessions(conn, person) -> list[dict]:
    """Every open live session this person may join (the inbox's banner): routed cases and invitations."""
    return labelled(conn, service.sessions_for(conn, person.principal))


# The hub's default title before it stored the case code alone: Vietnamese on English and French consoles too,
# and "Đang hội chẩn trực tuyến · Hội chẩn trực tuyến — ca …" in the banner. Sessions started then show as untitled.
OLD_DEFAULT_TITLE = "Hội chẩn trực tuyến — ca {code}"


def labelled(conn, sessions: list[dict]) -> list[dict]:
    """`sessions` with "case_code" and "own_title" (the title someone typed; "" for the hub's default, which the
    templates show as "ca/case/cas <code>" in the reader's language)."""
    for session in sessions:
        row = service._request_row(conn, session["request"])
        code = service._case_code(row.content, row.id) if row is not None else session["request"][:8]
        title = (session.get("title") or "").strip()
        session["case_code"] = code
        session["own_title"] = "" if title in ("", code, OLD_DEFAULT_TITLE.format(code=code)) else title
    return sessions


@router.get("/live/banners")
def banners(request: Request, person=Depends(current_person)):
    """The inbox's list of open live sessions (htmx swaps it in when an invitation is pushed)."""
    with common.transaction(request) as conn:
        sessions = open_sessions(conn, person)
    return render(request, "partials/live_banners.html", person=person, live_sessions=sessions)


# -- the page --------------------------------------------------------------------------------------

@router.get("/live/lib/{name}")
def library(name: str, request: Request):
    path = LIBRARIES.get(name)
    return _file(path, request) if path else Response(status_code=404)


@router.get("/live/{live_id}")
def live_page(live_id: str, request: Request, person=Depends(current_person)):
    return show_live(request, person, live_id)


def show_live(request: Request, person, live_id: str, status: int = 200, q: str = "", **extra):
    """The page; `q`: the invite form's search, its results shown in the page (the form without JavaScript)."""
    if not _valid_id(live_id):
        return common.not_found_page(request, person)
    q = q or request.query_params.get("q", "")
    try:
        with common.transaction(request) as conn:
            view = service.session_view(conn, person.principal, live_id)
            session, case_request = service._joinable(conn, person.principal, live_id)
            may_end = service.may_end(person.principal, session, case_request)
            invite = invite_search(conn, person, live_id, q)
            # Someone only invited reads none of the case's records: its page would be "not found" to them.
            reads_case = person.principal.routed(case_request)
    except FhirError as error:
        if error.status == 403:
            return render(request, "live_refused.html", status=403, person=person)
        return common.not_found_page(request, person)
    language = language_of(request, person)
    config = {"id": live_id, "csrf": csrf.token_for_page(request), "labels": labels_of(language),
              "back": f"/console/cases/{view['request']}" if reads_case else "/console/inbox"}
    # JSON inside <script>: "</" must not close the element.
    config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    return render(request, "live.html", status=status, person=person, live_id=live_id, case_id=view["request"],
                  session=view, may_end=may_end and view["state"] == service.OPEN, invite=invite,
                  reads_case=reads_case, config_json=config_json, **extra)


# -- the page's calls (JSON) -----------------------------------------------------------------------

async def _json_call(request: Request, person, live_id: str, action: str, work, after=None):
    """`work(conn)` in one transaction, audited; a refusal as JSON; then `after()` (outside it)."""
    if not _valid_id(live_id):
        return JSONResponse({"code": "not-found", "message": "no such live session"}, status_code=404)

    def job():
        with common.transaction(request) as conn:
            body = work(conn)
            common.audit(conn, person, action, KIND, live_id)
            return body
    try:
        body = await run_in_threadpool(job)
    except FhirError as error:
        return _json_error(error)
    if after is not None:
        await run_in_threadpool(after)
    return JSONResponse(body)


@router.post("/live/{live_id}/join")
async def join(live_id: str, request: Request, person=Depends(current_person)):
    return await _json_call(
        request, person, live_id, "live-join",
        lambda conn: service.join_details(conn, person.principal, _config(request), live_id),
        lambda: presence_changed(request, live_id))


@router.get("/live/{live_id}/state")
async def state(live_id: str, request: Request, person=Depends(current_person)):
    if not _valid_id(live_id):
        return JSONResponse({"code": "not-found"}, status_code=404)

    def job():
        with common.transaction(request) as conn:
            return with_consent_question(service.session_view(conn, person.principal, live_id), person)
    try:
        return JSONResponse(await run_in_threadpool(job))
    except FhirError as error:
        return _json_error(error)


@router.post("/live/{live_id}/leave")
async def leave(live_id: str, request: Request, person=Depends(current_person)):
    """This tab leaves (the page sends its join's opaque id): the same expert's other tabs stay."""
    join = await _field(request, "join")  # "" (none named): every join of this person; the page names its own
    if join is None:
        return JSONResponse({"code": "invalid", "message": 'the body is {"join": "<opaque id>"}'}, status_code=400)
    return await _json_call(
        request, person, live_id, "live-leave",
        lambda conn: service.leave(conn, person.principal, _config(request), live_id, join),
        lambda: presence_changed(request, live_id))


async def _body(request: Request) -> dict | None:
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep (a 500 before)
        return None
    return body if isinstance(body, dict) else None


async def _flag(request: Request, name: str) -> bool | None:
    value = (await _body(request) or {}).get(name)
    return value if isinstance(value, bool) else None


async def _field(request: Request, name: str) -> str | None:
    """The body's text field `name` ("" when absent); None when the body is not a JSON object or the field not
    text."""
    body = await _body(request)
    if body is None:
        return None
    value = body.get(name, "")
    return value if isinstance(value, str) else None


@router.post("/live/{live_id}/consent")
async def consent(live_id: str, request: Request, person=Depends(current_person)):
    from ...live import recording
    from ...routes.live_recording import give_consent

    agreed = await _flag(request, "recording")
    if agreed is None:
        return JSONResponse({"code": "invalid", "message": 'the body is {"recording": true|false}'}, status_code=400)
    hub = _hub(request)
    answer = await _json_call(
        request, person, live_id, "live-consent",
        lambda conn: with_consent_question(give_consent(conn, person.principal, live_id, agreed, hub), person),
        lambda: recording.wake(hub))
    return answer


@router.post("/live/{live_id}/recording")
async def ask_recording(live_id: str, request: Request, person=Depends(current_person)):
    from ...live import recording
    from ...routes.live_recording import ask_recording as ask

    on = await _flag(request, "on")
    if on is None:
        return JSONResponse({"code": "invalid", "message": 'the body is {"on": true|false}'}, status_code=400)
    hub = _hub(request)
    return await _json_call(
        request, person, live_id, "live-recording",
        lambda conn: with_consent_question(ask(conn, person.principal, live_id, on, hub), person),
        lambda: recording.wake(hub))


# -- forms: end, invite ----------------------------------------------------------------------------

@router.post("/live/{live_id}/end")
def end(live_id: str, request: Request, person=Depends(current_person)):
    if not _valid_id(live_id):
        return common.not_found_page(request, person)
    try:
        with common.transaction(request) as conn:
            view = service.end(conn, person.principal, _config(request), live_id)
            common.audit(conn, person, "live-end", KIND, live_id)
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        return show_live(request, person, live_id, status=error.status,
                         notice=_live_refusal(request, person, error))
    presence_changed(request, live_id, ended=True)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(view)
    return RedirectResponse(f"/console/cases/{view['request']}", status_code=303)


# -- inviting: found by words, then ticked -----------------------------------------------------------

def invite_search(conn, person, live_id: str, q: str) -> dict | None:
    """The invite form's state: {"q", "found" (the directory's answer, None before a search), "error"};
    None when this person may not invite in this session (the directory's rule, service.invite's)."""
    try:
        service.may_invite(conn, person.principal, live_id)
    except FhirError:
        return None
    invite = {"q": q[:directory.MAX_QUERY_CHARS], "found": None, "error": ""}
    if not q.strip():
        return invite
    try:
        invite["found"] = directory.invitable(conn, person.principal, live_id, q)
    except FhirError as error:
        if error.status != 400:
            raise
        invite["error"] = N_("The search text is too long: type a name or a place.")
        return invite
    common.audit(conn, person, "live-directory", KIND, live_id)
    return invite


def _htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _invite_refusal(request: Request, person, error: FhirError) -> str:
    """Why an invitation or the search was refused, in the person's words: the session ended, only the hosts
    invite, the session's limit, too many at once; else as any live refusal."""
    from ..templating import gettext_for

    _ = gettext_for(request, person)
    code = getattr(error, "machine_code", "")
    if code == "not-host":
        return _("Only the case's own site and the experts it is routed to invite others.")
    if code == "too-many-invited":
        return _("This session has reached its limit of %(limit)s invited sites and experts: nobody was "
                 "invited.") % {"limit": service.MAX_SESSION_INVITED}
    if error.status == 400:
        return _("Too many ticked at once: invite at most %(n)s at a time.") % {"n": service.MAX_INVITED}
    return _live_refusal(request, person, error)


@router.get("/live/{live_id}/invite-search")
def invite_results(live_id: str, request: Request, q: str = "", person=Depends(current_person)):
    """The list under the invite form's search field, as one types (htmx swaps it in)."""
    if not _valid_id(live_id):
        return Response(status_code=404)
    try:
        with common.transaction(request) as conn:
            service.may_invite(conn, person.principal, live_id)  # its refusal says why (ended, not a host)
            invite = invite_search(conn, person, live_id, q)
    except FhirError as error:
        invite = {"q": q, "found": None, "error": _invite_refusal(request, person, error), "status": error.status}
    # htmx swaps only a 2xx answer: a refusal it should show comes as 200, with its words.
    status = 200 if _htmx(request) else invite.get("status", 200)
    return render(request, "partials/live_invitable.html", status=status, person=person, live_id=live_id,
                  invite=invite)


@router.post("/live/{live_id}/invitations")
async def invitations(live_id: str, request: Request, person=Depends(current_person)):
    """Invite what is ticked (`facilities` codes, `people` ids; a field may also hold codes separated by commas,
    as an API-like client sends them). `q` (the form, or the action's query without JavaScript): the search
    shown again afterwards, those just invited marked."""
    form = await request.form()
    facilities = [code.strip() for text in form.getlist("facilities")
                  for code in str(text).replace(";", ",").split(",") if code.strip()]
    people = [str(p).strip() for p in form.getlist("people") if str(p).strip()]
    q = str(form.get("q") or request.query_params.get("q", ""))
    return await run_in_threadpool(_invite, request, person, live_id, facilities, people, q)


def _invite(request: Request, person, live_id: str, facilities: list, people: list, q: str):
    from ..templating import gettext_for

    _ = gettext_for(request, person)
    if not _valid_id(live_id):
        return common.not_found_page(request, person)
    if not facilities and not people:
        return _invite_answer(request, person, live_id, q, 400, error=N_("Tick a site or an expert to invite."))
    try:
        with common.transaction(request) as conn:
            service.invite(conn, person.principal, live_id, {"facilities": facilities, "people": people})
            common.audit(conn, person, "live-invite", KIND, live_id)
    except FhirError as error:
        if error.status == 404:
            return common.not_found_page(request, person)
        if error.status == 422:
            # not-invitable: ticked, then disabled or revoked before "Mời". A malformed code or id comes only from
            # a crafted post (the list's boxes carry the directory's): a person's reads the same.
            words = (N_("A facility is named by its 5-character code.") if error.expression == ["invite.facilities"]
                     else N_("An expert ticked can no longer be invited (the account was disabled or removed): "
                             "search again."))
            return _invite_answer(request, person, live_id, q, 422, error=words)
        return _invite_answer(request, person, live_id, q, error.status,
                              notice=_invite_refusal(request, person, error))
    return _invite_answer(request, person, live_id, q, 200, notice=_("Invitations sent."))


def _invite_answer(request: Request, person, live_id: str, q: str, status: int, notice: str = "", error: str = ""):
    """After an invitation: htmx gets the invite block alone (the page, its call, stay as they are); a plain
    form the whole page. The search is shown again, so what was just invited reads "invited"."""
    if not _htmx(request):
        return show_live(request, person, live_id, status=status, q=q, notice=notice, invite_error=error)
    try:
        with common.transaction(request) as conn:
            invite = invite_search(conn, person, live_id, q)
    except FhirError as failure:
        invite, notice = None, _live_refusal(request, person, failure)
    return render(request, "partials/live_invite.html", person=person, live_id=live_id, invite=invite,
                  notice=notice, invite_error=error)
