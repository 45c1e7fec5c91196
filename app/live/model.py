"""What a live session is made of, for the session and its link to Janus alike: its states, the quality a
station sends and receives at, the participants as the station knows them, and why an attempt ended."""

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

CONNECTING, JOINED, RECONNECTING, LEFT, FAILED = "connecting", "joined", "reconnecting", "left", "failed"


class Quality(Enum):
    """What this station sends and receives.

    LOW also receives the video of only LOW_VIDEO_FEEDS participants (the presenter, then who talks or talked
    last); the others' video streams are paused on our subscription (Janus does not send them) and resumed
    when they speak or the quality goes back to HIGH.

    AUDIO_ONLY sends no video at all (no still either: a VP8 still is a key frame of 20-50 KB every few
    seconds, which a 1 Mbit/s link feels, while the case is on the shared DICOM viewer and the name tile
    says who speaks), and receives no one's video: the station subscribes to audio and data only.
    """
    HIGH = ((1280, 720), 30.0, 0)              # the camera's own size up to 720p; the room's bitrate
    LOW = ((640, 360), 15.0, 300_000)          # capped (Janus REMB, which aiortc's encoder obeys)
    AUDIO_ONLY = ((0, 0), 0.0, 64_000)

    @property
    def box(self) -> tuple[int, int]:
        return self.value[0]

    @property
    def fps(self) -> float:
        return self.value[1]

    @property
    def bitrate(self) -> int:
        return self.value[2]


@dataclass(frozen=True)
class Participant:
    id: str
    display: str
    site: str
    has_video: bool
    has_audio: bool
    talking: bool = False
    hand: bool = False
    muted: bool = False
    listening: bool = False   # our data reaches it now (it said so): the cue to send it what it missed
    video_paused: bool = False  # it sends video but we do not receive it, to save our bandwidth (Quality.LOW)


class LiveListener(Protocol):
    """Called from the session's thread. Optional extra: `on_audio(participant_id, samples)` (float32 mono
    48 kHz, each 20 ms as it is decoded), for a speaker or a level meter."""

    def on_state(self, state: str, message: str) -> None: ...
    def on_participant(self, participant: Participant) -> None: ...
    def on_participant_left(self, participant_id: str) -> None: ...
    def on_video_frame(self, participant_id: str, image) -> None: ...
    def on_data(self, participant_id: str, message) -> None: ...


class _Lost(Exception):
    pass


class _Leaving(Exception):
    pass


class _Refused(Exception):
    """Janus or the hub will not have us: retrying cannot help."""


class _Ended(Exception):
    """The room is gone (the session was ended) or we were removed."""

