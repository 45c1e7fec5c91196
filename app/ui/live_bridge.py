"""The live session's listener as Qt signals.

The session calls its listener from its own thread (app.live is Qt-free); this object turns each call
into a signal queued to the GUI thread. Video frames are not queued: the latest frame of each
participant is kept, and one "a frame is there" signal stands for however many arrived before the
GUI took it (a slow GUI skips frames, it never falls behind).
"""

import threading

from PySide6.QtCore import QObject, Signal


class LiveBridge(QObject):
    state_changed = Signal(str, str)          # connecting | joined | reconnecting | left | failed, message
    participant_changed = Signal(object)      # app.live.session.Participant (joined or changed)
    participant_left = Signal(str)            # participant id
    frame_ready = Signal(str)                 # participant id: take() its latest frame
    data_received = Signal(str, object)       # sender id, app.wire.live.Message
    recording_changed = Signal(object)        # the hub's recording dict {"state", "agreed", "missing"}

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._frames: dict[str, object] = {}
        self._signalled: set[str] = set()
        self.frames_received = 0  # every frame the session handed over, shown or not

    # -- the listener (any thread) ------------------------------------------------------------------

    def on_state(self, state: str, message: str = "") -> None:
        self.state_changed.emit(str(getattr(state, "value", state)), message or "")

    def on_participant(self, participant) -> None:
        self.participant_changed.emit(participant)

    def on_participant_left(self, participant_id) -> None:
        with self._lock:
            self._frames.pop(str(participant_id), None)
            self._signalled.discard(str(participant_id))
        self.participant_left.emit(str(participant_id))

    def on_video_frame(self, participant_id, image) -> None:
        key = str(participant_id)
        with self._lock:
            self._frames[key] = image
            self.frames_received += 1
            if key in self._signalled:
                return  # the GUI has not taken the last one yet: this one replaces it
            self._signalled.add(key)
        self.frame_ready.emit(key)

    def on_data(self, participant_id, message) -> None:
        self.data_received.emit(str(participant_id), message)

    def on_recording(self, recording: dict) -> None:
        self.recording_changed.emit(dict(recording or {}))

    # -- the GUI side ----------------------------------------------------------------------------------

    def take(self, participant_id: str):
        """The latest frame of this participant (BGR numpy array), or None."""
        with self._lock:
            self._signalled.discard(participant_id)
            return self._frames.get(participant_id)
