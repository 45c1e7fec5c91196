"""Live consultations as the station's doctor uses them: start one on a case, see the invitations, join
(with a way back in after a drop), answer the recording question, leave.

Plain methods over the hub's /live routes (app.sync.hub_client) and the live core (app.live): each can
be called by a test without a QApplication. The case's ServiceRequest on the hub has the case's own id
(app.wire.mapping.service_request_resource), so a case needs no look-up to be named to the hub.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# Why a live action failed, as a code the interface words (app/ui/live_window.py).
NOT_ENROLLED = "not-enrolled"   # no hub: nothing live without one
UNREACHABLE = "unreachable"     # the hub did not answer
SFU_UNAVAILABLE = "sfu-unavailable"  # the hub answered, its video server (Janus) did not
NOT_INVITED = "not-invited"
ENDED = "ended"
TOO_MANY_INVITED = "too-many-invited"  # the session's limit of invited sites and people: nobody of the call invited
NOT_INVITABLE = "not-invitable"  # an expert chosen no longer to be invited (disabled, removed): nobody invited
REFUSED = "refused"             # any other refusal, with the hub's words in `detail`


class LiveError(Exception):
    def __init__(self, code: str, detail: str = "", http_status: int = 0):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        # The HTTP status a session's rejoin looks at to stop trying (app.live.session).
        self.status = {NOT_INVITED: 403, ENDED: 409}.get(code, 0)
        self.http_status = http_status  # the hub's, when it answered with a refusal


@dataclass(frozen=True)
class LiveInvitation:
    """An open live consultation this station may join (GET /live)."""
    id: str
    request: str           # the case (ServiceRequest id)
    title: str = ""
    started_by: str = ""   # who started it (the hub's client id)
    sender: str = ""       # the inviting site's name, when the hub gives it ("from")
    started_at: str = ""
    state: str = "open"
    present: tuple = ()
    recording: dict = field(default_factory=dict)

    @staticmethod
    def parse(body: dict) -> "LiveInvitation":
        return LiveInvitation(id=str(body.get("id", "")), request=str(body.get("request") or ""),
                              title=str(body.get("title") or ""), started_by=_name(body.get("started_by")),
                              sender=_name(body.get("from") or body.get("from_site") or ""),
                              started_at=str(body.get("started_at") or ""), state=str(body.get("state") or "open"),
                              present=tuple(body.get("present") or ()), recording=dict(body.get("recording") or {}))


@dataclass(frozen=True)
class InvitableSite:
    """A facility the session can invite (its code is what the invitation names), shown by its station's name."""
    facility: str
    name: str
    hospital: str = ""
    stations: tuple = ()
    invited: bool = False


@dataclass(frozen=True)
class InvitableExpert:
    """An expert the session can invite (console account or expert client: `id` is what the invitation names)."""
    id: str
    name: str
    title: str = ""
    hospital: str = ""
    specialty: str = ""
    invited: bool = False


@dataclass(frozen=True)
class Invitable:
    """What the hub's directory found for a search (GET /live/{id}/invitable); `more`: there were more."""
    sites: tuple = ()
    experts: tuple = ()
    more: bool = False

    @staticmethod
    def parse(body) -> "Invitable":
        body = body if isinstance(body, dict) else {}
        sites = tuple(InvitableSite(facility=str(s.get("facility") or ""), name=str(s.get("name") or ""),
                                    hospital=str(s.get("hospital") or ""),
                                    stations=tuple(str(n) for n in s.get("stations") or ()),
                                    invited=bool(s.get("invited"))) for s in body.get("sites") or ()
                      if isinstance(s, dict) and s.get("facility"))
        experts = tuple(InvitableExpert(id=str(e.get("id") or ""), name=str(e.get("name") or ""),
                                        title=str(e.get("title") or ""), hospital=str(e.get("hospital") or ""),
                                        specialty=str(e.get("specialty") or ""), invited=bool(e.get("invited")))
                        for e in body.get("experts") or () if isinstance(e, dict) and e.get("id"))
        return Invitable(sites, experts, bool(body.get("more")))


@dataclass(frozen=True)
class Invited:
    """Whom a session has invited, as the hub has it: facility codes and person ids, in the order invited;
    `names`: ("site", code) | ("expert", id) -> the name a doctor knows them by, where the hub gave one."""
    facilities: tuple = ()
    people: tuple = ()
    names: dict = field(default_factory=dict)

    @staticmethod
    def parse(session: dict) -> "Invited":
        """From the session JSON: `invited` {"facilities", "people"} and `invited_names` {"facilities": {code:
        name}, "people": {id: name}}."""
        invited, named = (session.get(key) if isinstance(session.get(key), dict) else {}
                          for key in ("invited", "invited_names"))
        facilities = tuple(dict.fromkeys(str(f) for f in invited.get("facilities") or () if f))
        people = tuple(dict.fromkeys(str(p) for p in invited.get("people") or () if p))
        names = {}
        for kind, key, ids in (("site", "facilities", facilities), ("expert", "people", people)):
            given = named.get(key) if isinstance(named.get(key), dict) else {}
            names.update({(kind, i): str(given[i]) for i in ids if given.get(i)})
        return Invited(facilities, people, names)


def _name(value) -> str:
    if isinstance(value, dict):
        return str(value.get("display") or value.get("name") or value.get("site") or value.get("id") or "")
    return str(value or "")


def quality_for_link(item):
    """The quality a link grade suggests: a weak link starts in low-bandwidth mode, a link too weak for
    video with sound only (the doctor can switch). No check yet: high, as the link is unknown."""
    from app.domain.check import Grade
    from app.live.session import Quality

    if item is None:
        return Quality.HIGH
    return {Grade.GOOD: Quality.HIGH, Grade.POOR: Quality.LOW, Grade.UNFIT: Quality.AUDIO_ONLY}[item.grade]


class LiveService:
    def __init__(self, credential: Callable[[], object], checks: Callable[[], object] | None = None,
                 timeout_s: float = 20.0, client_factory=None):
        """`credential()`: the station's hub credential (None: not enrolled); `checks()`: the
        PreSessionCheck whose last link measurement suggests the quality."""
        self._credential = credential
        self._checks = checks
        self._timeout_s = timeout_s
        self._client_factory = client_factory
        self._client = None
        self._client_key = None
        self._lock = threading.Lock()  # the worker and a session's rejoin may ask at once

    # -- the hub ----------------------------------------------------------------------------------

    def _call(self, method: str, *args):
        from app.sync.hub_client import HubClient, HubError, HubRejected, HubUnreachable

        credential = self._credential()
        if credential is None:
            raise LiveError(NOT_ENROLLED)
        with self._lock:
            if self._client is None or self._client_key != credential:
                if self._client is not None:
                    self._client.close()
                make = self._client_factory or (lambda c: HubClient(c, timeout=self._timeout_s))
                self._client, self._client_key = make(credential), credential
            client = self._client
        try:
            return getattr(client, method)(*args)
        except HubRejected as error:
            code = getattr(error, "code", "")  # the hub's machine code (app.sync.hub_client.LiveRefused)
            if code in (NOT_INVITED, ENDED, TOO_MANY_INVITED, NOT_INVITABLE):  # before the status (409s, a 422)
                raise LiveError(code, error.diagnostics, error.status) from error
            raise _refusal(error.status, error.diagnostics) from error
        except HubUnreachable as error:
            if _says_sfu(error):
                raise LiveError(SFU_UNAVAILABLE, str(error).removeprefix(SFU_UNAVAILABLE + ": ")) from error
            raise LiveError(UNREACHABLE, str(error)) from error
        except HubError as error:
            code = getattr(error, "code", "")
            raise LiveError(code if code in (SFU_UNAVAILABLE, NOT_INVITED, ENDED) else REFUSED, str(error)) \
                from error

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = self._client_key = None

    @property
    def client_id(self) -> str:
        """This station as the hub names it among a session's participants (recording's "missing")."""
        credential = self._credential()
        return credential.client_id if credential is not None else ""

    @property
    def facility(self) -> str:
        credential = self._credential()
        return credential.facility if credential is not None else ""

    # -- use cases ---------------------------------------------------------------------------------

    def start(self, case_id: str, facilities: list[str] = (), people: list[str] = ()) -> LiveInvitation:
        """A live consultation on this case, now; the sites and experts named are invited."""
        return LiveInvitation.parse(self._call("start_live", case_id, list(facilities), list(people)))

    def sessions(self) -> list[LiveInvitation]:
        """The open live consultations this station may join."""
        answer = self._call("live_sessions")
        rows = answer.get("sessions", []) if isinstance(answer, dict) else answer
        return [LiveInvitation.parse(r) for r in rows or () if (r.get("state") or "open") == "open"]

    def session(self, live_id: str) -> LiveInvitation | None:
        """The session as the hub has it now (its recording state), or None once it has ended."""
        try:
            found = LiveInvitation.parse(self._call("live_session", live_id))
        except LiveError as error:
            if error.code == ENDED:
                return None
            raise
        return found if found.state == "open" else None

    def open_for_case(self, case_id: str) -> LiveInvitation | None:
        """The open live consultation on this case, if one is running (join it rather than start another)."""
        return next((s for s in self.sessions() if s.request == case_id), None)

    def start_or_find(self, case_id: str, facilities: list[str] = (), people: list[str] = ()) -> LiveInvitation:
        return self.open_for_case(case_id) or self.start(case_id, facilities, people)

    def join(self, live_id: str):
        """The joining details (app.live.details.JoinDetails) for this station, fresh from the hub."""
        from app.live.details import JoinDetails

        return JoinDetails.parse(self._call("join_live", live_id))

    def rejoin_for(self, live_id: str) -> Callable[[], object]:
        """What a session calls after a drop: new details (a new token: the old one may have run out)."""
        return lambda: self.join(live_id)

    def connect(self, live_id: str, details, listener, camera=None, microphone=None, quality=None, speaker=None):
        """The LiveSession for these details, not started (the caller starts it off the GUI thread);
        `speaker`: a started Speaker (open_speaker) the others' voices are played to."""
        from app.live.session import LiveSession, Quality

        extra = {"speaker": speaker} if speaker is not None else {}
        return LiveSession(details, listener, camera=camera, microphone=microphone,
                           quality=quality if quality is not None else Quality.HIGH, rejoin=self.rejoin_for(live_id),
                           **extra)

    @staticmethod
    def open_speaker(device: str = ""):
        """The speaker the session plays to, started; app.media.audio.AudioUnavailable when there is none."""
        from app.live.speaker import Speaker

        return Speaker(device=device or None).start()

    def invite(self, live_id: str, facilities: list[str] = (), people: list[str] = ()) -> LiveInvitation:
        """More sites (facility codes) or experts (person ids) asked in; each hears it by push. All or none:
        LiveError TOO_MANY_INVITED past the session's limit, NOT_INVITABLE for an expert no longer invitable."""
        return LiveInvitation.parse(self._call("invite_live", live_id, list(facilities), list(people)))

    def invitable(self, live_id: str, query: str) -> "Invitable":
        """The sites and experts whose names, places, hospitals or specialties the words of `query` begin
        (at most 20 from the hub, best first), each saying whether it is invited already."""
        return Invitable.parse(self._call("live_invitable", live_id, query))

    def invited(self, live_id: str) -> Invited:
        """Whom the session has invited, from the hub (so after the station restarts too), named as the hub's
        directory names them (its `invited_names`; one it does not name is shown by code, or counted)."""
        body = self._call("live_session", live_id)
        return Invited.parse(body if isinstance(body, dict) else {})

    def consent(self, live_id: str, agree: bool) -> None:
        """This site's answer to the recording question (TT 49/2017: recording only if every site agrees)."""
        self._call("live_consent", live_id, agree)

    def leave(self, live_id: str) -> None:
        self._call("leave_live", live_id)

    def end(self, live_id: str) -> None:
        self._call("end_live", live_id)

    # -- the link -----------------------------------------------------------------------------------

    def last_link_check(self):
        """The link's item of the latest pre-session check that measured it (None: never checked)."""
        if self._checks is None:
            return None
        for report in self._checks().history(20):
            item = next((i for i in report.items if i.part == "link"), None)
            if item is not None:
                return item
        return None

    def suggested_quality(self):
        """(Quality, the link item it was chosen from or None)."""
        item = self.last_link_check()
        return quality_for_link(item), item


def _refusal(status: int, diagnostics: str) -> LiveError:
    if status == 403:
        return LiveError(NOT_INVITED, diagnostics, status)
    if status in (404, 409, 410):
        return LiveError(ENDED, diagnostics, status)
    if SFU_UNAVAILABLE in diagnostics:
        return LiveError(SFU_UNAVAILABLE, diagnostics, status)
    return LiveError(REFUSED, diagnostics, status)


def _says_sfu(error) -> bool:
    """The hub's 503 {"code": "sfu-unavailable"}: the hub is up, its Janus is not."""
    return getattr(error, "code", "") == SFU_UNAVAILABLE or SFU_UNAVAILABLE in str(error)
