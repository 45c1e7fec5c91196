"""What the hub hands a participant joining a live session (`POST /live/{id}/join`).

Everything needed to reach the SFU and to show the session without patient identity: the case is
a code with initials, age and sex (HOI-CHAN.md), never a name.
"""

from dataclasses import dataclass, field


class BadJoinDetails(ValueError):
    """The hub's answer lacks what a join needs (a hub of another version, or a broken proxy)."""


@dataclass(frozen=True)
class JoinDetails:
    live_id: str
    janus_url: str
    token: str                # Janus core token (signed by the hub, expires)
    room: str
    room_token: str           # the room's `allowed` token for this participant: tickets are per join
    opaque_id: str            # attached with, so the hub's attendance ties Janus's events to this join
    ice_servers: list = field(default_factory=list)
    display: str = ""
    site: str = ""
    case: dict = field(default_factory=dict)
    request: str = ""
    studies: list = field(default_factory=list)
    recording: dict = field(default_factory=dict)
    home_sites: list = field(default_factory=list)  # displays of the case's own site: its video first when LOW

    @staticmethod
    def parse(answer: dict) -> "JoinDetails":
        try:
            janus = answer["janus"]
            return JoinDetails(
                live_id=str(answer["id"]), janus_url=str(janus["url"]), token=str(janus["token"]),
                room=str(janus["room"]), room_token=str(janus["room_token"]),
                opaque_id=str(janus.get("opaque_id", "")), ice_servers=list(janus.get("ice_servers") or []),
                display=str(answer.get("display", "")), site=str(answer.get("site", "")),
                case=dict(answer.get("case") or {}), request=str(answer.get("request", "")),
                studies=[str(s) for s in answer.get("studies") or []],
                recording=dict(answer.get("recording") or {}),
                home_sites=[str(h) for h in answer.get("home_sites") or []])
        except (KeyError, TypeError, AttributeError) as error:
            raise BadJoinDetails(f"the hub's join answer lacks {error}") from error
