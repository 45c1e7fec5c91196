"""How a hub runs: its database, where files go, its signing secret, limits."""

import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from .live.config import TurnSettings
from .live.janus_process import JanusSettings


@dataclass(frozen=True)
class HubConfig:
    database_url: str
    files_dir: Path
    secret: bytes = field(repr=False, default=b"")
    token_lifetime: timedelta = timedelta(minutes=10)
    max_resource_bytes: int = 4 * 1024 * 1024      # one FHIR resource or transaction Bundle
    max_upload_bytes: int = 4 * 1024 * 1024 * 1024  # one file over tus
    max_chunk_bytes: int = 64 * 1024 * 1024         # one PATCH
    threads: int = 8    # per worker process, for database work
    events_heartbeat_s: float = 15.0  # GET /events: a comment this often; the credential is checked again
    events_per_client: int = 4        # GET /events streams one client may hold open in one worker process
    pacs_url: str = ""  # the PACS's DICOMweb root (user:password@ for basic auth); "" = no PACS
    # The address stations use, e.g. https://hub.diemcau.vn (what TLS or the reverse proxy serves).
    # Client assertions must name <public_url>/auth/token as their audience, and the hub names
    # itself by it. "" = a hub on this machine only: the address a request came to, and then only
    # from and to 127.0.0.1/localhost (the embedded hub, tests).
    public_url: str = ""
    # Live consultations (server/live): the Janus the hub makes rooms on (None: the live routes answer
    # 503 and everything else works), the Janus address handed to participants when it is not the one
    # the hub itself uses ("" = the same), and the TURN server whose credentials participants get.
    janus: JanusSettings | None = None
    janus_public_url: str = ""
    turn: TurnSettings | None = None

    def __post_init__(self):
        if self.public_url:
            object.__setattr__(self, "public_url", check_public_url(self.public_url))

    @staticmethod
    def in_folder(folder: Path, database_url: str | None = None, pacs_url: str | None = None,
                  public_url: str | None = None) -> "HubConfig":
        """A hub keeping everything under `folder` (SQLite unless `database_url` says otherwise).

        The PACS comes from `pacs_url` or DIEMCAU_HUB_PACS (none: DICOM goes as plain files), the
        public address from `public_url` or DIEMCAU_HUB_PUBLIC_URL.
        The token-signing secret comes from DIEMCAU_HUB_SECRET, or a file made once in the folder;
        several hub workers behind one address must share it.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        return HubConfig(database_url=database_url or f"sqlite:///{folder / 'hub.db'}",
                         files_dir=folder / "files", secret=load_secret(folder),
                         pacs_url=pacs_url or os.environ.get("DIEMCAU_HUB_PACS", ""),
                         public_url=public_url or os.environ.get("DIEMCAU_HUB_PUBLIC_URL", ""))


def check_public_url(url: str) -> str:
    """`url` without its trailing slash; ValueError unless it is an http(s) address with no query or fragment."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"the public URL must be an address such as https://hub.example.vn, not {url!r}")
    return url.strip().rstrip("/")


def load_secret(folder: Path) -> bytes:
    from_env = os.environ.get("DIEMCAU_HUB_SECRET")
    if from_env:
        return from_env.encode()
    path = folder / "secret.key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip().encode()
