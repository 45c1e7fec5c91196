"""The camera on screen: a Qt face on CameraCapture, and the preview that paints it."""

import time

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

from app.media.camera import CameraCapture, CameraSource, CameraState, Frame


class CameraFeed(QObject):
    """Tells the GUI thread a new frame is there, at most once until it is taken.

    The camera thread never waits for the GUI: if the preview is slow, the frames
    in between are simply not shown (never queued).
    """

    frame_ready = Signal()
    state_changed = Signal(str, str)  # CameraState value, message
    _state_reported = Signal(object, str, str)  # from the camera thread: (the capture, state, message)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.capture: CameraCapture | None = None
        self._signalled = False
        self._state_reported.connect(self._on_state_reported)  # queued: runs on the GUI thread

    def start(self, source: CameraSource, width: int | None = None, height: int | None = None,
              fps: float | None = None, **options) -> None:
        self.stop()
        made: list[CameraCapture] = []  # the capture itself, named in its own reports (its thread starts after)
        made.append(CameraCapture(source, width, height, fps, on_frame=self._on_frame,
                                  on_state=lambda state, message: self._state_reported.emit(made[0], state.value,
                                                                                            message),
                                  **options))
        self.capture = made[0].start()

    def _on_state_reported(self, capture, state: str, message: str) -> None:
        """A state still queued from a camera stopped (or replaced) since is not this feed's any more."""
        if capture is self.capture:
            self.state_changed.emit(state, message)

    def stop(self, timeout: float = 10.0) -> None:
        """The camera thread has ended, or (a read blocked past `timeout`) will never call this feed again
        and lets go of the device when its read returns; the next capture of that device waits for it."""
        if self.capture is not None:
            self.capture.stop(timeout)
            self.capture = None

    @property
    def live(self) -> bool:
        return self.capture is not None and self.capture.state is CameraState.LIVE

    def _on_frame(self, _frame: Frame) -> None:  # camera thread
        if not self._signalled:
            self._signalled = True
            self.frame_ready.emit()

    def take(self) -> Frame | None:
        self._signalled = False
        return self.capture.latest() if self.capture is not None else None


class CameraPreview(QWidget):
    """Paints the latest frame, scaled to fit with its proportions kept."""

    frame_painted = Signal(float)  # seconds from capture to paint

    def __init__(self, feed: CameraFeed, parent: QWidget | None = None):
        super().__init__(parent)
        self._feed = feed
        self._frame: Frame | None = None
        self._image: QImage | None = None
        self.frames_shown = 0  # distinct frames painted
        self._painted_number = -1
        self.message = ""
        self.setMinimumSize(320, 180)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        feed.frame_ready.connect(self.on_frame_ready)

    def on_frame_ready(self) -> None:
        frame = self._feed.take()
        if frame is None:
            return
        height, width, _ = frame.image.shape
        # Wraps the camera's BGR buffer as it is: no colour conversion, no copy.
        self._frame = frame
        self._image = QImage(frame.image.data, width, height, frame.image.strides[0], QImage.Format.Format_BGR888)
        self.update()

    def show_message(self, text: str) -> None:
        self.message = text
        self.update()

    def clear(self) -> None:
        self._frame = self._image = None
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self._image is not None:
            scale = min(self.width() / self._image.width(), self.height() / self._image.height())
            w, h = self._image.width() * scale, self._image.height() * scale
            painter.drawImage(QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h), self._image)
            if self._frame.number != self._painted_number:
                self._painted_number = self._frame.number
                self.frames_shown += 1
                self.frame_painted.emit(time.monotonic() - self._frame.captured_at)
        if self.message:
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(self.rect().adjusted(12, 12, -12, -12),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        painter.end()
