"""Runs sync in the background: at start, every minute, on submit, when the doctor asks, and at once
when the hub pushes news (app/sync/push.py; the minute's pass stays as the fallback)."""

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from .runner import TaskRunner

log = logging.getLogger(__name__)


class SyncController(QObject):
    status_changed = Signal(object)     # app.services.sync.SyncStatus
    answers_arrived = Signal(list)      # case ids with new expert messages
    sync_finished = Signal(object)      # app.sync.engine.SyncReport
    hub_failed = Signal(str)            # the local hub could not start
    upload_progressed = Signal(int, int)  # bytes sent, bytes in all (of the file being sent)
    hub_pushed = Signal()               # the hub told of news (emitted from the push listener's thread)
    event_pushed = Signal(object)       # each app.sync.push.HubEvent (an invitation: its live session and site)

    def __init__(self, service: Callable[[], object], interval_ms: int = 60_000, local_hub: bool = True,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._service = service
        self._local_hub_wanted = local_hub
        self.local_hub = None
        # Its own worker: a long upload never holds up the editor's saves.
        self._runner = TaskRunner(self)
        self._timer = QTimer(self, interval=interval_ms, timeout=self._on_tick)
        self._busy = False
        self._again = False  # news came during a pass: one more pass after it
        self._again_force = False
        self.push = None     # the PushListener, while running
        self.hub_pushed.connect(self._on_hub_pushed)
        self.last_status = None

    def start(self) -> None:
        def prepare():
            try:
                if self._local_hub_wanted:
                    self.local_hub = self._service().start_local_hub()
            finally:  # listens whatever the local hub did: it waits for a credential, reconnects on its own
                self.push = self._service().listen(self.hub_pushed.emit, self.event_pushed.emit)
        self._runner.run(prepare, lambda _none: self.sync_now(force=True), self._on_hub_failed, owner=self)
        self._timer.start()

    def _on_tick(self) -> None:
        if not self._busy:  # the pass running now is this minute's
            self.sync_now(force=False)

    def sync_now(self, force: bool = True) -> None:
        if self._busy:
            # Asked for while a pass runs (a reply just sent, F5): that pass may have read the outbox
            # before it, so one more follows it rather than waiting for the minute's tick.
            self._again = True
            self._again_force = self._again_force or force
            return
        self._busy = True
        service = self._service()

        def work():
            from app.services.sync import NotEnrolledError

            try:
                report = service.run_once(progress=lambda _case, sent, total: self.upload_progressed.emit(sent, total),
                                          force=force)
            except NotEnrolledError:
                report = None
            return report, service.status()
        self._runner.run(work, self._on_synced, self._on_error, owner=self)

    def enroll(self, hub_url: str, code: str, done: Callable, failed: Callable) -> None:
        """Enroll with a real hub; the local hub (if running) stops, and a sync starts at once."""
        service = self._service()

        def work():
            credential = service.enroll(hub_url, code)
            if self.local_hub is not None:
                self.local_hub.stop()
                self.local_hub = None
            return credential

        def enrolled(credential):
            done(credential)
            self.sync_now(force=True)
        self._runner.run(work, enrolled, failed, owner=self)

    def resend(self, case_id: str) -> None:
        """The doctor chose to send a change the hub refused (a conflict) again, having seen it."""
        service = self._service()
        self._runner.run(lambda: service.resend(case_id), lambda _: self.sync_now(force=False),
                         self._on_error, owner=self)

    def local_console_account(self, hospital: str, specialty: str, name: str, done: Callable, failed: Callable,
                              owner: QObject | None = None) -> None:
        """(console address, login, password) of a trial expert on the local hub, made on the worker."""
        hub = self.local_hub

        def work():
            if hub is None or not hub.url:
                raise RuntimeError(self.tr("the local hub is not running"))
            return (hub.console_url, *hub.console_account(hospital, specialty, name))
        self._runner.run(work, done, failed, owner=owner or self)

    def refresh_status(self) -> None:
        service = self._service()
        self._runner.run(service.status, self._publish, owner=self)

    def shutdown(self) -> None:
        self._timer.stop()
        self._runner.shutdown()  # waits for `prepare`, which starts the listener
        if self.push is not None:
            self.push.stop()
            self.push = None
        if self.local_hub is not None:
            self.local_hub.stop()

    def _on_hub_pushed(self) -> None:
        if self._busy:
            self._again = True  # the running pass may have read the hub before this news
            return
        self.sync_now(force=False)

    def _after_pass(self) -> None:
        if self._again:
            force, self._again, self._again_force = self._again_force, False, False
            self.sync_now(force=force)

    def _on_synced(self, result) -> None:
        self._busy = False
        report, status = result
        if report is not None:
            self.sync_finished.emit(report)
            if report.new_answers:
                self.answers_arrived.emit(sorted(set(report.new_answers)))
        self._publish(status)
        self._after_pass()

    def _on_error(self, error: BaseException) -> None:
        self._busy = False
        log.error("sync failed", exc_info=error)
        self.refresh_status()
        self._after_pass()

    def _on_hub_failed(self, error: BaseException) -> None:
        log.error("local hub failed: %s", error)
        self.hub_failed.emit(str(error))
        self.refresh_status()

    def _publish(self, status) -> None:
        self.last_status = status
        self.status_changed.emit(status)
