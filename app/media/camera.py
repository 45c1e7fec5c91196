"""The station camera: a USB device, a video file, or an IP camera (RTSP, HTTP MJPEG).

`CameraCapture` opens its source inside its own thread, keeps only the latest
frame (a slow viewer skips frames, it never queues them), measures the real
frame rate, reconnects after a drop, and stops when asked. No Qt here: the
interface wraps it (app/ui/camera_feed.py) and the pre-session check uses it bare.
"""

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

# OpenCV and its FFmpeg print every failed connection attempt; the station reports them itself.
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")



def _cv2():
    """OpenCV, quiet even if someone imported it before the variables above were set."""
    import cv2

    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)  # the station reports trouble itself
    return cv2


OPEN_TIMEOUT_MS = 5000
READ_TIMEOUT_MS = 5000

# A camera is one owner's at a time (a USB camera refuses a second one; so may an IP camera): the capture
# whose thread has a source open is kept here until its thread has released it, and another capture of the
# same source waits for that inside its own thread. A stop whose wait ran out (a read blocked under load)
# leaves the old thread to finish its read and let go; the next owner never opens the device beside it.
_holders: dict[str, "CameraCapture"] = {}
_holders_changed = threading.Condition()


class CameraUnavailable(Exception):
    """`code` and `params` let the interface word it in the user's language."""

    def __init__(self, message: str, fix: str, code: str = "camera.error", **params):
        super().__init__(message)
        self.fix = fix
        self.code = code
        self.params = params


class CameraState(str, Enum):
    OPENING = "opening"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class CameraSource:
    """What the IT technician typed: '0' (USB), a file path, or rtsp://…, http://…"""

    text: str

    @property
    def is_device(self) -> bool:
        return self.text.strip().isdigit()

    @property
    def is_url(self) -> bool:
        return "://" in self.text

    @property
    def is_file(self) -> bool:
        return not self.is_device and not self.is_url

    def label(self) -> str:
        if self.is_device:
            return f"USB camera {self.text.strip()}"
        if self.is_url:
            return self.text.split("@")[-1]  # never show a password from rtsp://user:pass@host
        return Path(self.text).name


@dataclass(frozen=True)
class Frame:
    image: np.ndarray   # BGR, height x width x 3
    captured_at: float  # time.monotonic()
    number: int


def _open(source: CameraSource, width: int | None, height: int | None, fps: float | None,
          open_timeout_ms: int, read_timeout_ms: int):
    cv2 = _cv2()

    if source.is_device:
        capture = cv2.VideoCapture(int(source.text), cv2.CAP_V4L2)
    else:
        if source.is_file and not Path(source.text).exists():
            raise CameraUnavailable(f"video file {source.text} not found", "check the path in the device settings",
                                    "camera.file_missing", path=source.text)
        capture = cv2.VideoCapture(source.text, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, open_timeout_ms,
                                                                 cv2.CAP_PROP_READ_TIMEOUT_MSEC, read_timeout_ms])
    if not capture.isOpened():
        capture.release()
        if source.is_device:
            raise CameraUnavailable(f"no camera at USB index {source.text}",
                                    "plug the camera in, or choose another camera in the device settings",
                                    "camera.no_device", index=source.text.strip())
        raise CameraUnavailable(f"the camera {source.label()} does not answer",
                                "check the address, the network cable and that the camera is switched on",
                                "camera.no_answer", camera=source.label())
    if width and height:
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    if fps:
        capture.set(cv2.CAP_PROP_FPS, fps)
    return capture


class CameraCapture:
    def __init__(self, source: CameraSource, width: int | None = None, height: int | None = None,
                 fps: float | None = None, reconnect: bool = True, open_timeout_ms: int = OPEN_TIMEOUT_MS,
                 read_timeout_ms: int = READ_TIMEOUT_MS,
                 on_frame: Callable[[Frame], None] | None = None,
                 on_state: Callable[[CameraState, str], None] | None = None):
        self.source = source
        self._wanted = (width, height, fps)
        self._reconnect = reconnect
        self._timeouts = (open_timeout_ms, read_timeout_ms)
        self._listeners: list[Callable[[Frame], None]] = [on_frame] if on_frame else []
        self._on_state = on_state
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._times: deque[float] = deque(maxlen=61)
        self.frames_delivered = 0
        self.state = CameraState.STOPPED
        self.error: CameraUnavailable | None = None
        self.size: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None
        # Held while the thread calls its owner back; `stop` takes it to detach the callbacks.
        self._calling = threading.RLock()

    def start(self) -> "CameraCapture":
        if self.running:
            # Still running, or a stop that timed out: a second thread would share the stop flag and never end.
            raise RuntimeError("this camera capture is still running; stop it and make a new one")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """The thread is alive (it may still hold the device after a stop that timed out)."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the thread to finish and wait: it releases the device itself. True once it has ended.

        If it has not ended within `timeout` (a read or an open blocked), the handle is kept (`running`
        stays true) and the callbacks are detached: from the moment this returns, the thread never calls
        its owner again, even if the owner is gone. It still lets go of the device when its read returns,
        and no other capture opens that device before then.
        """
        self._stop.set()
        thread = self._thread
        if thread is None:
            return True
        if thread is not threading.current_thread():
            thread.join(timeout)
        if thread.is_alive():
            with self._calling:
                self._listeners = []
                self._on_state = None
            return False
        self._thread = None
        return True

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()

    def add_listener(self, listener: Callable[[Frame], None]) -> None:
        """Called from the camera thread with every frame: must not block."""
        with self._calling:
            self._listeners = [*self._listeners, listener]

    def remove_listener(self, listener: Callable[[Frame], None]) -> None:
        """Once this returns, `listener` is not being called and will not be called again."""
        with self._calling:
            self._listeners = [one for one in self._listeners if one != listener]

    def latest(self) -> Frame | None:
        with self._lock:
            return self._latest

    @property
    def measured_fps(self) -> float:
        times = list(self._times)
        if len(times) < 2 or times[-1] == times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def snapshot_jpeg(self, quality: int = 92) -> bytes:
        cv2 = _cv2()

        frame = self.latest()
        if frame is None:
            raise CameraUnavailable("no picture from the camera yet", "wait for the picture, or check the camera")
        ok, encoded = cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise CameraUnavailable("the picture could not be encoded", "try again")
        return encoded.tobytes()

    def _set_state(self, state: CameraState, message: str = "") -> None:
        self.state = state
        with self._calling:
            if self._on_state is not None:
                self._on_state(state, message)

    def _claim(self) -> bool:
        """Wait (until stopped) for another capture of this source to release it; then it is this one's."""
        key = None if self.source.is_file else self.source.text.strip()  # a file opens as often as asked
        if key is None:
            return True
        with _holders_changed:
            while _holders.get(key, self) is not self:
                if self._stop.is_set():
                    return False
                _holders_changed.wait(0.05)
            _holders[key] = self
        return True

    def _unclaim(self) -> None:
        with _holders_changed:
            for key in [k for k, holder in _holders.items() if holder is self]:
                del _holders[key]
            _holders_changed.notify_all()

    def _run(self) -> None:
        try:
            self._capture_until_stopped()
        finally:
            self._unclaim()

    def _capture_until_stopped(self) -> None:
        cv2 = _cv2()

        backoff = 0.5
        self._set_state(CameraState.OPENING)
        while not self._stop.is_set():
            if not self._claim():
                break
            try:
                capture = _open(self.source, *self._wanted, *self._timeouts)
            except CameraUnavailable as error:
                self._unclaim()
                self.error = error
                if not self._reconnect or self.source.is_file:
                    self._set_state(CameraState.FAILED, str(error))
                    return
                self._set_state(CameraState.RECONNECTING, str(error))
                self._stop.wait(backoff)
                backoff = min(5.0, backoff * 2)
                continue
            self.error = None
            backoff = 0.5
            try:
                self._read_loop(capture, cv2)
            finally:
                capture.release()
                self._unclaim()
            if not self._stop.is_set():
                if not self._reconnect:
                    self._set_state(CameraState.FAILED, "the camera stopped sending pictures")
                    return
                self._set_state(CameraState.RECONNECTING, "the camera stopped sending pictures")
        self._set_state(CameraState.STOPPED)

    def _read_loop(self, capture, cv2) -> None:
        # A video file stands in for a camera: play it at its own pace, in a loop.
        pace = 1.0 / (capture.get(cv2.CAP_PROP_FPS) or 30.0) if self.source.is_file else 0.0
        next_due = time.monotonic()
        live = False
        while not self._stop.is_set():
            ok, image = capture.read()
            if not ok:
                if self.source.is_file and live:
                    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    ok, image = capture.read()
                if not ok:
                    return
            now = time.monotonic()
            if not live:
                live = True
                self.size = (image.shape[1], image.shape[0])
                self._set_state(CameraState.LIVE)
            self.frames_delivered += 1
            frame = Frame(image, now, self.frames_delivered)
            with self._lock:
                self._latest = frame
            self._times.append(now)
            with self._calling:
                for listener in self._listeners:
                    listener(frame)
            if pace:
                next_due += pace
                delay = next_due - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
                else:
                    next_due = time.monotonic()


def probe_devices(max_index: int = 10) -> list[int]:
    """USB camera indices that open (each failed probe costs a few milliseconds)."""
    cv2 = _cv2()

    found = []
    for index in range(max_index):
        capture = cv2.VideoCapture(index, cv2.CAP_V4L2)
        if capture.isOpened():
            found.append(index)
        capture.release()
    return found
