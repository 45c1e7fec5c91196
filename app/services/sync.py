"""Sync with the central hub, as the UI and the command line use it."""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.domain.case import utcnow
from app.storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    hub_url: str = ""
    facility: str = ""
    unsent_rows: int = 0
    unsent_by_case: dict[str, tuple[int, str]] = field(default_factory=dict)  # case -> (rows, last error)
    unread_by_case: dict[str, int] = field(default_factory=dict)
    last_success: datetime | None = None
    local_only: bool = False  # enrolled with the station's own local hub: nothing has left this machine

    @property
    def conflicts_by_case(self) -> dict[str, "TaskConflict"]:
        """Cases whose status change the hub refused because the experts changed it first."""
        out = {}
        for case_id, (_, error) in self.unsent_by_case.items():
            conflict = TaskConflict.parse(error)
            if conflict is not None:
                out[case_id] = conflict
        return out


@dataclass(frozen=True)
class TaskConflict:
    """A 412: the station asked to move the Task from `seen` on, but the experts had set it to `now`."""
    seen: str
    now: str

    @staticmethod
    def parse(error: str) -> "TaskConflict | None":
        marker = "task-changed:"
        if marker not in error:
            return None
        seen, _, now = error.split(marker, 1)[1].partition(":")
        return TaskConflict(seen, now.strip())


class NotEnrolledError(Exception):
    """The station has no credential for a hub yet."""


class SyncService:
    def __init__(self, db: Database, root: Path, blob_path, outgoing: Path, clock=utcnow, blobs=None):
        """`blob_path(attachment)` gives an attachment's file; `outgoing` holds de-identified copies;
        `blobs()` the BlobStore where the minutes PDFs fetched from the hub are kept."""
        self._db = db
        self._blobs = blobs
        self._credential_path = root / "hub" / "credential.json"
        self._blob_path = blob_path
        self._outgoing = outgoing
        self._clock = clock
        self.timeout_s = 30.0  # one request; a stalled link is given up after this
        self._client = None    # kept between passes: its token and its open connection are reused
        self._client_key = None
        self._local_hub = None  # the EmbeddedHub this service started, if any: restarted when it dies

    def credential(self):
        from app.sync.hub_client import Credential

        return Credential.load(self._credential_path)

    def enroll(self, hub_url: str, code: str, embedded: bool = False):
        """Exchange the administrator's one-time code for this station's credential, and keep it."""
        from app.sync.hub_client import enroll

        credential = enroll(hub_url, code, embedded=embedded)
        credential.save(self._credential_path)
        return credential

    def start_local_hub(self):
        """With no real hub enrolled: run the local one and enroll with it (the first time).

        Returns the running EmbeddedHub (stop it on quit), or None when a real hub is configured.
        """
        from .embedded_hub import EmbeddedHub

        credential = self.credential()
        if credential is not None and not credential.embedded:
            return None
        hub = EmbeddedHub(self._credential_path.parent / "local-hub")
        url = hub.start()
        if credential is None:
            self.enroll(url, hub.enrollment_code(), embedded=True)
        else:
            self._repoint(credential, url)
        self._local_hub = hub
        # To the terminal `make run` was started from: where to answer this station's cases as an expert.
        print(f"Bảng điều khiển chuyên gia / expert console: {hub.console_url} "
              "(tài khoản thử / trial login: Công cụ → Bảng điều khiển chuyên gia)", flush=True)
        return hub

    def _repoint(self, credential, url: str):
        """The same local hub and key; its port may have changed (its last one was taken by another program)."""
        from dataclasses import replace

        credential = replace(credential, hub_url=url, token_endpoint=f"{url}/auth/token")
        credential.save(self._credential_path)
        return credential

    def _revive_local_hub(self, credential):
        """The local hub this service started has ended by itself (a crash, a kill): start it again on
        the same data, before the pass, so the pass reaches it. A hub it did not start, or one stopped
        on purpose, is left alone."""
        from .embedded_hub import EmbeddedHubError

        hub = self._local_hub
        if hub is None or not credential.embedded or not hub.died:
            return credential
        code = hub.process.returncode if hub.process is not None else None
        log.warning("the local hub ended (exit code %s); starting it again", code)
        try:
            url = hub.start()
        except EmbeddedHubError as error:  # tried again on the next pass
            log.error("the local hub could not be restarted: %s", error)
            return credential
        log.info("the local hub runs again at %s", url)
        return self._repoint(credential, url)

    def run_once(self, progress=None, force: bool = False):
        from app.sync.engine import SyncEngine
        from app.sync.hub_client import HubClient

        credential = self.credential()
        if credential is None:
            raise NotEnrolledError("this station is not enrolled with a hub")
        credential = self._revive_local_hub(credential)
        key = (credential, self.timeout_s)
        if self._client is None or self._client_key != key:
            # A pass a minute: reusing the client saves a token request and, over TLS on a slow
            # link, a handshake of several round trips each time.
            self.close()
            self._client, self._client_key = HubClient(credential, timeout=self.timeout_s), key
        return SyncEngine(self._db, self._client, self._file_path, clock=self._clock,
                          blobs=self._blobs() if self._blobs is not None else None).run_once(progress, force)

    def listen(self, on_event, on_hub_event=None):
        """Push: a started PushListener that calls `on_event()` (on a thread of its own, one call at a
        time) as soon as the hub tells of news for this station, and `on_hub_event(event)` with each event
        (an invitation to a live consultation); stop it with `.stop()`."""
        from app.sync.push import PushListener

        return PushListener(self.credential, self._db, on_event, on_hub_event=on_hub_event).start()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = self._client_key = None

    def status(self) -> SyncStatus:
        from app.storage.outbox import Messages, Outbox, SyncState

        credential = self.credential()
        with self._db.transaction() as session:
            unsent = Outbox().unsent(session)
            unread = Messages().unread(session)
            last = SyncState().get(session, "last_success")
        return SyncStatus(enrolled=credential is not None, hub_url=credential.hub_url if credential else "",
                          facility=credential.facility if credential else "",
                          unsent_rows=sum(n for n, _ in unsent.values()), unsent_by_case=unsent,
                          unread_by_case=unread, last_success=datetime.fromisoformat(last) if last else None,
                          local_only=bool(credential is not None and credential.embedded))

    def resend(self, case_id: str) -> None:
        """The doctor has seen the conflict and still wants the change: send it again, against the
        version of the Task the station has now read."""
        from app.storage.outbox import Outbox

        with self._db.transaction() as session:
            Outbox().retry_now(session, case_id)

    def messages(self, case_id: str):
        from app.storage.outbox import Messages

        with self._db.transaction() as session:
            return Messages().for_case(session, case_id)

    def mark_read(self, case_id: str) -> None:
        from app.storage.outbox import Messages

        with self._db.transaction() as session:
            Messages().mark_read(session, case_id)

    def _file_path(self, item) -> Path:
        if item.kind == "outgoing":
            return self._outgoing / item.case_id / "imaging" / item.ref_id
        from app.storage.attachments import AttachmentRepository

        with self._db.transaction() as session:
            attachment = AttachmentRepository().get(session, item.ref_id)
        if attachment is None:
            raise FileNotFoundError(f"attachment {item.ref_id} is gone")
        return self._blob_path(attachment)
