"""The others' voices to this station's speaker: each participant's decoded audio in a short buffer of its
own, mixed in PortAudio's output callback.

A buffer per participant, not one shared queue: two sites speaking at once are summed, not played one
after the other. Each buffer starts playing once it holds a little (jitter from the network), and keeps at
most a fraction of a second: a late burst is dropped rather than heard late forever after.
"""

import threading
from collections import deque

import numpy as np

from app.media.audio import SAMPLE_RATE, close_stream, open_stream

PREBUFFER_S = 0.06   # held before a participant's voice starts (and after each underrun)
MAX_BUFFER_S = 0.3   # more than this queued: the oldest goes


class _Voice:
    def __init__(self):
        self.blocks: deque[np.ndarray] = deque()
        self.queued = 0
        self.playing = False


class Speaker:
    def __init__(self, device: int | str | None = None, samplerate: int = SAMPLE_RATE):
        self.device, self.samplerate = device, samplerate
        self.volume = 1.0
        self.muted = False
        self.underruns = 0
        self.played_blocks = 0
        self._voices: dict[str, _Voice] = {}
        self._lock = threading.Lock()
        self._stream = None

    def start(self) -> "Speaker":
        """Opens the output; app.media.audio.AudioUnavailable when there is no speaker (say so, go on)."""
        self._stream = open_stream("OutputStream", "speaker", device=self.device, samplerate=self.samplerate,
                                   channels=1, dtype="float32", latency="low", callback=self._callback)
        return self

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            close_stream(stream)

    def feed(self, participant_id: str, samples: np.ndarray) -> None:
        """Float32 mono at the speaker's rate (the session's decoded 20 ms frames), from any thread."""
        with self._lock:
            voice = self._voices.setdefault(participant_id, _Voice())
            voice.blocks.append(samples)
            voice.queued += len(samples)
            limit = int(MAX_BUFFER_S * self.samplerate)
            while voice.queued - len(voice.blocks[0]) >= limit:
                voice.queued -= len(voice.blocks.popleft())

    def forget(self, participant_id: str) -> None:
        with self._lock:
            self._voices.pop(participant_id, None)

    def _callback(self, outdata: np.ndarray, frames: int, _time, _status) -> None:
        mix = np.zeros(frames, dtype=np.float32)
        start = int(PREBUFFER_S * self.samplerate)
        with self._lock:
            for voice in self._voices.values():
                if not voice.playing:
                    if voice.queued < start:
                        continue
                    voice.playing = True
                filled = 0
                while filled < frames and voice.blocks:
                    block = voice.blocks[0]
                    used = min(len(block), frames - filled)
                    mix[filled:filled + used] += block[:used]
                    filled += used
                    if used == len(block):
                        voice.blocks.popleft()
                    else:
                        voice.blocks[0] = block[used:]
                    voice.queued -= used
                if filled < frames:
                    voice.playing = False  # ran dry: wait for a little again rather than stutter
                    self.underruns += 1
        if self.muted:
            mix[:] = 0
        outdata[:, 0] = np.clip(mix * self.volume, -1.0, 1.0)
        self.played_blocks += 1
