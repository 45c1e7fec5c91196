"""The ways into a live consultation: the case's "Hội chẩn trực tuyến" button (start one, or join the one
open on the case) and an invitation from another site (a desktop notification and a Join button).

Both lead to the device preview, then the live window. One live window at a time; while it is open the
camera and microphone are lent to it by the capture tab.
"""

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from .runner import TaskRunner

log = logging.getLogger(__name__)


def failure_text(code: str, detail: str = "", from_station: bool = False) -> str:
    """A live action that failed (app.services.live.LiveError's code), in the user's words, with what to do;
    `from_station`: the station itself could not reach Janus (the hub could), else the hub said so. The
    technical words (English, for IT staff) go last, labelled."""
    from app.services import live

    translate = QCoreApplication.translate
    keep = translate("LiveController", "The case work goes on as usual; try again in a moment, or call the other "
                                        "site by phone.")

    def with_detail(text: str) -> str:
        return text + ("\n" + translate("LiveController", "Technical detail: %1").replace("%1", detail) if detail
                       else "")

    if code == live.NOT_INVITED:
        return translate("LiveController", "This station is not invited to this live consultation.")
    if code == live.ENDED:
        return translate("LiveController", "This live consultation has ended.")
    if code == live.NOT_INVITABLE:
        return translate("LiveController", "Nobody was invited: an expert chosen can no longer be invited (the "
                                           "account was disabled or removed on the hub). Search and choose again.")
    if code == live.TOO_MANY_INVITED:  # the hub's words carry the limit and the count, for IT staff
        return with_detail(translate("LiveController", "Nobody was invited: this live consultation has invited as "
                                                       "many sites and experts as the hub allows. Choose fewer, or "
                                                       "ask the hub's administrator."))
    if code == live.NOT_ENROLLED:
        return translate("LiveController", "This station is not connected to a hub: live consultations need one "
                                           "(Tools → Central hub).")
    if code == live.UNREACHABLE:
        return translate("LiveController", "The hub cannot be reached: check the network.") + " " + keep
    if code == live.SFU_UNAVAILABLE:
        why = translate("LiveController", "this station gets no answer from it") if from_station else \
            translate("LiveController", "the hub cannot reach it")
        text = translate("LiveController", "Cannot connect to the video server (Janus): %1.").replace("%1", why)
        return with_detail(text + " " + keep)
    return translate("LiveController", "The hub refused: %1").replace("%1", detail or code)


class InvitationNotice(QWidget):
    """"<site> mời tham gia hội chẩn trực tuyến" with Join and Dismiss, in the main window's status bar."""
    join_requested = Signal(str)   # live id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.live_id = ""
        self.text = QLabel()
        self.text.setStyleSheet("font-weight: bold; color: #0d47a1;")
        self.join_button = QPushButton()
        self.join_button.setObjectName("liveJoinInvitation")
        self.dismiss_button = QPushButton()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.join_button)
        layout.addWidget(self.dismiss_button)
        self.join_button.clicked.connect(lambda: self.live_id and self.join_requested.emit(self.live_id))
        self.join_button.clicked.connect(self.hide)
        self.dismiss_button.clicked.connect(self.hide)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.join_button.setText(self.tr("Join"))
        self.dismiss_button.setText(self.tr("Dismiss"))

    def show_invitation(self, live_id: str, text: str) -> None:
        self.live_id = live_id
        self.text.setText(text)
        self.show()


def invitation_text(site: str) -> str:
    if not site:
        return QCoreApplication.translate("LiveController", "You are invited to a live consultation")
    return QCoreApplication.translate("LiveController", "%1 invites you to a live consultation").replace("%1", site)


class LiveController(QObject):
    invited = Signal(str, str)       # live id, the notification's text
    window_opened = Signal(object)   # the LiveWindow
    failed = Signal(str)             # a failure, in the user's words

    def __init__(self, service: Callable[[], object], settings: Callable[[], object],
                 panel: Callable[[], object] | None = None, parent: QWidget | None = None,
                 attach_viewer: Callable[[object], None] | None = None):
        """`service()`: the LiveService; `panel()`: the capture tab that lends the devices (or None);
        `attach_viewer(window)`: joins the case's DICOM viewer to the window's session (the synced viewer:
        following whoever presents, and the "Show images" button)."""
        super().__init__(parent)
        self._service = service
        self._settings = settings
        self._panel = panel or (lambda: None)
        self._parent = parent
        self.attach_viewer = attach_viewer
        self.runner = TaskRunner(self)
        self.window = None
        self.preview = None
        self.notice = InvitationNotice(parent)
        self.notice.join_requested.connect(self.join)
        self.seen: set[str] = set()     # sessions already told of (or our own)
        self.senders: dict[str, str] = {}  # live id -> the inviting site, as the push event named it
        self._checking = False
        self.last_invitation = ""
        # Hooks a test replaces: showing a failure (a message box by default).
        self.show_failure = self._message_box

    # -- ways in ---------------------------------------------------------------------------------------

    def start_or_join(self, case_id: str) -> None:
        """The case's button: join the live consultation open on this case, or start one."""
        if self._focus_open_window():
            return
        service = self._service()

        def work():
            found = service.open_for_case(case_id)
            return found if found is not None else service.start(case_id)

        def done(live) -> None:
            self.seen.add(live.id)
            self.join(live.id)
        self.runner.run(work, done, self._on_error, owner=self)

    def on_hub_event(self, event) -> None:
        """A pushed event (app.sync.push.HubEvent): an invitation is told at once, with the inviting site."""
        if event.kind != "invitation":
            return
        live_id = event.live or event.id
        if event.sender:
            self.senders[live_id] = event.sender
        if live_id in self.seen or (self.window is not None and self.window.live_id == live_id):
            return
        self.seen.add(live_id)
        self._invite(live_id, event.sender)

    def _invite(self, live_id: str, site: str) -> None:
        text = invitation_text(site)
        self.last_invitation = live_id
        self.notice.show_invitation(live_id, text)
        self.invited.emit(live_id, text)

    def check_invitations(self) -> None:
        """After a push or a sync pass: open sessions not told of yet become invitations."""
        if self._checking:
            return
        self._checking = True
        service = self._service()

        def done(found) -> None:
            sessions, me = found
            self._checking = False
            for live in sessions:
                if live.id in self.seen:
                    continue
                self.seen.add(live.id)
                if me and live.started_by == me:
                    continue  # this station started it (before a restart): not an invitation
                if self.window is not None and self.window.live_id == live.id:
                    continue
                self._invite(live.id, self.senders.get(live.id) or live.sender)

        def failed(error) -> None:
            self._checking = False
            log.info("live invitations not read: %s", error)
        self.runner.run(lambda: (service.sessions(), service.client_id), done, failed, owner=self)

    def join(self, live_id: str) -> None:
        """Ask the hub for the joining details, then the device preview, then the window."""
        if self._focus_open_window(live_id):
            return
        if self.preview is not None:  # already on its way in (a second click on Join)
            self.preview.raise_()
            self.preview.activateWindow()
            return
        service = self._service()
        self.seen.add(live_id)
        self.runner.run(lambda: (service.join(live_id), service.suggested_quality()),
                        lambda found: self._preview(live_id, *found), self._on_error, owner=self)

    # -- preview, then the window -------------------------------------------------------------------

    def _preview(self, live_id: str, details, suggestion) -> None:
        from .live_preview import LivePreviewDialog
        from .live_window import case_line, quality_key

        quality, link_item = suggestion
        self._lend()
        self.preview = LivePreviewDialog(self._settings(), getattr(details, "display", ""), case_line(details),
                                         quality_key(quality), link_item, self._parent)
        self.preview.finished.connect(lambda result: self._on_preview_done(live_id, details, result))
        self.preview.open()

    def _on_preview_done(self, live_id: str, details, result: int) -> None:
        preview, self.preview = self.preview, None
        if preview is None:
            return
        if result != preview.DialogCode.Accepted:
            self._give_back()
            preview.deleteLater()
            return
        feed, mic = preview.take_devices()
        quality = preview.chosen_quality
        preview.deleteLater()
        self.open_window(live_id, details, feed, mic, quality)

    def open_window(self, live_id: str, details, feed=None, mic=None, quality: str = "high"):
        from .live_window import LiveWindow

        self.window = LiveWindow(self._service(), live_id, details, feed, mic, quality,
                                 lend_devices=self._lend, give_back_devices=self._give_back,
                                 open_devices=self._open_devices,
                                 speaker_device=getattr(self._settings(), "speaker", "") or "")
        self.window.closed.connect(self._on_window_closed)
        if self.attach_viewer is not None:
            self.attach_viewer(self.window)
        self.window.show()
        self.window.start()
        self.window_opened.emit(self.window)
        return self.window

    def _on_window_closed(self) -> None:
        self.window = None

    def _focus_open_window(self, live_id: str | None = None) -> bool:
        if self.window is None:
            return False
        if live_id is None or self.window.live_id == live_id:
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()
            return True
        return False

    # -- the devices ---------------------------------------------------------------------------------

    def _lend(self) -> None:
        panel = self._panel()
        if panel is not None and panel.lent_to != "live":
            panel.hand_over_devices("live")

    def _give_back(self) -> None:
        panel = self._panel()
        if panel is not None and panel.lent_to == "live":
            panel.take_back_devices()

    def _open_devices(self):
        """For a rejoin: the camera and microphone opened again (None where there is none)."""
        from app.media.audio import AudioUnavailable, MicrophoneCapture
        from app.media.camera import CameraSource

        from .camera_view import CameraFeed

        s = self._settings()
        feed = CameraFeed()
        feed.start(CameraSource(s.camera), s.camera_width, s.camera_height, s.camera_fps)
        try:
            mic = MicrophoneCapture(device=s.microphone or None, samplerate=s.microphone_samplerate,
                                    channels=s.microphone_channels).start()
        except AudioUnavailable:
            mic = None
        return feed, mic

    # -- failures ------------------------------------------------------------------------------------

    def _on_error(self, error: BaseException) -> None:
        from app.live.details import BadJoinDetails
        from app.services.live import REFUSED, LiveError

        if isinstance(error, LiveError):
            text = failure_text(error.code, error.detail)
        elif isinstance(error, BadJoinDetails):
            text = failure_text(REFUSED, str(error))
        else:
            raise error
        self.failed.emit(text)
        self.show_failure(text)

    def _message_box(self, text: str) -> None:
        self.message_box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Live consultation"), text,
                                       parent=self._parent)
        self.message_box.open()

    def shutdown(self) -> None:
        if self.preview is not None:
            self.preview.reject()
        if self.window is not None:
            self.window.close()
        self.runner.shutdown()
