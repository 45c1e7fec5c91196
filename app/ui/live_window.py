"""The live consultation window: the other sites' tiles, the doctor's own small view, the controls, and
what is happening said plainly (connecting, reconnecting, the video server unreachable).

Non-modal: the case's work (the editor, its tabs) stays usable beside it. The camera and microphone are
this window's while the station is in the session (taken from the capture tab at join, given back on
leave or close: one owner at a time). What every site sees of the case is its code and the patient's
initials, age and sex (HOI-CHAN.md), never the name.
"""

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from .live_bridge import LiveBridge
from .live_controls import QUALITIES, LiveControls
from .live_tiles import ParticipantTile, TilesGrid, name_and_site
from .runner import TaskRunner
from .texts import sex_name

log = logging.getLogger(__name__)

RECORDING_POLL_MS = 5000   # the hub's recording state, while in the session (push is for invitations)
ENDED = ("left", "failed")


def case_line(details) -> str:
    """The case as every site may see it: its code, the patient's initials, age and sex (never the name)."""
    case = getattr(details, "case", None) or {}
    parts = []
    if case.get("code"):
        parts.append(QCoreApplication.translate("LiveWindow", "Case %1").replace("%1", str(case["code"])))
    if case.get("initials"):
        parts.append(str(case["initials"]))
    if case.get("age") not in (None, ""):
        parts.append(QCoreApplication.translate("LiveWindow", "%1 years").replace("%1", str(case["age"])))
    if case.get("sex"):
        parts.append(sex_name(str(case["sex"])) or str(case["sex"]))
    return " · ".join(parts)


def quality_key(quality) -> str:
    """app.live.session.Quality -> one of QUALITIES (by name: HIGH, LOW, AUDIO_ONLY)."""
    name = getattr(quality, "name", str(quality)).lower().replace("_", "-")
    return name if name in QUALITIES else "high"


def quality_value(key: str):
    from app.live.session import Quality

    return {"high": Quality.HIGH, "low": Quality.LOW, "audio-only": Quality.AUDIO_ONLY}[key]


class LiveWindow(QWidget):
    closed = Signal()                   # the window is gone and the devices given back
    session_state = Signal(str)         # the session's state, as the banner shows it

    def __init__(self, service, live_id: str, details, camera_feed=None, microphone=None, quality: str = "high",
                 lend_devices: Callable[[], None] | None = None, give_back_devices: Callable[[], None] | None = None,
                 open_devices: Callable[[], tuple] | None = None, present: Callable[["LiveWindow"], None] | None = None,
                 speaker_device: str | None = "", parent: QWidget | None = None):
        """`camera_feed`/`microphone`: opened by the preview (app/ui/live_preview.py) and now this window's;
        `open_devices()` opens them again for a rejoin; `lend_devices()`/`give_back_devices()` take them
        from and give them back to the capture tab; `present(window)`: H8's synced viewer starts presenting;
        `speaker_device`: where the others are heard ("" the system's default, None: not played)."""
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.service = service
        self.live_id = live_id
        self.details = details
        self.feed = camera_feed
        self.mic = microphone
        self.quality_key = quality
        self._lend = lend_devices
        self._give_back = give_back_devices
        self._open_devices = open_devices
        self._present = present
        self._speaker_device = speaker_device
        self.speaker = None
        self.session = None
        self.state = ""
        self.state_message = ""
        self.recording: dict = dict(getattr(details, "recording", {}) or {})
        self._consent_asked_for = None   # the recording round we asked about (not asked twice)
        self.consent_dialog: QMessageBox | None = None
        self._leaving = False
        self._devices_held = camera_feed is not None or microphone is not None
        self.runner = TaskRunner(self)   # its own worker: a slow hub never holds the case's saves up
        self.bridge = LiveBridge(self)

        self.case_label = QLabel()
        self.case_label.setObjectName("liveCase")
        self.case_label.setStyleSheet("font-weight: bold;")
        self.recording_label = QLabel()
        self.recording_label.setObjectName("liveRecording")
        self.recording_label.setStyleSheet("color: #c62828; font-weight: bold;")
        self.recording_label.hide()
        # Wrapped, as the invitation's note: a long list of sites would otherwise widen the window past the
        # screen (its buttons, Leave among them, out of reach at 1280×720).
        self.recording_wait = QLabel(wordWrap=True)  # asked for, held up until every site present agrees
        self.recording_wait.setObjectName("liveRecordingWait")
        self.recording_wait.setStyleSheet("color: #6d4c41;")
        self.recording_wait.hide()
        self.banner = QLabel(wordWrap=True)
        self.banner.setObjectName("liveBanner")
        self.banner.hide()
        self.device_note = QLabel(wordWrap=True)  # a device missing (no speaker): said, the session goes on
        self.device_note.setStyleSheet("color: #e65100;")
        self.device_note.hide()
        self.grid = TilesGrid()
        self.self_tile = ParticipantTile("self", is_self=True)
        self.self_tile.setFixedSize(224, 126)
        self.controls = LiveControls()
        self.close_button = QPushButton()
        self.close_button.hide()
        self.invite_button = QPushButton()
        self.invite_button.setObjectName("liveInvite")
        self.note = QLabel(wordWrap=True)  # whom the session has invited (the hub's word), or what came of inviting
        self.note.setObjectName("liveInvited")
        self.invite_dialog = None  # the search dialog while it is open (app/ui/live_invite.py)
        self.invited = None        # app.services.live.Invited, as the hub last said
        self.invited_names: dict[tuple[str, str], str] = {}  # ("site", code) | ("expert", id) -> name
        head = QHBoxLayout()
        head.addWidget(self.case_label, 1)
        head.addWidget(self.note)
        head.addWidget(self.recording_label)
        head.addWidget(self.recording_wait)
        head.addWidget(self.invite_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.self_tile)
        bottom.addWidget(self.controls, 1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.banner)
        layout.addWidget(self.device_note)
        layout.addWidget(self.grid, 1)
        layout.addLayout(bottom)

        self.controls.present_button.setVisible(present is not None)
        self.controls.set_quality(quality)
        self.controls.set_in_session(False, False)
        self.controls.microphone_muted.connect(self.on_microphone_muted)
        self.controls.camera_off.connect(self.on_camera_off)
        self.controls.hand_raised.connect(self.on_hand_raised)
        self.controls.quality_chosen.connect(self.on_quality_chosen)
        self.controls.present_requested.connect(lambda: self._present(self) if self._present else None)
        self.controls.leave_requested.connect(self.leave)
        self.controls.rejoin_requested.connect(self.rejoin)
        self.close_button.clicked.connect(self.close)
        self.invite_button.clicked.connect(self.invite)
        self.bridge.state_changed.connect(self.on_state)
        self.bridge.participant_changed.connect(self.on_participant)
        self.bridge.participant_left.connect(self.grid.remove)
        self.bridge.frame_ready.connect(self.on_frame_ready)
        self.bridge.recording_changed.connect(self.on_recording)
        self._recording_poll = QTimer(self, interval=RECORDING_POLL_MS, timeout=self.poll_recording)
        self._attach_feed()
        self.retranslate()
        self.resize(1100, 700)
        QTimer.singleShot(0, self.refresh_invited)  # whom it has invited, also after the station restarted

    # -- text -------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        title = self.tr("Live consultation")
        self.setWindowTitle(f"{title} — {self.case_text()}" if self.case_text() else title)
        self.case_label.setText(self.case_text())
        self.grid.empty.setText(self.tr("Nobody else has joined yet. The other sites appear here as they join."))
        self.recording_label.setText(self.tr("● Recording"))
        self._show_recording_wait()
        self.close_button.setText(self.tr("Close"))
        self.invite_button.setText(self.tr("Invite…"))
        self.invite_button.setToolTip(self.tr("Invite other sites and experts, found by name, place or specialty"))
        # Named and lettered as the others see this station (its display from the hub), not "You" (B for "Bạn").
        name, site = name_and_site(getattr(self.details, "display", "") or "", getattr(self.details, "site", "") or "")
        self.self_tile.name, self.self_tile.site = name, site
        before, _, after = self.tr("%1 (you)").partition("%1")
        self.self_tile.label = "" if name else self.tr("You")
        self.self_tile.around = (before, after) if name else ("", "")
        self.self_tile.setAccessibleName(self.self_tile.caption())
        self._show_self_note()
        self._show_banner()
        if self.invited is not None:
            self.say_invited(self.invited_text())

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def case_text(self) -> str:
        return case_line(self.details)

    def _show_banner(self) -> None:
        state, message = self.state, self.state_message
        style = "padding: 8px; border-radius: 4px; background: %s; color: %s;"
        if state == "connecting" or state == "":
            text, colours = self.tr("Connecting…"), ("#e3f2fd", "#0d47a1")
        elif state == "reconnecting":
            text, colours = self.tr("Connection lost — reconnecting…"), ("#fff3e0", "#e65100")
        elif state == "failed":
            text = self.failure_text(message)
            colours = ("#ffebee", "#b71c1c")
        elif state == "left":
            text, colours = self.tr("You have left the live consultation. Rejoin, or close this window."), \
                ("#eceff1", "#263238")
        else:
            self.banner.hide()
            return
        self.banner.setStyleSheet(style % colours)
        self.banner.setText(text)
        self.banner.show()

    def failure_text(self, message: str) -> str:
        """Why the station is not in the session, and what to do; the case work is not affected."""
        from app.services import live

        from .live_controller import failure_text

        code, _, detail = message.partition(": ")
        if code in (live.NOT_INVITED, live.ENDED, live.NOT_ENROLLED, live.UNREACHABLE, live.SFU_UNAVAILABLE,
                    live.REFUSED):
            return failure_text(code, detail)
        if message.startswith("the video server refused"):  # Janus answered, and would not have this ticket
            text = self.tr("The video server (Janus) refused this station's entry ticket (expired or not valid). "
                           "Press Rejoin for a new one; if it happens again, tell the hub's administrator.")
            return text + "\n" + self.tr("Technical detail: %1").replace("%1", message)
        return failure_text(live.SFU_UNAVAILABLE, message, from_station=True)  # the session's words: no Janus

    def _show_self_note(self) -> None:
        if self.feed is None or self.controls.camera_button.isChecked():
            self.self_tile.note = self.tr("Camera off") if self.feed is not None else self.tr("No camera")
            self.self_tile.clear_video()
        elif getattr(self, "_camera_lost", False):
            # A camera that never gave a picture (none at the configured port) was not lost: there is none.
            seen = getattr(self, "_camera_seen", False)
            self.self_tile.note = self.tr("Camera lost: the others see your name") if seen else self.tr("No camera")
            self.self_tile.clear_video()
        else:
            self.self_tile.note = ""
        self.self_tile.muted = self.mic is None or self.controls.mic_button.isChecked()
        self.self_tile.update()

    # -- the session --------------------------------------------------------------------------------

    def start(self) -> None:
        """Join with the details given (the preview's devices); the banner says "connecting" meanwhile."""
        self.on_state("connecting", "")
        self._open_speaker()
        try:
            self.session = self.service.connect(self.live_id, self.details, self.bridge,
                                                camera=self.feed.capture if self.feed is not None else None,
                                                microphone=self.mic, quality=quality_value(self.quality_key),
                                                speaker=self.speaker)
        except Exception as error:  # noqa: BLE001 (said in the banner: the app.live core's refusal)
            log.warning("live session could not be made: %s", error, exc_info=True)
            self.on_state("failed", str(error))
            return
        session = self.session
        self.runner.run(session.start, None, lambda error: self.on_state("failed", _reason(error)), owner=self)
        self._recording_poll.start()
        self.on_recording(self.recording)

    def _open_speaker(self) -> None:
        if self.speaker is not None or self._speaker_device is None:
            return
        from app.media.audio import AudioUnavailable

        from .texts import device_problem

        try:
            self.speaker = self.service.open_speaker(self._speaker_device)
        except AudioUnavailable as error:
            self.device_note.setText(device_problem(error.code, error.params, f"{error} ({error.fix})") + " "
                                     + self.tr("You will not hear the others; they still see and hear you."))
            self.device_note.show()
        else:
            self.device_note.hide()

    def on_state(self, state: str, message: str) -> None:
        self.state, self.state_message = state, message
        joined = state == "joined"
        ended = state in ENDED
        if not ended:  # hidden before Leave comes back beside it (see LiveControls.set_in_session)
            self.close_button.hide()
        self.controls.set_in_session(joined, ended)
        if joined and self.mic is None:  # nothing to mute: the button would only change its own label
            self.controls.mic_button.setEnabled(False)
            self.controls.mic_button.setToolTip(self.tr("No microphone: the others do not hear you"))
        self._show_camera_button()
        self.close_button.setVisible(ended)
        if ended:
            self._recording_poll.stop()
            self.grid.clear()
            if not self._leaving:  # a leave gives them back once the session has let go of them
                self._release_devices()
        self._show_banner()
        self.session_state.emit(state)

    def _show_camera_button(self) -> None:
        """No working camera, nothing to stop: "Stop camera" beside "No camera" only puzzled. The feed is there
        even without a camera (it keeps trying the configured port): a camera works once it has given a
        picture and is not lost since; the button comes on then (a rejoin that opened one, a camera back)."""
        if self.state != "joined":
            return  # LiveControls.set_in_session has them all off
        works = self.feed is not None and self._camera_seen and not self._camera_lost
        self.controls.camera_button.setEnabled(works)
        if works:
            self.controls.camera_button.setToolTip("")
        elif self.feed is not None and self._camera_seen:
            self.controls.camera_button.setToolTip(self.tr("Camera lost: the others see your name"))
        else:
            self.controls.camera_button.setToolTip(self.tr("No camera: the others see your name"))

    def on_participant(self, participant) -> None:
        if getattr(participant, "is_self", False) or getattr(participant, "me", False):
            return
        self.grid.update_participant(participant)

    def on_frame_ready(self, participant_id: str) -> None:
        tile = self.grid.tile(participant_id)
        frame = self.bridge.take(participant_id)
        if tile is not None:
            tile.set_frame(frame)

    def set_present(self, present: Callable[[], None] | None) -> None:
        """The "Show images" button's action: a toggle, the synced DICOM viewer presents, pressed again it
        stops (app/ui/viewer_sync.py). Whoever sets it says the outcome with `set_presenting`; until then the
        button shows its own press."""
        self._present = (lambda _window: present()) if present is not None else None
        self.controls.present_button.setVisible(present is not None)

    def set_presenting(self, on: bool) -> None:
        """Whether this site presents now: "Stop presenting", checked, or back to "Show images" (another
        site took over, the viewer could not present)."""
        self.controls.set_toggle(self.controls.present_button, on)

    def send_text(self, text: str) -> None:
        """To every other participant over the data channel (the synced viewer's states)."""
        if self.session is not None:
            self.session.send(text)

    # -- controls ------------------------------------------------------------------------------------

    def on_microphone_muted(self, muted: bool) -> None:
        if self.session is not None:
            self.session.set_microphone_muted(muted)
        self._show_self_note()

    def on_camera_off(self, off: bool) -> None:
        if self.session is not None:
            self.session.set_camera_off(off)
        self._show_self_note()

    def on_hand_raised(self, raised: bool) -> None:
        if self.session is not None:
            self.session.raise_hand(raised)
        self.self_tile.hand = raised
        self.self_tile.update()

    def on_quality_chosen(self, key: str) -> None:
        self.quality_key = key
        if self.session is not None:
            self.session.set_quality(quality_value(key))

    def leave(self) -> None:
        """Leave the session (the others see it at once), tell the hub, give the devices back."""
        session, self.session = self.session, None
        live_id, service = self.live_id, self.service

        def work():
            if session is not None:
                session.leave()
            try:
                service.leave(live_id)
            except Exception as error:  # noqa: BLE001 (the hub learns it from Janus's events anyway)
                log.info("leaving live %s: the hub was not told (%s)", live_id, error)
        self._recording_poll.stop()
        self._leaving = True
        self.runner.run(work, lambda _none: self._left(), lambda error: self._left(error), owner=self)
        self.on_state("left", "")

    def _left(self, error: BaseException | None = None) -> None:
        """The session has let go of the camera and microphone: they go back now."""
        if error is not None:
            log.warning("leaving the live session: %s", error)
        self._leaving = False
        self._release_devices()

    def rejoin(self) -> None:
        """Back in: the devices are taken again, new joining details asked of the hub (the old token may
        have run out), and the session started again."""
        self.grid.clear()
        self.on_state("connecting", "")
        self.controls.set_in_session(False, False)
        if not self._devices_held and self._open_devices is not None:
            if self._lend is not None:
                self._lend()
            self.feed, self.mic = self._open_devices()
            self._devices_held = True
            self._attach_feed()
        self.controls.set_toggle(self.controls.camera_button, False)
        self.controls.set_toggle(self.controls.mic_button, False)
        self.controls.set_toggle(self.controls.hand_button, False)
        self.self_tile.hand = False  # a new session starts with the hand down, as the button now says
        self._show_self_note()
        service, live_id = self.service, self.live_id
        self.runner.run(lambda: service.join(live_id), self._on_rejoin_details,
                        lambda error: self.on_state("failed", _reason(error)), owner=self)

    def _on_rejoin_details(self, details) -> None:
        self.details = details
        self.recording = dict(getattr(details, "recording", {}) or {})
        self.retranslate()
        self.start()

    # -- inviting ----------------------------------------------------------------------------------------

    def invite(self) -> None:
        """The search dialog (app/ui/live_invite.py): sites and experts found by name, place or specialty."""
        from .live_invite import InviteDialog

        if self.invite_dialog is not None:
            self.invite_dialog.raise_()
            return
        dialog = InviteDialog(self.service, self.live_id, self.runner, known=self.invited_names, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.set_invited(self.invited_text())
        dialog.accepted.connect(lambda: self.invited_names.update(dialog.chosen))  # invited by these names
        dialog.accepted.connect(lambda: self.send_invitations(dialog.facilities(), dialog.people(), dialog.names()))
        dialog.rejected.connect(lambda: self.show_invited(self.invited) if self.invited is not None else None)
        dialog.finished.connect(lambda _result: setattr(self, "invite_dialog", None))
        self.invite_dialog = dialog
        dialog.show()  # not modal: the doctor can still mute, or leave, while searching
        self.refresh_invited()

    def refresh_invited(self) -> None:
        """Whom the session has invited, asked of the hub: the note (and the open dialog) say it from the
        hub's answer, not from what this window remembers, so it is there again after a restart."""
        service, live_id = self.service, self.live_id
        if getattr(service, "invited", None) is None:
            return
        self.runner.run(lambda: service.invited(live_id), self.show_invited,
                        lambda error: log.info("who is invited was not read: %s", error), owner=self)

    def show_invited(self, invited) -> None:
        self.invited = invited
        self.invited_names.update(invited.names)
        self.say_invited(self.invited_text())
        if self.invite_dialog is not None:
            self.invite_dialog.set_invited(self.invited_text())

    def invited_text(self) -> str:
        """"Đã mời: Bệnh viện Đa khoa Trung ương Cần Thơ; PGS.TS Lan", as the hub names them; a site it does
        not name (no station registered) by its code, an expert it does not name (since disabled) counted."""
        if self.invited is None:
            return ""
        named = [self.invited_names.get(("site", code), code) for code in self.invited.facilities]
        experts = [self.invited_names.get(("expert", person), "") for person in self.invited.people]
        named += [name for name in experts if name]
        unnamed = sum(1 for name in experts if not name)
        if unnamed:
            named.append(self.tr("%1 expert(s)").replace("%1", str(unnamed)))
        return self.tr("Invited: %1").replace("%1", "; ".join(named)) if named else ""

    def say_invited(self, text: str, refused: bool = False) -> None:
        """The note above the tiles; a refusal in red, so it is not read as the list of those invited."""
        self.note.setText(text)
        self.note.setProperty("refused", refused)
        self.note.setStyleSheet("color: #b71c1c;" if refused else "")

    def send_invitations(self, facilities: list[str], people: list[str], names: list[str]) -> None:
        if not (facilities or people):
            return
        service, live_id = self.service, self.live_id
        self.say_invited(self.tr("Inviting…"))

        def failed(error: BaseException) -> None:
            from .live_controller import failure_text

            if not hasattr(error, "code"):
                raise error
            self.say_invited(failure_text(error.code, getattr(error, "detail", "")), refused=True)

        def done(_live) -> None:
            self.say_invited(self.tr("Invited: %1").replace("%1", "; ".join(names)))
            self.refresh_invited()  # and everyone invited before, as the hub has them
        self.runner.run(lambda: service.invite(live_id, facilities, people), done, failed, owner=self)

    # -- recording with consent -------------------------------------------------------------------------

    def poll_recording(self) -> None:
        service, live_id = self.service, self.live_id

        def work():
            found = service.session(live_id)
            return found.recording if found is not None else None
        self.runner.run(work, lambda recording: self.on_recording(recording) if recording is not None else None,
                        lambda error: log.info("recording state not read: %s", error), owner=self)

    def on_recording(self, recording: dict) -> None:
        self.recording = dict(recording or {})
        state = self.recording.get("state", "off")
        self.recording_label.setVisible(state == "on")
        self._show_recording_wait()
        asking = (state in ("waiting", "paused") and self._asked_of_me(self.recording.get("missing") or [])
                  and not self._asked_of_me(self.recording.get("declined") or []))  # a no stands until changed
        if asking and self._consent_asked_for != self.recording.get("round", state) and self.consent_dialog is None:
            self._consent_asked_for = self.recording.get("round", state)
            self.ask_consent()

    def _show_recording_wait(self) -> None:
        state = self.recording.get("state", "off")
        waiting = [str(p.get("display") or p.get("site") or "") if isinstance(p, dict) else str(p)
                   for p in self.recording.get("missing") or []]
        if state not in ("waiting", "paused"):
            self.recording_wait.hide()
            return
        text = self.tr("Recording paused") if state == "paused" else self.tr("Recording waits for consent")
        if waiting:
            text += " " + self.tr("(waiting for: %1)").replace("%1", ", ".join(w for w in waiting if w))
        self.recording_wait.setText(text)
        self.recording_wait.show()

    def _asked_of_me(self, missing) -> bool:
        """Whether this station is among those the recording waits for: the hub names each participant by
        its client id ({"participant", "site", "display"}); the display name where no id is known."""
        me = getattr(self.service, "client_id", "")
        display = getattr(self.details, "display", "")
        for entry in missing:
            if isinstance(entry, dict):
                if me and entry.get("participant") == me or not me and display and entry.get("display") == display:
                    return True
            elif str(entry) in (me, display):
                return True
        return False

    def ask_consent(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Recording"),
                          self.tr("The session asks to be recorded (TT 49/2017). Recording starts only when every "
                                  "site present agrees. Does this site agree?"), parent=self)
        agree = box.addButton(self.tr("Agree to recording"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Decline"), QMessageBox.ButtonRole.RejectRole)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.consent_dialog = box

        def answered(_result) -> None:
            self.consent_dialog = None
            self.answer_consent(box.clickedButton() is agree)
        box.finished.connect(answered)
        box.open()

    def answer_consent(self, agree: bool) -> None:
        service, live_id = self.service, self.live_id
        self.runner.run(lambda: service.consent(live_id, agree), lambda _none: self.poll_recording(),
                        lambda error: log.warning("consent not sent: %s", error), owner=self)

    # -- devices ---------------------------------------------------------------------------------------

    def _attach_feed(self) -> None:
        self._camera_seen = False
        # Handed over already failing (the preview's feed on a port without a camera): known now, not at its
        # next try seconds later.
        capture = self.feed.capture if self.feed is not None else None
        self._camera_lost = getattr(getattr(capture, "state", None), "value", "") in ("reconnecting", "failed")
        if self.feed is not None:
            self.feed.frame_ready.connect(self._on_self_frame)
            self.feed.state_changed.connect(self._on_camera_state)
            self._on_self_frame()  # a frame signalled before we listened would hold the next ones back
        self._show_self_note()
        self._show_camera_button()

    def _on_camera_state(self, state: str, _message: str) -> None:
        """The camera unplugged or stalled mid-session: the session stops the video by itself (the others
        see the name tile); the doctor is told on the self view, and sees it come back."""
        self._camera_lost = state in ("reconnecting", "failed")
        self._show_self_note()
        self._show_camera_button()

    def _on_self_frame(self) -> None:
        frame = self.feed.take() if self.feed is not None else None
        if frame is not None and not self._camera_seen:
            self._camera_seen = True
            self._show_camera_button()
        if frame is not None and not self.controls.camera_button.isChecked():
            self.self_tile.set_frame(frame.image)

    def _release_devices(self) -> None:
        """The camera and microphone go back to the capture tab (the session has let go of them)."""
        speaker, self.speaker = self.speaker, None
        if speaker is not None:
            speaker.stop()
        if not self._devices_held:
            return
        self._devices_held = False
        feed, mic, self.feed, self.mic = self.feed, self.mic, None, None
        if feed is not None:
            feed.frame_ready.disconnect(self._on_self_frame)
            feed.state_changed.disconnect(self._on_camera_state)
            feed.stop()
            feed.deleteLater()
        if mic is not None:
            mic.stop()
        self.self_tile.clear_video()
        self._show_self_note()
        if self._give_back is not None:
            self._give_back()

    def closeEvent(self, event) -> None:
        if self.state not in ENDED and self.session is not None:
            self.leave()
        self._recording_poll.stop()
        self.runner.shutdown()  # the leave is done (the session has let go of the devices) before they go back
        self._release_devices()
        if self.consent_dialog is not None:
            self.consent_dialog.close()
        self.closed.emit()
        super().closeEvent(event)


def _reason(error: BaseException) -> str:
    """A failure as the banner's words start: the service's code first (app.services.live.LiveError)."""
    code = getattr(error, "code", "")
    return f"{code}: {error.detail}" if code and hasattr(error, "detail") else str(error)
