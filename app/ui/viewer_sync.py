"""The DICOM viewer shown to a live session ("trình chiếu"): the presenter's viewer sends its *state*, every
other participant's viewer follows it and draws the slice from its own copy of the study.

Qt-side and transport-free: `send` is whatever carries text to the others (the live session's data
channel), and whoever hears the data channel hands its messages to `on_message`. The live window wires it:

    sync = ViewerSync(editor.viewer, session.send, details.display, case=details.request, parent=editor.viewer)
    # LiveListener.on_data(participant_id, message), on the session's thread -> a queued Qt signal ->
    sync.on_message(participant_id, message)
    # LiveListener.on_participant(p) with p.listening newly true (it hears us now) -> sync.resend()
    # the "Trình chiếu" button: sync.present(); again, or leaving the session: sync.stop()
    # sync.following_changed(name): someone presents (name) or stopped (""): bring the imaging tab forward

A follower may still scroll on its own; the presenter's next change brings it back.

The states name the images by the session's case's de-identified UIDs only (app/wire/live.py): an expert abroad
hears the channel too. `case` (the join details' request) seeds them, so that every station holding the
originals, under whatever local case, computes the same ones.
"""

import time
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal

from app.wire.live import PRESENTING, Message, ViewerState, presenting_message, viewer_message, viewer_state

INTERVAL_MS = 50     # at most 20 states a second: a wheel turn or a drag fires far more often than anyone sees
REPEAT_MS = 2000     # the last state again now and then, for whoever joined since (same seq: costs the others nothing)


class ViewerSync(QObject):
    """One viewer in one live session. `present()` makes it the one the others follow; a state or a
    'presenting' message from another participant makes it follow them."""

    following_changed = Signal(str)  # the display name of who is followed, "" when nobody
    applied = Signal(object)         # a followed ViewerState, once shown (or found missing)

    def __init__(self, viewer, send: Callable[[str], None], sender: str = "", case: str = "", parent=None):
        """`sender`: this participant's display name and site, as the others see it in the banner. `case`: the
        session's case (its request id); "" for the viewer's own case."""
        super().__init__(parent)
        self.viewer = viewer
        viewer.set_live_case(case)
        self._send = send
        self.sender = sender
        self.mode: str | None = None  # "presenting", "following" or None
        self.followed = ""            # who, when following (display name)
        self._following_id = ""       # and their participant id
        # Milliseconds since the epoch: a presenter who rejoins keeps going up, so followers do not ignore it.
        self._seq = int(time.time() * 1000)
        self._last_sent: ViewerState | None = None
        self._sent_at = 0.0
        self._newest: dict[str, int] = {}  # per presenter, the highest seq applied
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._flush)
        self._repeat = QTimer(self, interval=REPEAT_MS)
        self._repeat.timeout.connect(self._send_again)
        viewer.state_changed.connect(self._on_changed)
        viewer.destroyed.connect(self._viewer_gone)

    def _viewer_gone(self) -> None:
        """The case's viewer closed before the session: nothing more to present or follow."""
        self._timer.stop()
        self._repeat.stop()
        self.viewer, self.mode = None, None

    # -- presenting --------------------------------------------------------------------------------

    def present(self) -> None:
        """This viewer becomes the one everybody follows."""
        if self.viewer is None:
            return
        self.mode, self.followed = "presenting", ""
        self.viewer.set_following(None)
        self.viewer.set_presenting(True)
        self.following_changed.emit("")
        self._send(presenting_message(self.sender, self.sender))
        self._last_sent = None
        self._flush()
        self._repeat.start()

    def stop(self) -> None:
        """Stop presenting or following; when presenting, the others are told."""
        if self.mode == "presenting":
            self._send(presenting_message("", self.sender))
        self._timer.stop()
        self._repeat.stop()
        was_following = self.mode == "following"
        self.mode, self.followed = None, ""
        if self.viewer is not None:
            self.viewer.set_presenting(False)
            self.viewer.set_following(None)
        if was_following:
            self.following_changed.emit("")

    def _on_changed(self) -> None:
        if self.mode != "presenting":
            return  # a follower may look around on its own: that is not sent
        waited = (time.monotonic() - self._sent_at) * 1000
        if waited >= INTERVAL_MS and not self._timer.isActive():
            self._flush()  # the first change after a pause goes at once
        elif not self._timer.isActive():
            self._timer.start(max(1, int(INTERVAL_MS - waited)))

    def _flush(self) -> None:
        if self.mode != "presenting" or self.viewer is None:
            return
        state = self.viewer.viewer_state()
        if state is None:
            return
        if self._last_sent is not None and replace(self._last_sent, seq=0) == state:
            return  # nothing the others would see changed
        self._seq += 1
        self._last_sent = replace(state, seq=self._seq)
        self._sent_at = time.monotonic()
        self._send(viewer_message(self._last_sent, self.sender))

    def resend(self) -> None:
        """Who presents and where, again: for a participant who has just started hearing us (the live
        session's `Participant.listening` turning true), rather than leaving it to the next repeat."""
        if self.mode == "presenting":
            self._send(presenting_message(self.sender, self.sender))
            self._send_again()

    def _send_again(self) -> None:
        if self.mode == "presenting" and self._last_sent is not None:
            self._send(viewer_message(self._last_sent, self.sender))

    # -- following ----------------------------------------------------------------------------------

    def on_message(self, participant: str, message: Message) -> None:
        """A data-channel message from `participant` (any stable id of theirs; the banner shows the
        message's sender)."""
        if self.viewer is None:
            return
        if message.type == PRESENTING:
            presenter = str(message.body.get("presenter", ""))
            if presenter:
                self._newest.pop(participant, None)  # a new presentation starts its own count
                self._follow(participant, presenter)
            elif self.mode == "following" and self._following_id == participant:
                self.stop()
            return
        state = viewer_state(message)
        if state is None or self.mode == "presenting":
            return  # while presenting, another's states are stale until they say they present
        if state.seq <= self._newest.get(participant, -1):
            return  # older than one already shown: it came late
        self._newest[participant] = state.seq
        self._follow(participant, message.sender or participant)
        self.viewer.apply_state(state)
        self.applied.emit(state)

    def _follow(self, participant: str, name: str) -> None:
        if self.mode == "presenting":
            self.stop()  # someone else took over the presentation
        if self.mode == "following" and self._following_id == participant and self.followed == name:
            return
        self.mode, self.followed, self._following_id = "following", name, participant
        self.viewer.set_following(name)
        self.following_changed.emit(name)


def attach_to_live_window(viewer, window) -> ViewerSync:
    """Join `viewer` (the case's DicomViewer) to a live window's session (app/ui/live_window.py): the others'
    states and 'presenting' messages reach it, its "Show images" button presents and, pressed again, stops,
    and a participant who starts hearing us is told where we are. What LiveController's `attach_viewer`
    calls, with the case's viewer."""
    details = window.details
    sync = ViewerSync(viewer, window.send_text, getattr(details, "display", ""), getattr(details, "request", ""),
                      parent=window)
    window.bridge.data_received.connect(sync.on_message)
    hearing: set[str] = set()

    def participant_changed(participant) -> None:
        listening = bool(getattr(participant, "listening", False))
        if listening and participant.id not in hearing:
            sync.resend()
        (hearing.add if listening else hearing.discard)(participant.id)

    window.bridge.participant_changed.connect(participant_changed)
    window.bridge.participant_left.connect(hearing.discard)
    window.set_present(lambda: sync.stop() if sync.mode == "presenting" else sync.present())
    window.closed.connect(sync.stop)
    return sync
