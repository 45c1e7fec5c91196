"""Which Janus the hub uses for live consultations, and the TURN credentials it hands out.

Production: Janus runs as a service of its own (docs/live.md) and the hub is told its address
(`serve --janus-url`) and the secrets it shares with it (from the environment, never the command
line, where `ps` shows them). One-machine set-ups (`make run`, trials) start a Janus of their own
with `serve --local-sfu`. A hub with neither answers the live routes 503 and does everything else.
"""

import base64
import hashlib
import hmac
import os
import time
from dataclasses import dataclass, field

from .janus_process import JanusSettings

ENV_URL = "DIEMCAU_HUB_JANUS_URL"
ENV_PUBLIC_URL = "DIEMCAU_HUB_JANUS_PUBLIC_URL"
ENV_ADMIN_KEY = "DIEMCAU_HUB_JANUS_ADMIN_KEY"
ENV_TOKEN_SECRET = "DIEMCAU_HUB_JANUS_TOKEN_SECRET"
ENV_EVENTS_PASSWORD = "DIEMCAU_HUB_JANUS_EVENTS_PASSWORD"
ENV_TURN_URL = "DIEMCAU_HUB_TURN_URL"
ENV_TURN_SECRET = "DIEMCAU_HUB_TURN_SECRET"


@dataclass(frozen=True)
class TurnSettings:
    """A coturn with `use-auth-secret`: credentials are made here, valid until they expire, no call to coturn."""
    urls: tuple[str, ...]          # turn:turn.diemcau.vn:3478?transport=udp, turns:turn.diemcau.vn:5349, ...
    secret: str = field(repr=False)

    def ice_server(self, who: str, lifetime_s: int, now: float | None = None) -> dict:
        """coturn's TURN REST credentials: username `<expiry>:<who>`, password base64(HMAC-SHA1(secret, username))."""
        username = f"{int((now if now is not None else time.time()) + lifetime_s)}:{who}"
        credential = base64.b64encode(hmac.new(self.secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
        return {"urls": list(self.urls), "username": username, "credential": credential}


def janus_from(url: str, events_user: str = "janus") -> JanusSettings:
    """The settings of the Janus at `url`, its secrets from the environment (ValueError when one is missing)."""
    missing = [name for name in (ENV_ADMIN_KEY, ENV_TOKEN_SECRET) if not os.environ.get(name)]
    if missing:
        raise ValueError(f"--janus-url needs the secrets it shares with that Janus in the environment: "
                         f"{', '.join(missing)} (its VideoRoom admin_key and token_auth_secret)")
    return JanusSettings(url=url.rstrip("/"), admin_key=os.environ[ENV_ADMIN_KEY],
                         token_secret=os.environ[ENV_TOKEN_SECRET], events_user=events_user,
                         events_password=os.environ.get(ENV_EVENTS_PASSWORD, ""))


def turn_from(urls: str | None, secret: str | None) -> TurnSettings | None:
    """`urls`: comma-separated TURN addresses (flag or DIEMCAU_HUB_TURN_URL); the secret likewise."""
    urls = urls or os.environ.get(ENV_TURN_URL, "")
    secret = secret or os.environ.get(ENV_TURN_SECRET, "")
    if not urls:
        return None
    if not secret:
        raise ValueError(f"--turn-url needs coturn's static-auth-secret (--turn-secret or {ENV_TURN_SECRET})")
    return TurnSettings(tuple(u.strip() for u in urls.split(",") if u.strip()), secret)


def to_environment(janus: JanusSettings | None, public_url: str, turn: TurnSettings | None) -> dict[str, str]:
    """For `serve --workers N`: each worker process reads the same settings back (from_environment)."""
    out = {}
    if janus is not None:
        out.update({ENV_URL: janus.url, ENV_ADMIN_KEY: janus.admin_key, ENV_TOKEN_SECRET: janus.token_secret,
                    ENV_EVENTS_PASSWORD: janus.events_password, ENV_PUBLIC_URL: public_url})
    if turn is not None:
        out.update({ENV_TURN_URL: ",".join(turn.urls), ENV_TURN_SECRET: turn.secret})
    return out


def from_environment() -> tuple[JanusSettings | None, str, TurnSettings | None]:
    url = os.environ.get(ENV_URL, "")
    janus = janus_from(url) if url else None
    return janus, os.environ.get(ENV_PUBLIC_URL, ""), turn_from(None, None)
