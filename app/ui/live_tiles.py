"""The participants of a live consultation on screen: one tile each, in a grid that fits the window.

A tile shows the participant's video, or their initials when they send none (no camera, camera off,
audio-only), with their name and site below; a green frame while they talk, a hand while raised,
a crossed microphone while muted.
"""

import math
import re

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

TALKING = QColor("#43a047")
HAND = QColor("#fdd835")
MUTED = QColor("#e53935")
BACKGROUND = QColor("#1e272c")
SEPARATOR = " — "


TITLES = {"bs", "ts", "ths", "pgs", "gs", "đd", "ktv", "bsckii", "bscki", "dr", "prof"}
# What every site's name has (the kind of facility, the administrative level): no letters from them, so
# "TTYT huyện Mèo Vạc" is MV, "Bệnh viện Đa khoa Trung ương Cần Thơ" CT, not TV and BT.
SITE_PHRASES = (("bệnh", "viện"), ("trung", "tâm", "y", "tế"), ("trạm", "y", "tế"), ("phòng", "khám"),
                ("đa", "khoa"), ("trung", "ương"), ("thành", "phố"), ("thị", "xã"))
SITE_WORDS = {"bv", "ttyt", "tyt", "pk", "bvđk", "đk", "tw", "huyện", "tỉnh", "quận", "xã", "phường", "tp"}


def initials(name: str) -> str:
    """'BS Nguyễn Thị Lan' -> 'NL'; titles (BS, TS, ThS, PGS, GS, ĐD, KTV) left out; 'TTYT huyện Mèo Vạc' -> 'MV';
    a bracketed part is an aside, no letters: 'Máy trạm này (trung tâm cục bộ)' -> 'MN', not 'MB'."""
    head = name.split(SEPARATOR)[0]
    words = _words(re.sub(r"\([^()]*\)", " ", head)) or _words(head)  # all of it in brackets: its own words
    words = _without_site_words(words) or words
    if not words:
        return "?"
    picked = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return picked.upper()


def _words(text: str) -> list[str]:
    return [w for w in re.sub(r"[.()]", " ", text).split() if w.lower() not in TITLES]


def _without_site_words(words: list[str]) -> list[str]:
    kept, i = [], 0
    while i < len(words):
        phrase = next((p for p in SITE_PHRASES if tuple(w.lower() for w in words[i:i + len(p)]) == p), None)
        if phrase is not None:
            i += len(phrase)
            continue
        if words[i].lower() not in SITE_WORDS:
            kept.append(words[i])
        i += 1
    return kept


def name_and_site(display: str, site: str) -> tuple[str, str]:
    """The hub names a participant "BS Lan — TTYT huyện Mèo Vạc": the site goes on its own line."""
    name, _, rest = display.partition(SEPARATOR)
    name, site = (name.strip() or display), (site or rest.strip())
    return name, ("" if site == name else site)  # a station's display is its site: said once


def bgr_image(frame: np.ndarray) -> QImage:
    """Wraps the BGR buffer as it is (no colour conversion; RECIPES.md); the caller keeps `frame` alive."""
    frame = np.ascontiguousarray(frame)
    height, width = frame.shape[:2]
    return QImage(frame.data, width, height, frame.strides[0], QImage.Format.Format_BGR888)


class ParticipantTile(QWidget):
    frame_painted = Signal()

    def __init__(self, participant_id: str, is_self: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.participant_id = participant_id
        self.is_self = is_self
        self.name = ""
        self.site = ""
        self.label = ""         # the caption when not the name (the self view without a name: "You")
        self.around = ("", "")  # said whole around the name, which alone is shortened (the self view's " (you)")
        self.has_video = False
        self.talking = False
        self.hand = False
        self.muted = False
        self.video_paused = False  # it sends video, which this station does not receive (low bandwidth)
        self.note = ""          # said over the tile (the self view: "camera off")
        self.frames_shown = 0   # distinct frames painted
        self._frame = None      # the numpy frame the image wraps (kept alive with it)
        self._image: QImage | None = None
        self._fresh = False
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(160, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # -- what it shows --------------------------------------------------------------------------------

    def set_participant(self, participant) -> None:
        self.name, self.site = name_and_site(getattr(participant, "display", "") or "",
                                             getattr(participant, "site", "") or "")
        self.has_video = bool(getattr(participant, "has_video", False))
        self.talking = bool(getattr(participant, "talking", False))
        self.hand = bool(getattr(participant, "hand", False))
        self.muted = bool(getattr(participant, "muted", False))
        self.video_paused = bool(getattr(participant, "video_paused", False))
        if not self.has_video:
            self._frame = self._image = None
        self.setToolTip(f"{self.name}\n{self.site}" if self.site else self.name)
        self.setAccessibleName(self.name)
        self.update()

    def set_frame(self, frame) -> None:
        if frame is None:
            return
        self._frame = np.ascontiguousarray(frame)
        self._image = bgr_image(self._frame)
        self._fresh = True
        self.update()

    def clear_video(self) -> None:
        self._frame = self._image = None
        self.update()

    @property
    def showing_video(self) -> bool:
        return self._image is not None

    def initials(self) -> str:
        return initials(self.name)

    def caption(self) -> str:
        return self.label or self.around[0] + self.name + self.around[1]

    def fitted_caption(self, metrics: QFontMetrics, width: int) -> str:
        """The caption in `width`: the name shortened, what is around it whole. "Máy trạm này (trung tâm cục bộ)
        (bạn)" elided at the right lost "(bạn)" on the self tile, the one word saying whose view it is."""
        if self.label:
            return metrics.elidedText(self.label, Qt.TextElideMode.ElideRight, width)
        before, after = self.around
        room = width - metrics.horizontalAdvance(before + after)
        if room <= metrics.horizontalAdvance("…"):
            return metrics.elidedText(self.caption(), Qt.TextElideMode.ElideRight, width)
        return before + metrics.elidedText(self.name, Qt.TextElideMode.ElideRight, room) + after

    def caption_lines(self) -> list[str]:
        """The caption band's lines as painted (its first the caption, then the site when there is room)."""
        font, small, line, lines = self._caption_font()
        metrics = QFontMetrics(font, self)
        width = int(self.width() - 8 - 36)
        if lines == 2:
            bold = QFont(font)
            bold.setBold(True)
            return [self.fitted_caption(QFontMetrics(bold, self), width),
                    metrics.elidedText(self.site, Qt.TextElideMode.ElideRight, width)]
        if self.site and not small:
            whole = self.caption() + SEPARATOR + self.site
            if metrics.horizontalAdvance(whole) <= width:
                return [whole]
            head = self.fitted_caption(metrics, width)
            rest = width - metrics.horizontalAdvance(head)
            return [head + metrics.elidedText(SEPARATOR + self.site, Qt.TextElideMode.ElideRight, rest)
                    if rest > metrics.horizontalAdvance(SEPARATOR + "…") else head]
        return [self.fitted_caption(metrics, width)]

    def _caption_font(self) -> tuple[QFont, bool, int, int]:
        font = QFont(self.font())
        small = self.height() < 140
        font.setPixelSize(12 if small else 14)
        line = QFontMetrics(font, self).height()
        return font, small, line, 1 if small or not self.site else 2

    # -- painting -------------------------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        painter.fillRect(rect, Qt.GlobalColor.black if self._image is not None else BACKGROUND)
        if self._image is not None:
            scale = min(rect.width() / self._image.width(), rect.height() / self._image.height())
            w, h = self._image.width() * scale, self._image.height() * scale
            painter.drawImage(QRectF((rect.width() - w) / 2, (rect.height() - h) / 2, w, h), self._image)
            if self._fresh:
                self._fresh = False
                self.frames_shown += 1
                self.frame_painted.emit()
        else:
            self._paint_initials(painter, rect)
        note = self.note or (self.tr("Video paused to save bandwidth")
                             if self.video_paused and self._image is None else "")
        if note:
            self._paint_note(painter, rect, note)
        self._paint_caption(painter, rect)
        self._paint_badges(painter, rect)
        if self.talking:
            painter.setPen(QPen(TALKING, 4))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(2, 2, -2, -2))
        painter.end()

    def _paint_initials(self, painter: QPainter, rect: QRectF) -> None:
        size = min(rect.width(), rect.height()) * 0.42
        circle = QRectF(rect.center().x() - size / 2, rect.center().y() - size / 2 - rect.height() * 0.06, size, size)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#546e7a"))
        painter.drawEllipse(circle)
        font = QFont(self.font())
        font.setPixelSize(max(10, int(size * 0.4)))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, self.initials())

    def _paint_note(self, painter: QPainter, rect: QRectF, note: str) -> None:
        """At the top, in the caption's size on a dark band: in the initials' big bold font (the painter's
        font after them) a note filled a small tile and covered the initials."""
        font = QFont(self.font())
        font.setPixelSize(12 if self.height() < 140 else 14)
        painter.setFont(font)
        flags = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        area = rect.adjusted(8, 6, -8, -6)
        if self.hand:  # the hand's badge sits in the top right corner
            area.setRight(area.right() - (26 if self.height() >= 140 else 20))
        used = painter.boundingRect(area, flags, note)
        painter.fillRect(QRectF(rect.left(), rect.top(), rect.width(), used.bottom() + 6), QColor(0, 0, 0, 150))
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(area, flags, note)

    def _paint_caption(self, painter: QPainter, rect: QRectF) -> None:
        font, _small, line, lines = self._caption_font()
        painter.setFont(font)
        band = QRectF(rect.left(), rect.bottom() - lines * line - 8, rect.width(), lines * line + 8)
        painter.fillRect(band, QColor(0, 0, 0, 150))
        text = band.adjusted(8, 4, -36, -4)
        painter.setPen(Qt.GlobalColor.white)
        shown = self.caption_lines()
        if lines == 2:
            bold = QFont(font)
            bold.setBold(True)
            painter.setFont(bold)
            painter.drawText(QRectF(text.left(), text.top(), text.width(), line), Qt.AlignmentFlag.AlignLeft,
                             shown[0])
            painter.setFont(font)
            painter.setPen(QColor("#cfd8dc"))
            painter.drawText(QRectF(text.left(), text.top() + line, text.width(), line), Qt.AlignmentFlag.AlignLeft,
                             shown[1])
        else:
            painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown[0])

    def _paint_badges(self, painter: QPainter, rect: QRectF) -> None:
        size = 26.0 if self.height() >= 140 else 20.0
        x = rect.right() - size - 6
        if self.muted:
            _mic_off(painter, QRectF(x, rect.bottom() - size - 6, size, size))
        if self.hand:
            _hand(painter, QRectF(rect.right() - size - 6, rect.top() + 6, size, size))


def _mic_off(painter: QPainter, box: QRectF) -> None:
    """A microphone with a red bar across it."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 170))
    painter.drawEllipse(box)
    w, h = box.width(), box.height()
    painter.setPen(QPen(Qt.GlobalColor.white, max(1.5, w / 14)))
    painter.setBrush(Qt.GlobalColor.white)
    painter.drawRoundedRect(QRectF(box.left() + w * 0.4, box.top() + h * 0.2, w * 0.2, h * 0.38), w * 0.1, w * 0.1)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(box.left() + w * 0.3, box.top() + h * 0.3, w * 0.4, h * 0.4), 180 * 16, 180 * 16)
    painter.drawLine(QPointF(box.center().x(), box.top() + h * 0.7), QPointF(box.center().x(), box.top() + h * 0.8))
    painter.setPen(QPen(MUTED, max(2.0, w / 10)))
    painter.drawLine(QPointF(box.left() + w * 0.25, box.top() + h * 0.75), QPointF(box.left() + w * 0.75,
                                                                                  box.top() + h * 0.25))


def _hand(painter: QPainter, box: QRectF) -> None:
    """A raised hand: a palm and four fingers, on a yellow disc."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(HAND)
    painter.drawEllipse(box)
    w, h = box.width(), box.height()
    path = QPainterPath()
    path.addRoundedRect(QRectF(box.left() + w * 0.3, box.top() + h * 0.45, w * 0.4, h * 0.35), w * 0.08, w * 0.08)
    for i in range(4):
        path.addRoundedRect(QRectF(box.left() + w * (0.3 + 0.1 * i), box.top() + h * (0.2 + (0.05 if i in (0, 3) else 0)),
                                   w * 0.085, h * 0.32), w * 0.04, w * 0.04)
    path.addRoundedRect(QRectF(box.left() + w * 0.18, box.top() + h * 0.45, w * 0.16, h * 0.09), w * 0.04, w * 0.04)
    painter.setBrush(QColor("#5d4037"))
    painter.drawPath(path.simplified())


class TilesGrid(QWidget):
    """The other participants' tiles, in as square a grid as their number allows."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tiles: dict[str, ParticipantTile] = {}
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("liveEmpty")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(6)
        self._arrange()

    def tile(self, participant_id: str) -> ParticipantTile | None:
        return self.tiles.get(participant_id)

    def update_participant(self, participant) -> ParticipantTile:
        key = str(participant.id)
        tile = self.tiles.get(key)
        if tile is None:
            tile = self.tiles[key] = ParticipantTile(key)
            self._arrange()
        tile.set_participant(participant)
        return tile

    def remove(self, participant_id: str) -> None:
        tile = self.tiles.pop(participant_id, None)
        if tile is not None:
            self._grid.removeWidget(tile)
            tile.deleteLater()
            self._arrange()

    def clear(self) -> None:
        for key in list(self.tiles):
            self.remove(key)

    def _arrange(self) -> None:
        while self._grid.count():
            self._grid.takeAt(0)
        tiles = list(self.tiles.values())
        self.empty.setVisible(not tiles)
        if not tiles:
            self._grid.addWidget(self.empty, 0, 0)
            return
        columns = math.ceil(math.sqrt(len(tiles)))
        for n, tile in enumerate(tiles):
            self._grid.addWidget(tile, n // columns, n % columns)
