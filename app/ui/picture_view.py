"""The picture of an attachment beside the list: a photo whole, a document page readable."""

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QWidget


class PictureView(QWidget):
    """Paints one picture, or a message.

    A picture (photo, frame, image) is shown whole, scaled down to fit with its proportions kept, never
    cropped. A page (`page=True`) fills the width, to be read, and scrolls when taller than the space.
    The picture is best made at `wanted_pixels()` (the space × the device pixel ratio; a page's height
    is free), so that it is shown pixel for pixel; `asked` records what was asked for, and `grown` says
    when the space has grown well past the picture held.
    """

    grown = Signal()  # the space grew well past the picture made for it

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._image: QImage | None = None
        self.page = False
        self.message = ""
        self.asked: tuple[int, int] | None = None  # the pixels the picture held was made for
        self.scroll = QScrollBar(Qt.Orientation.Vertical, self)
        self.scroll.hide()
        self.scroll.valueChanged.connect(self.update)
        self.setMinimumSize(120, 90)
        # Its wishes never grow the window: it takes the room the layout gives.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def sizeHint(self) -> QSize:
        return QSize(240, 180)

    def image(self) -> QImage | None:
        return self._image

    def set_page(self, page: bool) -> None:
        """What comes next is a page to read (fills the width) rather than a picture to see whole."""
        self.page = page
        self._layout_scroll()

    def _room(self) -> tuple[int, int]:
        width = self.width() - (self.scroll.sizeHint().width() if self.page else 0)
        return max(1, width), max(1, self.height())

    def wanted_pixels(self) -> tuple[int, int]:
        ratio = self.devicePixelRatioF()
        width, height = self._room()
        return max(1, round(width * ratio)), (1 << 20) if self.page else max(1, round(height * ratio))

    def set_image(self, image: QImage) -> None:
        image.setDevicePixelRatio(self.devicePixelRatioF())
        first = self._image is None
        self._image, self.message = image, ""
        if first:
            self.scroll.setValue(0)
        self._layout_scroll()
        self.update()

    def set_message(self, text: str) -> None:
        self._image, self.message = None, text
        self._layout_scroll()
        self.update()

    def clear(self) -> None:
        self.set_message("")

    def _natural(self) -> tuple[float, float]:
        ratio = self._image.devicePixelRatio()
        return self._image.width() / ratio, self._image.height() / ratio

    def picture_rect(self) -> QRectF:
        """Where the picture is painted (a page may run past the bottom, scrolled), no larger than its pixels."""
        if self._image is None or self._image.isNull():
            return QRectF()
        width, height = self._natural()
        room_width, room_height = self._room()
        scale = min(room_width / width, 1.0) if self.page else min(room_width / width, room_height / height, 1.0)
        width, height = width * scale, height * scale
        top = -self.scroll.value() if self.page else (room_height - height) / 2
        return QRectF((room_width - width) / 2, top, width, height)

    def _layout_scroll(self) -> None:
        bar = self.scroll.sizeHint().width()
        self.scroll.setGeometry(self.width() - bar, 0, bar, self.height())
        overflow = 0
        if self.page and self._image is not None:
            width, height = self._natural()
            overflow = max(0, round(height * min(self._room()[0] / width, 1.0)) - self.height())
        self.scroll.setRange(0, overflow)
        self.scroll.setPageStep(self.height())
        self.scroll.setSingleStep(max(1, self.height() // 10))
        self.scroll.setVisible(overflow > 0)

    def wheelEvent(self, event) -> None:
        if self.scroll.isVisible():
            self.scroll.setValue(self.scroll.value() - event.angleDelta().y() // 2)
            event.accept()
        else:
            super().wheelEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._layout_scroll()
        image, asked = self._image, self.asked
        if image is None or asked is None:
            return
        wanted = self.wanted_pixels()
        if self.page:
            grew = wanted[0] > image.width() * 1.1
        else:
            made_to_fit = image.width() >= asked[0] - 2 or image.height() >= asked[1] - 2  # not a small photo
            grew = made_to_fit and min(wanted[0] / image.width(), wanted[1] / image.height()) > 1.1
        if grew:
            self.grown.emit()  # a sharper picture is worth making

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.picture_rect(), self._image)
        elif self.message:
            painter.setPen(self.palette().windowText().color())
            painter.drawText(self.rect().adjusted(6, 6, -6, -6),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        painter.end()
