"""The hub's own requests to Janus's VideoRoom: make and end rooms, change who may join, recording,
forwarding. Synchronous (the hub's services run in worker threads); one short Janus session per call,
so a Janus restarted in between is no trouble."""

import secrets
import time

import httpx

from .janus_process import JanusSettings
from .tokens import signed_token

VIDEOROOM = "janus.plugin.videoroom"
# A Janus that let a request time out (hung, overloaded: it accepts connections and does not answer) is taken
# as unreachable for this long, without asking it again. The hub asks Janus inside the request's transaction
# (on SQLite, while holding the write lock; a session's joins, on PostgreSQL): without this, each join in turn
# waited out the timeout and the others, and the case work's writes, queued behind them.
HUNG_FOR_S = 10.0
_hung_until: dict[str, float] = {}  # Janus URL -> time.monotonic() until which it is taken as hung


class JanusAdminError(RuntimeError):
    """Janus refused, or did not answer (`unreachable`)."""

    def __init__(self, message: str, code: int = 0, unreachable: bool = False):
        super().__init__(message)
        self.code, self.unreachable = code, unreachable


class JanusAdmin:
    def __init__(self, settings: JanusSettings, timeout_s: float = 5.0):
        self.settings = settings
        self.timeout_s = timeout_s

    def request(self, body: dict) -> dict:
        """One synchronous VideoRoom request (create, destroy, allowed, kick, enable_recording,
        listparticipants, rtp_forward, ...); the plugin's answer, or JanusAdminError."""
        token = signed_token(self.settings.token_secret, 60)
        url = self.settings.url.rstrip("/")
        if time.monotonic() < _hung_until.get(url, 0.0):
            raise JanusAdminError("the video server (Janus) did not answer a moment ago", unreachable=True)
        try:
            with httpx.Client(timeout=self.timeout_s) as client:
                def post(path, request):
                    answer = client.post(url + path, json=dict(request, token=token,
                                                               transaction=secrets.token_hex(6))).json()
                    if answer.get("janus") == "error":
                        raise JanusAdminError(answer["error"].get("reason", "refused"), answer["error"].get("code", 0))
                    return answer

                session = post("", {"janus": "create"})["data"]["id"]
                try:
                    handle = post(f"/{session}", {"janus": "attach", "plugin": VIDEOROOM})["data"]["id"]
                    answer = post(f"/{session}/{handle}", {"janus": "message", "body": body})
                finally:
                    try:
                        post(f"/{session}", {"janus": "destroy"})
                    except (JanusAdminError, httpx.HTTPError):
                        pass
        except httpx.HTTPError as error:
            if isinstance(error, httpx.TimeoutException):
                _hung_until[url] = time.monotonic() + HUNG_FOR_S
            raise JanusAdminError(f"the video server (Janus) did not answer: {error}", unreachable=True) from error
        data = answer.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise JanusAdminError(data["error"], data.get("error_code", 0))
        return data

    def create_room(self, room: str, secret: str, allowed: list[str], description: str = "",
                    publishers: int = 16, bitrate: int = 1_000_000, record_dir: str = "",
                    require_pvtid: bool = False) -> dict:
        """`require_pvtid`: a subscription must name the private id of a participant in the room. VideoRoom checks
        the `allowed` tokens on a publisher's join only: without it, anyone with a Janus token (every participant
        of every session) who knows a room's id and a publisher's id subscribes to its audio and video. The hub's
        rooms need it (the station and the browser subscribe as the participant they joined as); the cascade's
        receive-only subscribers (bench/live_scale.py) go without."""
        # Private: VideoRoom's `list` answers any holder of a Janus token (every participant of every session
        # on this Janus), and a public room would show its id, its description and how many are in it to the
        # other hospitals' participants, who could then list its participants' names. The description is
        # never the session's title (free text that can name the patient): the room's id says enough.
        body = {"request": "create", "room": room, "admin_key": self.settings.admin_key, "secret": secret,
                "is_private": True, "description": description[:100] or room, "publishers": publishers,
                "bitrate": bitrate, "bitrate_cap": True, "audiocodec": "opus", "videocodec": "vp8,h264", "allowed": allowed,
                "notify_joining": True, "audiolevel_event": True, "audio_active_packets": 50,
                "audio_level_average": 40, "lock_record": True, "permanent": False}
        if record_dir:
            body["rec_dir"] = record_dir
        if require_pvtid:
            body["require_pvtid"] = True
        return self.request(body)

    def allow(self, room: str, secret: str, tokens: list[str], action: str = "add") -> dict:
        """`action`: add, remove, enable, disable (Janus's `allowed` request)."""
        return self.request({"request": "allowed", "room": room, "secret": secret, "action": action,
                             "allowed": tokens})

    def destroy_room(self, room: str, secret: str) -> dict:
        return self.request({"request": "destroy", "room": room, "secret": secret})

    def participants(self, room: str) -> list[dict]:
        return self.request({"request": "listparticipants", "room": room}).get("participants", [])

    def kick(self, room: str, secret: str, participant_id: str) -> dict:
        return self.request({"request": "kick", "room": room, "secret": secret, "id": participant_id})

    def set_recording(self, room: str, secret: str, on: bool) -> dict:
        return self.request({"request": "enable_recording", "room": room, "secret": secret, "record": on})
