"""Janus tokens signed by the hub (Janus's `token_auth_secret`): no call to Janus to hand one out, and
one secret serves every Janus of a cascade. A token lets its holder talk to Janus's VideoRoom until it
expires; which room it may join is decided by the room's own list of allowed tokens (server/live/rooms.py)."""

import base64
import hashlib
import hmac
import time

VIDEOROOM = "janus.plugin.videoroom"


def signed_token(secret: str, lifetime_s: int, now: float | None = None, plugins=(VIDEOROOM,)) -> str:
    expiry = int((now if now is not None else time.time()) + lifetime_s)
    data = ",".join([str(expiry), "janus", *plugins])
    signature = base64.b64encode(hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()).decode()
    return f"{data}:{signature}"
