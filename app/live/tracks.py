"""What a station sends: its camera's frames and its microphone's blocks as aiortc tracks.

The capture devices run in threads of their own (app.media); they hand each frame or block to a
listener that only stores it, and the track takes the latest when the encoder asks. A camera slower
than the quality's rate sends each frame once; a faster one is sampled. A paused track (camera off,
camera lost, audio only) sends nothing at all: aiortc's sender simply waits, so no bytes go out.
"""

import asyncio
import fractions
import threading
import time
from collections import deque

import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

VIDEO_CLOCK = 90000
AUDIO_RATE = 48000
AUDIO_FRAME = 960                # 20 ms, what Opus packs
MAX_AUDIO_BACKLOG = AUDIO_RATE // 5  # more than 200 ms queued: drop the oldest (latency beats completeness)


def fitted(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """`size` (w, h) scaled down (never up) to fit `box`, even dimensions as the encoders want."""
    width, height = size
    scale = min(1.0, box[0] / width, box[1] / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


class VideoSource:
    """The camera's latest frame and what the session wants of it; outlives the tracks (aiortc stops a
    track with its peer connection, and a reconnection makes a new one)."""

    def __init__(self, box: tuple[int, int], fps: float):
        self.box, self.fps = box, fps
        self.paused = False
        self.sent = 0
        self.last_frame_at = 0.0         # time.monotonic() of the camera's latest frame
        self.latest = None               # app.media.camera.Frame, set from the camera's thread

    def push(self, frame) -> None:
        """From the camera's thread: keep only the latest."""
        self.latest = frame
        self.last_frame_at = time.monotonic()

    def set_format(self, box: tuple[int, int], fps: float) -> None:
        self.box, self.fps = box, fps


class CameraTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, source: VideoSource):
        super().__init__()
        self.source = source
        self._sent_number = -1
        self._start = time.monotonic()
        self._next = self._start

    async def recv(self) -> VideoFrame:
        import cv2

        source = self.source
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            self._next += 1.0 / source.fps
            delay = self._next - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                self._next = time.monotonic()
            frame = source.latest
            if not source.paused and frame is not None and frame.number != self._sent_number:
                break
        self._sent_number = frame.number
        image = frame.image
        size = fitted((image.shape[1], image.shape[0]), source.box)
        if size != (image.shape[1], image.shape[0]):
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        video = VideoFrame.from_ndarray(image, format="bgr24")
        video.pts = int((time.monotonic() - self._start) * VIDEO_CLOCK)
        video.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        source.sent += 1
        return video


class AudioSource:
    """The microphone's recent blocks, shared by the tracks of successive connections."""

    def __init__(self):
        self.muted = False
        self._blocks: deque[np.ndarray] = deque()
        self._queued = 0
        self._lock = threading.Lock()

    def push(self, block: np.ndarray, samplerate: int = AUDIO_RATE) -> None:
        """From the audio thread: a block of float32 samples (frames x channels)."""
        mono = block[:, 0] if block.ndim == 2 else block
        if samplerate != AUDIO_RATE:  # rare (a device that refuses 48 kHz): linear resampling is enough for speech
            count = int(len(mono) * AUDIO_RATE / samplerate)
            mono = np.interp(np.linspace(0, len(mono) - 1, count), np.arange(len(mono)), mono)
        mono = np.asarray(mono, dtype=np.float32)
        with self._lock:
            self._blocks.append(mono)
            self._queued += len(mono)
            while self._queued - len(self._blocks[0]) >= MAX_AUDIO_BACKLOG:
                self._queued -= len(self._blocks.popleft())

    def _take(self, count: int) -> np.ndarray:
        out = np.zeros(count, dtype=np.float32)
        filled = 0
        with self._lock:
            while filled < count and self._blocks:
                block = self._blocks[0]
                used = min(len(block), count - filled)
                out[filled:filled + used] = block[:used]
                filled += used
                if used == len(block):
                    self._blocks.popleft()
                else:
                    self._blocks[0] = block[used:]
                self._queued -= used
        return out



class MicrophoneTrack(MediaStreamTrack):
    """Opus wants 20 ms frames at a steady pace: the track keeps the pace itself and sends silence when the
    microphone has nothing (muted, no microphone, a block late), so the far end hears a gap, not a stall."""
    kind = "audio"

    def __init__(self, source: AudioSource):
        super().__init__()
        self.source = source
        self._timestamp = 0
        self._start: float | None = None

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._timestamp += AUDIO_FRAME
            delay = self._start + self._timestamp / AUDIO_RATE - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        samples = self.source._take(AUDIO_FRAME)
        if self.source.muted:
            samples[:] = 0
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._timestamp
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        return frame
