"""A microphone level meter: RMS bar with the peak as a tick, in dBFS."""

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

FLOOR_DBFS = -60.0


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rms_dbfs = FLOOR_DBFS
        self.peak_dbfs = FLOOR_DBFS
        self.setMinimumSize(160, 14)

    def set_levels(self, rms_dbfs: float, peak_dbfs: float) -> None:
        self.rms_dbfs, self.peak_dbfs = rms_dbfs, peak_dbfs
        self.setToolTip(f"RMS {rms_dbfs:.0f} dBFS, peak {peak_dbfs:.0f} dBFS")
        self.update()

    @staticmethod
    def _fraction(value: float) -> float:
        return min(1.0, max(0.0, (value - FLOOR_DBFS) / -FLOOR_DBFS))

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.fillRect(rect, QColor("#263238"))
        level = self._fraction(self.rms_dbfs)
        colour = "#43a047" if self.peak_dbfs < -6 else "#fdd835" if self.peak_dbfs < -1 else "#e53935"
        painter.fillRect(QRectF(rect.left(), rect.top(), rect.width() * level, rect.height()), QColor(colour))
        x = rect.left() + rect.width() * self._fraction(self.peak_dbfs)
        painter.setPen(QColor("white"))
        painter.drawLine(int(x), int(rect.top()), int(x), int(rect.bottom()))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.end()
