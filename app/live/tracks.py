"""What a station sends: its camera's frames and its microphone's blocks as aiortc tracks.

The capture devices run in threads of their own (app.media); they hand each frame or block to a
listener that stores it. The camera's listener also wakes the video track, which hands the frame to the
encoder at once; a camera faster than the quality's rate is sampled evenly, at that full rate. A paused track (camera off,
camera lost, audio only) sends nothing at all: aiortc's sender simply waits, so no bytes go out.
"""

import asyncio
import contextlib
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
# Frames of the quality's rate a camera's stall can be made up with afterwards. Two: replaying a loaded
# station's camera (26.8 fps, stalls up to 380 ms) at the 15 fps cap gave 14.52 fps with one, 14.82 with
# two, 14.92 with three, each more a burst at the camera's pace after a stall.
CREDIT = 2


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
        self.interval: float | None = None   # the camera's period, smoothed (to drop frames evenly)
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self._lock = threading.Lock()

    def push(self, frame) -> None:
        """From the camera's thread: keep only the latest, and wake the tracks waiting for it."""
        previous = self.latest
        if previous is not None and 0 < frame.captured_at - previous.captured_at < 1.0:
            gap = frame.captured_at - previous.captured_at
            self.interval = gap if self.interval is None else self.interval + (gap - self.interval) / 8
        self.latest = frame
        self.last_frame_at = time.monotonic()
        self.wake()

    def wake(self) -> None:
        """From any thread: the tracks waiting in next_frame() look again."""
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # that track's loop has closed
                loop.call_soon_threadsafe(event.set)

    def set_format(self, box: tuple[int, int], fps: float) -> None:
        self.box, self.fps = box, fps

    async def next_frame(self, seen, timeout: float) -> None:
        """Returns when the camera has a frame other than `seen`, or after `timeout` (to look again at a
        paused or stopped track)."""
        event = asyncio.Event()
        entry = (asyncio.get_running_loop(), event)
        with self._lock:
            self._waiters.append(entry)
        if self.latest is not seen:  # pushed while the track looked at `seen`, before it was listening
            event.set()
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.remove(entry)


class CameraTrack(MediaStreamTrack):
    """Hands the encoder each new camera frame as soon as the camera delivers it: a timer of the track's
    own at the same rate would find, whenever a frame lands just after its tick, nothing new, wait a whole
    period and then skip that frame (about 10 % lost, and up to a period of latency added).

    The quality's rate is a cap on the capture timeline, kept as a token bucket: each frame sent makes the
    next one due a period later on a fixed grid, and the frame taken is the first captured no earlier than
    half a camera period before that (the one nearest the grid's point: a 30 fps camera at 15 fps gives
    every other frame, evenly). A frame captured late does not move the grid, so its lateness is credited
    to the next one: a camera at 29-30 fps, whose stamps wander by a few milliseconds as it decodes, still
    gives the full 15, where counting the next slot from a late frame lost one frame in twenty or thirty.
    The credit is at most CREDIT frames: after a stall (a loaded station's camera thread stops for 100 to
    400 ms now and then) up to that many frames go in a row at the camera's pace, then the grid again; so on
    average the cap is never exceeded, and over any second by CREDIT frames or so at most."""
    kind = "video"

    def __init__(self, source: VideoSource):
        super().__init__()
        self.source = source
        self._sent_at: float | None = None   # capture time of the last frame sent
        self._due = float("-inf")            # the grid: when the next frame is due (capture time)
        self._origin: float | None = None    # capture time of the first frame: pts 0
        self._pts = -1

    def _wanted(self, frame, period: float) -> bool:
        """Whether `frame` is the next to send at the cap of one frame per `period` (on the capture's clock)."""
        if self._sent_at is not None and frame.captured_at <= self._sent_at:
            return False  # seen already
        # half the camera's period as known now (not before its second frame), at most half the cap's
        tolerance = min(period, self.source.interval or period) / 2
        return frame.captured_at >= self._due - tolerance

    def _taken(self, frame, period: float) -> None:
        if self._sent_at is None:
            self._due = frame.captured_at + period
        else:
            # a period along the grid; for a frame CREDIT periods late or more, the grid starts again CREDIT
            # periods behind it (what a longer stall lost beyond that is not made up)
            self._due = max(self._due + period, frame.captured_at - (CREDIT - 1) * period)
        self._sent_at = frame.captured_at

    async def recv(self) -> VideoFrame:
        import cv2

        source = self.source
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            frame, period = source.latest, 1.0 / source.fps
            if not source.paused and frame is not None and self._wanted(frame, period):
                break
            await source.next_frame(frame, 0.5)
        self._taken(frame, period)
        image = frame.image
        size = fitted((image.shape[1], image.shape[0]), source.box)
        if size != (image.shape[1], image.shape[0]):
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        video = VideoFrame.from_ndarray(image, format="bgr24")
        # the capture's clock, so the far end plays frames at the pace the camera took them
        if self._origin is None:
            self._origin = frame.captured_at
        self._pts = max(self._pts + 1, round((frame.captured_at - self._origin) * VIDEO_CLOCK))
        video.pts = self._pts
        video.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        source.sent += 1
        return video

    def stop(self) -> None:
        super().stop()
        self.source.wake()  # a recv() waiting for the camera sees the end at once


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
