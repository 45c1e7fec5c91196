"""A microphone stand-in: a tone in 20 ms blocks to its listeners, from a thread of its own, as
app.media.audio.MicrophoneCapture delivers them (for the live tests and bench/live.py, where PulseAudio
would add nothing to what they measure; test_microphone_over_pulseaudio uses the real capture)."""

import threading
import time

import numpy as np

from app.media.audio import tone

BLOCK = 960  # 20 ms at 48 kHz


class BlockFeeder:
    samplerate = 48000
    lost = False  # as MicrophoneCapture.lost: the device stopped delivering

    def __init__(self, frequency: float = 440.0):
        self._tone = tone(frequency, 1.0, amplitude=0.3)
        self._listeners = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def add_listener(self, listener):
        self._listeners.append(listener)

    def remove_listener(self, listener):
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _run(self):
        position, next_at = 0, time.monotonic()
        # a block every 20 ms on a fixed schedule, as a sound card's clock gives them (no drift on a busy machine)
        while not self._stop.wait(max(0.0, next_at + 0.02 - time.monotonic())):
            next_at += 0.02
            if self.lost:
                continue
            samples = np.take(self._tone, range(position, position + BLOCK), mode="wrap").reshape(-1, 1)
            position = (position + BLOCK) % len(self._tone)
            for listener in list(self._listeners):
                listener(samples)

    def stop(self):
        self._stop.set()
        self._thread.join()
