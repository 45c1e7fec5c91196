"""Microphone and speaker through PortAudio (sounddevice), without Qt.

The input callback (PortAudio's thread) only measures the block and hands it
on: levels for the meter, a ring of the last seconds, and a queue that a
writer thread streams to disk when recording. Nothing waits on the disk there.
"""

import math
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 48000
BLOCK = 1024  # ~47 callbacks a second at 48 kHz: the meter moves at that rate
SILENCE_DBFS = -120.0
# PortAudio does not promise that streams may be opened and closed from several
# threads at once (the interface and the worker both do): one at a time.
_PORTAUDIO = threading.RLock()
_open_streams = 0  # rescanning closes every stream PortAudio has: only when none is open
STALL_SECONDS = 2.0  # a microphone always delivers blocks (silence too): none for this long means it is gone


class AudioUnavailable(Exception):
    """No audio server, no such device, or the device is busy. `fix` says what to do."""

    def __init__(self, message: str, fix: str, code: str = "audio.error", **params):
        super().__init__(message)
        self.fix = fix
        self.code = code  # with `params`, lets the interface word it in the user's language
        self.params = params


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    inputs: int
    outputs: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False


def _sounddevice():
    try:
        import sounddevice
    except OSError as error:  # libportaudio missing
        raise AudioUnavailable(f"PortAudio is not installed ({error})", "install libportaudio2") from error
    return sounddevice


def list_devices() -> list[AudioDevice]:
    """Every PortAudio device; an empty list when there is no audio system at all."""
    sd = _sounddevice()
    try:
        with _PORTAUDIO:  # a rescan on another thread frees the list being read
            devices = sd.query_devices()
            default_in, default_out = sd.default.device
    except (sd.PortAudioError, ValueError):
        return []
    return [AudioDevice(d["index"], d["name"], d["max_input_channels"], d["max_output_channels"],
                        d["default_samplerate"], d["index"] == default_in, d["index"] == default_out)
            for d in devices]


def rescan() -> bool:
    """PortAudio lists devices once at start: ask again (a headset plugged in, a server started).

    Rescanning restarts PortAudio, which would close every open stream under its
    owner: it is skipped (False) while a microphone or speaker stream is open.
    """
    sd = _sounddevice()
    with _PORTAUDIO:
        if _open_streams:
            return False
        sd._terminate()
        sd._initialize()
    return True


def _opened(count: int) -> None:
    global _open_streams
    with _PORTAUDIO:
        _open_streams += count


def dbfs(value: float) -> float:
    return SILENCE_DBFS if value <= 1e-6 else max(SILENCE_DBFS, 20 * math.log10(value))


def _unavailable(error: Exception, what: str) -> AudioUnavailable:
    text = str(error)
    if "Error querying device -1" in text or "No input device" in text or "No output device" in text \
            or "no default" in text.lower():
        return AudioUnavailable(f"no {what} found",
                                f"plug in a {what}, or check that the sound system (PulseAudio) is running",
                                f"{what}.missing")
    if "busy" in text.lower() or "Device unavailable" in text:
        return AudioUnavailable(f"the {what} is busy", f"close the other program using the {what}", f"{what}.busy")
    return AudioUnavailable(f"the {what} cannot be opened ({text})",
                            f"choose another {what} in the device settings", f"{what}.error", detail=text)


def open_stream(kind: str, what: str, **options):
    """A started PortAudio stream (`kind`: "InputStream" or "OutputStream", `options` sounddevice's), counted
    as open until close_stream(); AudioUnavailable, worded for `what` ("microphone", "speaker"), if it cannot
    be opened. The one way the station opens a stream: under the PortAudio lock, and never during a rescan."""
    sd = _sounddevice()
    stream = None
    try:
        with _PORTAUDIO:
            stream = getattr(sd, kind)(**options)
            _opened(1)
            stream.start()
    except (sd.PortAudioError, ValueError) as error:
        if stream is not None:
            close_stream(stream)
        raise _unavailable(error, what) from error
    return stream


def close_stream(stream) -> None:
    """Stops and closes a stream open_stream() gave; a device or sound system already gone is not an error."""
    sd = _sounddevice()
    with _PORTAUDIO:
        try:
            stream.stop()
            stream.close()
        except sd.PortAudioError:
            pass
        finally:
            _opened(-1)


@dataclass(frozen=True)
class Levels:
    rms_dbfs: float
    peak_dbfs: float
    updated: float  # time.monotonic() of the block measured
    blocks: int     # blocks measured since start: the meter's update count


class Recording:
    """Streams blocks to a FLAC/WAV file from its own thread; what was captured stays playable."""

    def __init__(self, path: Path, samplerate: int, channels: int):
        import soundfile

        self.path = Path(path)
        self.frames = 0
        self._queue: queue.Queue = queue.Queue()
        self._file = soundfile.SoundFile(self.path, "w", samplerate=samplerate, channels=channels,
                                         format="FLAC" if self.path.suffix.lower() == ".flac" else "WAV")
        self._samplerate = samplerate
        self._thread = threading.Thread(target=self._write, name="audio-writer", daemon=True)
        self._thread.start()

    @property
    def duration_s(self) -> float:
        return self.frames / self._samplerate

    def feed(self, block: np.ndarray) -> None:
        self._queue.put(block)

    def _write(self) -> None:
        while (block := self._queue.get()) is not None:
            self._file.write(block)
            self.frames += len(block)
        self._file.close()

    def finish(self) -> Path:
        self._queue.put(None)
        self._thread.join()
        return self.path


def repair_recording(path: Path) -> float:
    """Rewrite a recording the station died in the middle of; returns its duration in seconds.

    A FLAC or WAV writer killed before closing leaves a header with an unknown (or
    zero) length: common readers refuse it or show no duration. Decode every frame
    that can be decoded and write a proper file in its place (same format).
    """
    import av
    import soundfile

    path = Path(path)
    blocks, samplerate = [], None
    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            samplerate = stream.rate
            try:
                for frame in container.decode(stream):
                    samples = frame.to_ndarray()  # planar: channels x samples, or packed: 1 x samples*channels
                    channels = len(frame.layout.channels)
                    if frame.format.is_planar:
                        samples = samples.T
                    else:
                        samples = samples.reshape(-1, channels)
                    blocks.append(samples)
            except (av.error.InvalidDataError, av.error.EOFError):
                pass  # the last frame was cut short by the crash: keep the ones before it
    except (av.error.FFmpegError, IndexError) as error:
        raise ValueError(f"{path.name}: no audio can be read ({error})") from error
    if not blocks or samplerate is None:
        raise ValueError(f"{path.name}: no audio can be read")
    data = np.concatenate(blocks)
    subtype = "PCM_16" if data.dtype == np.int16 else None
    if data.dtype.kind == "i" and data.dtype != np.int16:
        data = data.astype(np.float32) / float(np.iinfo(data.dtype).max)
    temp = path.with_name(path.name + ".repair")
    soundfile.write(temp, data, samplerate, subtype=subtype,
                    format="FLAC" if path.suffix.lower() == ".flac" else "WAV")
    temp.replace(path)
    return len(data) / samplerate


class MicrophoneCapture:
    def __init__(self, device: int | str | None = None, samplerate: int = SAMPLE_RATE, channels: int = 1,
                 ring_seconds: float = 10.0):
        self.device = device
        self.samplerate = samplerate
        self.channels = channels
        self.overflows = 0
        self._levels = Levels(SILENCE_DBFS, SILENCE_DBFS, 0.0, 0)
        self._ring = np.zeros((int(ring_seconds * samplerate), channels), dtype=np.float32)
        self._ring_filled = 0
        self._ring_pos = 0
        self._ring_lock = threading.Lock()
        self._recording: Recording | None = None
        self._listeners: list = []
        self._stream = None
        self.first_block = threading.Event()

    def start(self) -> "MicrophoneCapture":
        self._stream = open_stream("InputStream", "microphone", device=self.device, samplerate=self.samplerate,
                                   channels=self.channels, dtype="float32", blocksize=BLOCK, latency="low",
                                   callback=self._callback)
        return self

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            close_stream(stream)

    def stop(self) -> None:
        self._close_stream()
        self.stop_recording()

    @property
    def lost(self) -> bool:
        """The device stopped delivering: unplugged, or the sound system died or stalled."""
        stream = self._stream
        if stream is None:
            return False
        if not stream.active:
            return True
        return self.first_block.is_set() and time.monotonic() - self._levels.updated > STALL_SECONDS

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()

    @property
    def levels(self) -> Levels:
        return self._levels

    def _callback(self, indata: np.ndarray, frames: int, _time, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        peak = float(np.max(np.abs(indata))) if frames else 0.0
        rms = float(np.sqrt(np.mean(np.square(indata)))) if frames else 0.0
        self._levels = Levels(dbfs(rms), dbfs(peak), time.monotonic(), self._levels.blocks + 1)
        with self._ring_lock:
            n = len(self._ring)
            end = self._ring_pos + frames
            if end <= n:
                self._ring[self._ring_pos:end] = indata
            else:
                first = n - self._ring_pos
                self._ring[self._ring_pos:] = indata[:first]
                self._ring[:frames - first] = indata[first:]
            self._ring_pos = end % n
            self._ring_filled = min(n, self._ring_filled + frames)
        recording = self._recording
        if recording is not None or self._listeners:
            block = indata.copy()
            if recording is not None:
                recording.feed(block)
            for listener in list(self._listeners):
                listener(block)
        self.first_block.set()

    def add_listener(self, listener) -> None:
        """Called from the audio callback with each block (a copy): must not block."""
        self._listeners.append(listener)

    def remove_listener(self, listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def last(self, seconds: float) -> np.ndarray:
        """The most recent audio, oldest first (for the check and 'record and play back')."""
        with self._ring_lock:
            count = min(self._ring_filled, int(seconds * self.samplerate))
            start = (self._ring_pos - count) % len(self._ring)
            if start + count <= len(self._ring):
                return self._ring[start:start + count].copy()
            return np.concatenate((self._ring[start:], self._ring[:count - (len(self._ring) - start)]))

    def start_recording(self, path: Path) -> Recording:
        self.stop_recording()
        self._recording = Recording(path, self.samplerate, self.channels)
        return self._recording

    def stop_recording(self) -> Recording | None:
        recording, self._recording = self._recording, None
        if recording is not None:
            recording.finish()
        return recording


def tone(frequency: float = 440.0, seconds: float = 1.0, samplerate: int = SAMPLE_RATE,
         amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * samplerate)) / samplerate
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.02)  # no clicks
    return (amplitude * fade * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def play(samples: np.ndarray, device: int | str | None = None, samplerate: int = SAMPLE_RATE) -> None:
    """Play to the speaker and wait until done."""
    sd = _sounddevice()
    samples = np.ascontiguousarray(samples, dtype=np.float32).reshape(len(samples), -1)
    stream = open_stream("OutputStream", "speaker", samplerate=samplerate, channels=samples.shape[1], device=device,
                         dtype="float32")
    try:
        stream.write(samples)
        stream.write(np.zeros((samplerate // 10, samples.shape[1]), np.float32))  # let the end play out
    except (sd.PortAudioError, ValueError) as error:
        raise _unavailable(error, "speaker") from error
    finally:
        close_stream(stream)


def dominant_frequency(samples: np.ndarray, samplerate: int = SAMPLE_RATE) -> float:
    mono = samples.reshape(len(samples), -1).mean(axis=1)
    if len(mono) == 0:
        return 0.0
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    spectrum[0] = 0
    return float(np.argmax(spectrum) * samplerate / len(mono))
