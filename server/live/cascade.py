"""A publisher of a room on one Janus made available in the same room on other Janus instances.

This is how a session grows past what one Janus carries (docs/live-scale.md): the few publishing
sites publish to the origin Janus; the hub creates the same room on each edge Janus and, for every
publisher, asks the edge to expect it (`add_remote_publisher`) and the origin to send it there
(`publish_remotely`, VideoRoom's remote publishers, Janus >= 1.1). On the edge the forwarded
publisher is a publisher like any other: subscribers there join and subscribe with the usual
VideoRoom requests, tokens and ACLs.

Janus 1.1.2 sends these forwards as plain RTP (its `publish_remotely` takes no SRTP key): between
machines they must travel over a private network or a tunnel (WireGuard), never the open Internet.
`publish_remotely` is an RTP forward, so with `lock_rtp_forward` (our config) it needs the admin key.

Synchronous, like janus_admin.py: the hub's services run in worker threads.
"""

import secrets
import time
from dataclasses import dataclass

import httpx

from .janus_admin import VIDEOROOM, JanusAdmin, JanusAdminError
from .tokens import signed_token

# What add_remote_publisher takes of each stream the origin describes (the rest is local to it).
_STREAM_KEYS = ("type", "mindex", "mid", "disabled", "codec", "description", "stereo", "fec", "dtx",
                "h264-profile", "vp9-profile", "simulcast", "svc")


@dataclass
class Forward:
    """One publisher of the origin forwarded to one edge."""
    room: str
    publisher: str      # the publisher's id on the origin
    remote_id: str      # the forward's name on the origin (unpublish_remotely)
    edge_id: str        # the publisher's id on the edge: what subscribers there ask for
    port: int           # where the edge listens for its RTP


def edge_streams(streams: list[dict]) -> list[dict]:
    """The origin's description of a publisher's streams (a `publishers` entry of a VideoRoom
    event, or the `streams` of the `published` event Janus posts to the hub) in the form
    add_remote_publisher wants (h264_profile is spelt h264-profile there)."""
    out = []
    for stream in streams:
        stream = dict(stream)
        for old, new in (("h264_profile", "h264-profile"), ("vp9_profile", "vp9-profile")):
            if old in stream:
                stream[new] = stream.pop(old)
        out.append({k: stream[k] for k in _STREAM_KEYS if k in stream})
    return out


def forward(origin: JanusAdmin, edge: JanusAdmin, room: str, secret: str, publisher: str, streams: list[dict],
            display: str = "", edge_address: str = "127.0.0.1") -> Forward:
    """Makes `publisher` of `room` on `origin` a publisher of the same room on `edge` (which the hub
    created beforehand with the same secret). `edge_address` is where the origin reaches the edge:
    its address on the private network between the Janus machines."""
    remote = edge.request({"request": "add_remote_publisher", "room": room, "secret": secret,
                           "display": display, "iface": edge_address, "streams": edge_streams(streams)})
    remote_id = "edge-" + secrets.token_hex(6)
    try:
        origin.request({"request": "publish_remotely", "room": room, "secret": secret,
                        "admin_key": origin.settings.admin_key, "publisher_id": publisher,
                        "remote_id": remote_id, "host": edge_address, "port": remote["port"],
                        "rtcp_port": remote["rtcp_port"]})
    except JanusAdminError:
        edge.request({"request": "remove_remote_publisher", "room": room, "secret": secret, "id": remote["id"]})
        raise
    return Forward(room, publisher, remote_id, str(remote["id"]), remote["port"])


def stop(origin: JanusAdmin, edge: JanusAdmin, secret: str, done: Forward) -> None:
    """Ends a forward: the origin stops sending, the edge's subscribers see the publisher leave.
    Either Janus may be gone already (the publisher left, the edge restarted)."""
    for admin, body in ((origin, {"request": "unpublish_remotely", "publisher_id": done.publisher,
                                  "remote_id": done.remote_id}),
                        (edge, {"request": "remove_remote_publisher", "id": done.edge_id})):
        try:
            admin.request(dict(body, room=done.room, secret=secret))
        except JanusAdminError:
            pass


def publisher_streams(origin: JanusAdmin, room: str, room_token: str, publisher: str,
                      timeout_s: float = 10.0) -> list[dict]:
    """A publisher's streams as the origin describes them to participants, for a caller that did
    not keep them from Janus's `published` event: joins the room passively (display "cascade",
    `room_token` must be in the room's allowed list), reads the `joined` event, leaves."""
    token = signed_token(origin.settings.token_secret, 60)
    url = origin.settings.url.rstrip("/")
    with httpx.Client(timeout=timeout_s + 5) as client:
        def post(path, request):
            answer = client.post(url + path, json=dict(request, token=token, transaction=secrets.token_hex(6))).json()
            if answer.get("janus") == "error":
                raise JanusAdminError(answer["error"].get("reason", "refused"), answer["error"].get("code", 0))
            return answer

        session = post("", {"janus": "create"})["data"]["id"]
        try:
            handle = post(f"/{session}", {"janus": "attach", "plugin": VIDEOROOM})["data"]["id"]
            post(f"/{session}/{handle}", {"janus": "message", "body": {
                "request": "join", "ptype": "publisher", "room": room, "display": "cascade", "token": room_token}})
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:  # the join's answer comes as an event
                events = client.get(f"{url}/{session}", params={"maxev": 10, "token": token}).json()
                for event in events if isinstance(events, list) else [events]:
                    data = event.get("plugindata", {}).get("data", {})
                    if "error" in data:
                        raise JanusAdminError(data["error"], data.get("error_code", 0))
                    if data.get("videoroom") == "joined":
                        for entry in data.get("publishers", []):
                            if str(entry.get("id")) == str(publisher):
                                return entry.get("streams", [])
                        raise JanusAdminError(f"no publisher {publisher} in room {room}")
            raise JanusAdminError("the video server did not answer the join", unreachable=True)
        finally:
            try:
                post(f"/{session}", {"janus": "destroy"})
            except (JanusAdminError, httpx.HTTPError):
                pass
