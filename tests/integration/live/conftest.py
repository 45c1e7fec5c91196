"""Live sessions against a real Janus: rooms made as the hub makes them (server/live/janus_admin.py), join
details as the hub hands them out, a camera over a video file whose frames carry their number."""

import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.live.details import JoinDetails
from server.live.janus_admin import JanusAdmin, JanusAdminError
from server.live.tokens import signed_token
from tests.support.janus import start_janus

BITS = 12
CELL = 32


def numbered_image(number: int, width: int = 640, height: int = 480) -> np.ndarray:
    """A frame whose number is written as black and white squares along the top: survives VP8 and scaling."""
    image = np.full((height, width, 3), 90, np.uint8)
    for bit in range(BITS):
        on = (number >> bit) & 1
        image[0:CELL, bit * CELL:(bit + 1) * CELL] = 255 if on else 0
    cv2.putText(image, f"{number:05d}", (20, height // 2), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
    return image


def read_number(image: np.ndarray, width: int = 640) -> int:
    scale = image.shape[1] / width
    cell = CELL * scale
    number = 0
    for bit in range(BITS):
        y, x = int(cell / 2), int(bit * cell + cell / 2)
        if image[y, x].mean() > 128:
            number |= 1 << bit
    return number


@pytest.fixture(scope="session")
def numbered_video(tmp_path_factory) -> Path:
    """Four seconds of 640x480 at 30 fps, frame i showing i."""
    path = tmp_path_factory.mktemp("live-video") / "numbered.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (640, 480))
    for number in range(120):
        writer.write(numbered_image(number))
    writer.release()
    return path


class Rooms:
    """The hub's side, reduced to what a test needs: make a room, hand out tickets, remake it after a restart."""

    def __init__(self, janus, url: str | None = None):
        self.janus = janus
        self.admin = JanusAdmin(janus.settings)
        self.url = url or janus.url
        self.secret = secrets.token_hex(8)
        self.room = "live-" + secrets.token_hex(4)
        self.tickets: list[str] = []
        self._lock = threading.Lock()
        self.create()

    def create(self) -> None:
        self.admin = JanusAdmin(self.janus.settings)
        self.admin.create_room(self.room, self.secret, list(self.tickets), description="test")

    def details(self, display: str = "BS Lan — TTYT huyện Mèo Vạc", site: str = "TTYT huyện Mèo Vạc",
                ticket: str | None = None) -> JoinDetails:
        if ticket is None:
            ticket = secrets.token_hex(8)
            self.tickets.append(ticket)
            self.admin.allow(self.room, self.secret, [ticket])
        return JoinDetails.parse({
            "id": "L1", "display": display, "site": site, "case": {"code": "HC-0001"}, "request": "R1",
            "janus": {"url": self.url, "token": signed_token(self.janus.settings.token_secret, 3600),
                      "room": self.room, "room_token": ticket, "opaque_id": "live-L1-" + secrets.token_hex(4),
                      "ice_servers": []}})

    def rejoin_for(self, display: str):
        """A rejoin callable as a station's services give one: a fresh ticket, the room remade if Janus lost it."""
        def rejoin() -> JoinDetails:
            with self._lock:  # two stations coming back at once remake the room once
                try:
                    self.admin.participants(self.room)
                except JanusAdminError as error:
                    if error.unreachable:
                        raise
                    self.create()
                return self.details(display)
        return rejoin


@dataclass
class Recorder:
    """A LiveListener that keeps what it is told, with a condition to wait on."""
    states: list = field(default_factory=list)
    participants: dict = field(default_factory=dict)
    left: list = field(default_factory=list)
    frames: dict = field(default_factory=dict)         # participant -> count
    numbers: dict = field(default_factory=dict)        # participant -> decoded frame numbers
    sizes: dict = field(default_factory=dict)
    data: list = field(default_factory=list)
    audio: dict = field(default_factory=dict)          # participant -> its last sample blocks
    audio_blocks: dict = field(default_factory=dict)   # participant -> blocks received
    changed: threading.Condition = field(default_factory=threading.Condition)

    def _note(self, update) -> None:
        with self.changed:
            update()
            self.changed.notify_all()

    def on_state(self, state, message):
        self._note(lambda: self.states.append((state, message)))

    def on_participant(self, participant):
        self._note(lambda: self.participants.__setitem__(participant.id, participant))

    def on_participant_left(self, participant_id):
        def update():
            self.participants.pop(participant_id, None)
            self.left.append(participant_id)
        self._note(update)

    def on_video_frame(self, participant_id, image):
        number = read_number(image)

        def update():
            self.frames[participant_id] = self.frames.get(participant_id, 0) + 1
            self.numbers.setdefault(participant_id, []).append(number)
            self.sizes[participant_id] = (image.shape[1], image.shape[0])
        self._note(update)

    def on_data(self, participant_id, message):
        self._note(lambda: self.data.append((participant_id, message)))

    def on_audio(self, participant_id, samples):
        def update():
            blocks = self.audio.setdefault(participant_id, [])
            blocks.append(samples)
            del blocks[:-250]  # the last five seconds
            self.audio_blocks[participant_id] = self.audio_blocks.get(participant_id, 0) + 1
        self._note(update)

    def heard(self, participant_id) -> int:
        """How many 20 ms blocks of this participant's audio arrived so far."""
        return self.audio_blocks.get(participant_id, 0)

    def wait(self, predicate, timeout: float = 10.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                assert left > 0, f"timed out waiting for {what or predicate}; states {self.states[-5:]}"
                self.changed.wait(min(left, 0.2))

    @property
    def state(self) -> str:
        return self.states[-1][0] if self.states else ""

    def by_display(self, display: str):
        return next((p for p in self.participants.values() if p.display == display), None)


@pytest.fixture
def janus(tmp_path):
    running = start_janus(tmp_path / "janus")
    yield running
    running.stop()


@pytest.fixture
def rooms(janus):
    return Rooms(janus)


@pytest.fixture
def sessions():
    """Every LiveSession a test starts is left at its end, whatever happened."""
    started = []
    yield started
    for session in started:
        session.leave()
    for session in started:
        assert session._thread is None or not session._thread.is_alive(), "a live session's thread outlived it"
