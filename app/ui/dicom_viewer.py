"""The DICOM viewer: series list, the image with window/level, zoom and pan, slice
scroll, cine for multi-frame, key images, and the image's metadata.

In a live session the viewer can be presented or followed (app/ui/viewer_sync.py): `viewer_state()` says where
it is, `state_changed` fires when the user moves it, `apply_state()` follows another site's viewer. Those states
name the images by the case's de-identified UIDs only (app/wire/live.py): the viewer maps its own files' UIDs."""

import math
import time
from dataclasses import replace
from datetime import date

import numpy as np
from PySide6.QtCore import QDate, QEvent, QLocale, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QScrollArea, QSplitter, QToolBar, QToolButton, QVBoxLayout,
                               QWidget)

from app.imaging.deid import deidentified_uid
from app.imaging.render import PRESETS, Window, display
from app.imaging.series import FrameCache, Series
from app.wire.live import ViewerState
from app.ui.texts import language

THUMB = 96
CINE_FPS = 15


OVERLAY_COLOUR = 0xFFFFD400  # opaque yellow, as viewing stations draw graphics overlays


def to_qimage(pixels: np.ndarray) -> QImage:
    """8-bit grey (rows × columns) or RGB (rows × columns × 3) pixels as a QImage that owns a copy."""
    pixels = np.ascontiguousarray(pixels)
    height, width = pixels.shape[:2]
    if pixels.ndim == 3:  # drawn as RGB32, the painter's own format: scaling RGB888 costs twice as much a frame
        rgb = QImage(pixels.data, width, height, pixels.strides[0], QImage.Format.Format_RGB888)
        return rgb.convertToFormat(QImage.Format.Format_RGB32)
    return QImage(pixels.data, width, height, pixels.strides[0], QImage.Format.Format_Grayscale8).copy()


def overlay_image(mask: np.ndarray) -> QImage:
    """An overlay mask as a transparent image with the marks in yellow, the size of the frame."""
    argb = np.where(mask, np.uint32(OVERLAY_COLOUR), np.uint32(0))
    height, width = mask.shape
    return QImage(argb.data, width, height, width * 4, QImage.Format.Format_ARGB32).copy()


class ImageView(QWidget):
    """One frame on screen. Drag: window/level. Right-drag: pan. Wheel: slices. Ctrl+wheel: zoom."""

    window_dragged = Signal(float, float)  # d_center, d_width
    slice_stepped = Signal(int)
    rendered = Signal(float)               # milliseconds to window and draw
    moved = Signal()                       # the user zoomed, panned or fitted the image

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image: QImage | None = None
        self.overlay: QImage | None = None
        self.overlay_shown = True
        self.zoom = 1.0
        self.pan = QPointF(0, 0)
        self.message = ""
        self._drag: tuple[str, QPointF] | None = None
        self.setMinimumSize(240, 240)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def show_pixels(self, pixels: np.ndarray | None, message: str = "", overlay: np.ndarray | None = None) -> None:
        self.image = to_qimage(pixels) if pixels is not None else None
        self.overlay = overlay_image(overlay) if overlay is not None and pixels is not None else None
        self.message = message
        self.update()

    def show_overlay(self, shown: bool) -> None:
        self.overlay_shown = shown
        self.update()

    def reset_view(self) -> None:
        self.zoom, self.pan = 1.0, QPointF(0, 0)
        self.update()
        self.moved.emit()

    def scale(self) -> float:
        """Screen pixels per image pixel."""
        if self.image is None:
            return 1.0
        return min(self.width() / self.image.width(), self.height() / self.image.height()) * self.zoom

    def image_pan(self) -> tuple[float, float]:
        """The pan in image pixels: screens of other sizes then centre the same part of the image."""
        scale = self.scale()
        return self.pan.x() / scale, self.pan.y() / scale

    def set_view(self, zoom: float, pan_x: float, pan_y: float) -> None:
        """Zoom (1 = fit) and pan in image pixels, as another site's viewer has them (nonsense is fitted)."""
        if not all(math.isfinite(value) for value in (zoom, pan_x, pan_y)):
            zoom, pan_x, pan_y = 1.0, 0.0, 0.0
        self.zoom = min(16.0, max(0.25, zoom))
        scale = self.scale()
        if self.image is not None:  # at most until the image's edge reaches the centre: it stays in sight
            half_w, half_h = self.image.width() / 2, self.image.height() / 2
            pan_x, pan_y = min(half_w, max(-half_w, pan_x)), min(half_h, max(-half_h, pan_y))
        self.pan = QPointF(pan_x * scale, pan_y * scale)
        self.update()

    def target_rect(self) -> QRectF:
        if self.image is None:
            return QRectF()
        scale = self.scale()
        w, h = self.image.width() * scale, self.image.height() * scale
        return QRectF((self.width() - w) / 2 + self.pan.x(), (self.height() - h) / 2 + self.pan.y(), w, h)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self.image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.zoom < 3)
            painter.drawImage(self.target_rect(), self.image)
            if self.overlay is not None and self.overlay_shown:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
                painter.drawImage(self.target_rect(), self.overlay)
        if self.message:
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(self.rect().adjusted(10, 10, -10, -10),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        painter.end()

    def mousePressEvent(self, event) -> None:
        mode = "pan" if event.button() == Qt.MouseButton.RightButton or \
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier else "window"
        self._drag = (mode, event.position())

    def mouseMoveEvent(self, event) -> None:
        if self._drag is None:
            return
        mode, start = self._drag
        delta = event.position() - start
        self._drag = (mode, event.position())
        if mode == "pan":
            self.pan += delta
            self.update()
            self.moved.emit()
        else:
            self.window_dragged.emit(delta.y(), delta.x())

    def mouseReleaseEvent(self, _event) -> None:
        self._drag = None

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() // 120 or (1 if event.angleDelta().y() > 0 else -1)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom = min(16.0, max(0.25, self.zoom * (1.25 ** steps)))
            self.update()
            self.moved.emit()
        else:
            self.slice_stepped.emit(-steps)


class DicomViewer(QWidget):
    state_changed = Signal()  # the user moved the viewer: series, slice, window, zoom, pan or key image

    def __init__(self, imaging, runner, deidentification=None, parent=None):
        """`imaging.series(case_id)` gives the case's series; `imaging.key_images` keeps key images;
        `deidentification.export(...)` writes an anonymous copy for experts abroad."""
        super().__init__(parent)
        self._imaging = imaging
        self._deidentification = deidentification
        self._runner = runner
        self._case_id: str | None = None
        self.series: list[Series] = []
        self.current: Series | None = None
        self.index = 0
        self.window: Window | None = None
        self.cache = FrameCache()
        self.keys: set[tuple[str, int]] = set()
        self._loading = False
        self._applying = False                    # following another site: its changes are not ours to announce
        self._pending: ViewerState | None = None  # a state that came while the case was loading
        self._live: tuple[str, str] | None = None  # ("presenting", "") or ("following", who)
        self._followed: ViewerState | None = None
        self._missing = False
        self._live_case = ""  # the live session's case, the seed of the UIDs its states carry ("": this viewer's case)

        self.series_list = QListWidget()
        self.series_list.setIconSize(QSize(THUMB, THUMB))
        self.series_list.setViewMode(QListWidget.ViewMode.IconMode)  # the thumbnail, its name under it
        self.series_list.setFlow(QListWidget.Flow.TopToBottom)
        self.series_list.setWrapping(False)
        self.series_list.setWordWrap(True)
        self.series_list.setMovement(QListWidget.Movement.Static)
        self.series_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.series_list.setGridSize(QSize(THUMB + 24, THUMB + 48))
        self.series_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.series_list.setMinimumWidth(THUMB + 30)
        self.series_list.setMaximumWidth(230)
        self.view = ImageView()
        self.preset = QComboBox()
        self.position = QLabel()
        self.levels = QLabel()
        self.cine_button = QPushButton(checkable=True)
        self.key_button = QPushButton(checkable=True)
        self.reset_button = QPushButton()
        self.overlay_button = QPushButton(checkable=True, checked=True)
        self.export_button = QPushButton()
        self.export_status = QLabel()
        self.export_status.setWordWrap(True)
        self._build_details()
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.live_banner = QLabel()  # who is presenting: nobody mistakes a followed viewer for their own
        self.live_banner.setWordWrap(True)
        self.live_banner.setVisible(False)

        # A tool bar: what does not fit beside the case list folds into its » menu, the panel never widens.
        self.tools = QToolBar()
        self.tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        actions = {}
        for widget in (self.preset, self.cine_button, self.key_button, self.overlay_button, self.reset_button,
                       self.export_button):
            actions[widget] = self.tools.addWidget(widget)
        self._overlay_action, export_action = actions[self.overlay_button], actions[self.export_button]
        self._overlay_action.setVisible(False)
        export_action.setVisible(deidentification is not None)
        under = QHBoxLayout()  # under the image: what is being shown (window, slice), then the export's result
        under.addWidget(self.export_status, 1)
        under.addWidget(self.levels)
        under.addWidget(self.position)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.tools)
        centre_layout.addWidget(self.view, 1)
        centre_layout.addLayout(under)
        splitter = QSplitter()
        splitter.addWidget(self.series_list)
        splitter.addWidget(centre)
        splitter.addWidget(self.details_area)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([THUMB + 34, 600, 190])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.live_banner)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        self._splitter = splitter

        self.series_list.currentRowChanged.connect(self.on_series_chosen)
        self.view.slice_stepped.connect(self.step)
        self.view.window_dragged.connect(self.on_window_dragged)
        self.view.moved.connect(self._changed)
        self.preset.activated.connect(self.on_preset)
        self.cine_button.toggled.connect(self.on_cine)
        self.key_button.toggled.connect(self.on_key_toggled)
        self.reset_button.clicked.connect(self.view.reset_view)
        self.overlay_button.toggled.connect(self.view.show_overlay)
        self.export_button.clicked.connect(self.choose_export_folder)
        self._cine = QTimer(self, interval=1000 // CINE_FPS)
        self._cine.timeout.connect(lambda: self.step(1, wrap=True))
        for key, move in ((Qt.Key.Key_Down, 1), (Qt.Key.Key_Up, -1), (Qt.Key.Key_PageDown, 10),
                          (Qt.Key.Key_PageUp, -10)):
            QShortcut(QKeySequence(key), self.view, activated=lambda m=move: self.step(m))
        QShortcut(QKeySequence(Qt.Key.Key_Home), self.view, activated=lambda: self.go_to(0))
        QShortcut(QKeySequence(Qt.Key.Key_End), self.view, activated=lambda: self.go_to(len(self._images()) - 1))
        QShortcut(QKeySequence(Qt.Key.Key_K), self.view, activated=self.key_button.toggle)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self.view, activated=self.cine_button.toggle)
        self.retranslate()
        self._show_empty(True)

    # -- text ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        current = self.preset.currentData()
        self.preset.clear()
        self.preset.addItem(self.tr("Window: from the file"), "file")
        for code, name in (("lung", self.tr("Lung")), ("mediastinum", self.tr("Mediastinum")),
                           ("bone", self.tr("Bone")), ("brain", self.tr("Brain"))):
            self.preset.addItem(self.tr("Window: %1").replace("%1", name), code)
        self.preset.setCurrentIndex(max(0, self.preset.findData(current)))
        self.reset_button.setText(self.tr("Fit"))
        self.overlay_button.setText(self.tr("Marks on the image"))
        self.overlay_button.setToolTip(self.tr("Show or hide the marks the file carries over the image "
                                               "(measurements, outlines: DICOM overlays)"))
        self.technical_button.setText(self.tr("Technical details"))
        self.export_button.setText(self.tr("Export anonymised…"))
        self.export_button.setToolTip(self.tr("A copy without the patient's identity, "
                                              "for experts abroad"))
        self.empty.setText(self.tr("No imaging in this case yet. Add DICOM files, a folder or a CD on the "
                                   "“Photos, video, sound” tab."))
        self._refresh_labels()
        self._refresh_banner()
        images = self._images()
        if images:
            self._show_metadata(images[self.index].info)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- loading -------------------------------------------------------------------------

    def set_case(self, case_id: str | None) -> None:
        self._case_id = case_id
        self._loading = False  # until reload() reads this case's series
        self.series, self.current = [], None
        self.series_list.clear()
        self.view.show_pixels(None)
        followed = self._pending or (self._followed if self._live and self._live[0] == "following" else None)
        self._pending = None
        if case_id is not None:
            self.reload()
        if followed is not None:  # the case opened to follow a presenter: where they are, once its series are read
            self.apply_state(followed)

    def reload(self) -> None:
        case_id = self._case_id
        if case_id is None:
            return
        self._loading = True
        self._runner.run(lambda: (self._imaging.series(case_id), self._imaging.key_images(case_id)),
                         lambda found: self._on_loaded(case_id, *found), owner=self)

    def _on_loaded(self, case_id: str, series: list[Series], keys: set) -> None:
        if case_id != self._case_id:
            return
        self._loading = False
        self.series, self.keys = series, set(keys)
        self.series_list.blockSignals(True)
        self.series_list.clear()
        for s in series:
            text = f"{s.modality} · {s.description or '—'}\n" + self.tr("%1 image(s)").replace("%1", str(len(s.images)))
            self.series_list.addItem(QListWidgetItem(text))
        self.series_list.blockSignals(False)
        self._show_empty(not series)
        if series:
            self.series_list.setCurrentRow(0)
            self._runner.run(lambda: [self._thumbnail(s) for s in series], self._on_thumbnails, owner=self)
        pending, self._pending = self._pending, None
        if pending is not None:
            self.apply_state(pending)

    def _thumbnail(self, series: Series) -> np.ndarray | None:
        image = series.images[len(series.images) // 2]
        cache = FrameCache(max_items=1)  # its own: this runs on the worker thread
        try:
            frame = cache.frame(image)
        except Exception:  # a file that cannot be decoded gets no thumbnail, and says why when shown
            return None
        shown = display(frame, None if frame.colour else cache.window_for(series, image))
        step = max(1, max(shown.shape[:2]) // THUMB)
        return np.ascontiguousarray(shown[::step, ::step])

    def _on_thumbnails(self, thumbs) -> None:
        for row, pixels in enumerate(thumbs):
            if pixels is not None and row < self.series_list.count():
                self.series_list.item(row).setIcon(QIcon(QPixmap.fromImage(to_qimage(pixels))))

    def _show_empty(self, empty: bool) -> None:
        self.empty.setVisible(empty)
        self._splitter.setVisible(not empty)

    # -- showing ---------------------------------------------------------------------------

    def _images(self):
        return self.current.images if self.current is not None else []

    def on_series_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.series):
            return
        self.cine_button.setChecked(False)
        self.current = self.series[row]
        self.window = None
        self.index = 0
        self.view.reset_view()
        self.cine_button.setEnabled(len(self.current.images) > 1)
        self.show_current()

    def go_to(self, index: int) -> None:
        images = self._images()
        if images:
            self.index = min(len(images) - 1, max(0, index))
            self.show_current()

    def step(self, delta: int, wrap: bool = False) -> None:
        images = self._images()
        if not images:
            return
        self.index = (self.index + delta) % len(images) if wrap else min(len(images) - 1, max(0, self.index + delta))
        self.show_current()

    def show_current(self) -> None:
        images = self._images()
        if not images:
            return
        image = images[self.index]
        started = time.perf_counter()
        try:
            frame = self.cache.frame(image)
        except Exception as error:  # a damaged or undecodable image: say so, keep the viewer working
            self.view.show_pixels(None, self.tr("This image cannot be shown: %1").replace("%1", str(error)[:200]))
            frame = None
        else:
            if frame.colour:  # colour is shown as it is: window/level is for grey images only
                self.window = None
            elif self.window is None:
                preset = self.preset.currentData()
                self.window = PRESETS[preset] if preset in PRESETS else self.cache.window_for(self.current, image)
            self.view.show_pixels(display(frame, self.window), overlay=frame.overlay)
            self.view.rendered.emit((time.perf_counter() - started) * 1000)
        self.preset.setEnabled(frame is not None and not frame.colour)
        self._overlay_action.setVisible(frame is not None and frame.overlay is not None)
        self.key_button.blockSignals(True)
        self.key_button.setChecked((image.attachment_id, image.frame) in self.keys)
        self.key_button.blockSignals(False)
        self._refresh_labels()
        self._show_metadata(image.info)
        self._changed()

    def _changed(self) -> None:
        if not self._applying:
            self.state_changed.emit()

    def _refresh_labels(self) -> None:
        images = self._images()
        self.position.setText(f"{self.index + 1}/{len(images)}" if images else "")
        self.levels.setText(f"C {self.window.center:.0f} / W {self.window.width:.0f}" if self.window else "")
        self.key_button.setText(self.tr("Key image ★") if self.key_button.isChecked() else self.tr("Mark key image"))
        self.cine_button.setText(self.tr("Stop") if self.cine_button.isChecked() else self.tr("Play"))

    # -- details -------------------------------------------------------------------------------

    def _build_details(self) -> None:
        """The image's details as people read them; the technical ones folded behind "Technical details"."""
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(6, 6, 6, 6)
        self._detail_form, self._technical_form = QFormLayout(), QFormLayout()
        for form in (self._detail_form, self._technical_form):
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # the name above its value: room to read
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setVerticalSpacing(2)
        layout.addLayout(self._detail_form)
        self.technical_button = QToolButton(checkable=True)
        self.technical_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.technical_button.setArrowType(Qt.ArrowType.RightArrow)
        self.technical_button.setAutoRaise(True)
        self.technical_button.toggled.connect(self.on_technical_toggled)
        layout.addWidget(self.technical_button)
        self._technical = QWidget()
        self._technical.setLayout(self._technical_form)
        self._technical_form.setContentsMargins(12, 0, 0, 0)
        self._technical.setVisible(False)
        layout.addWidget(self._technical)
        layout.addStretch(1)
        self.details_area = QScrollArea()
        self.details_area.setWidgetResizable(True)
        self.details_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details_area.setWidget(panel)
        self.details_area.setMinimumWidth(170)
        self.details_area.setMaximumWidth(340)
        self.detail_rows: list[tuple[QLabel, QLabel]] = []
        self.technical_rows: list[tuple[QLabel, QLabel]] = []

    def on_technical_toggled(self, shown: bool) -> None:
        self.technical_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self._technical.setVisible(shown)

    @staticmethod
    def _fill(form: QFormLayout, rows: list, entries: list[tuple[str, str]]) -> None:
        entries = [(name, value) for name, value in entries if value]  # an empty field is left out
        while len(rows) < len(entries):
            name, value = QLabel(), QLabel()
            name.setStyleSheet("color: palette(placeholder-text);")
            for label in (name, value):
                label.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(name, value)
            rows.append((name, value))
        for row, (name, value) in enumerate(rows):
            shown = row < len(entries)
            form.setRowVisible(row, shown)
            name.setText(entries[row][0] if shown else "")
            value.setText(entries[row][1] if shown else "")

    def _date(self, text: str) -> str:
        """A DICOM date (YYYYMMDD) as people write it: 12/03/1985, or 12 Mar 1985 in English."""
        day = QDate.fromString(text.strip()[:8], "yyyyMMdd")
        if not day.isValid():
            return text.strip()
        return day.toString("dd/MM/yyyy") if language() == "vi" else QLocale(QLocale.Language.English).toString(
            day, "d MMM yyyy")

    def _sex(self, code: str) -> str:
        return {"M": self.tr("Male"), "F": self.tr("Female"), "O": self.tr("Other")}.get(code.strip().upper(), "")

    def _age(self, stated: str, birth: str, study: str) -> str:
        """The age at the study: as the file states it (038Y, 006M…), else from the birth and study dates."""
        stated = stated.strip().upper()
        if len(stated) == 4 and stated[:3].isdigit() and stated[3] in "YMWD":
            return self._count(int(stated[:3]), stated[3])
        try:
            born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
            seen = date(int(study[:4]), int(study[4:6]), int(study[6:8]))
        except (ValueError, TypeError):
            return ""
        years = seen.year - born.year - ((seen.month, seen.day) < (born.month, born.day))
        if years < 0:
            return ""
        if years >= 2:
            return self._count(years, "Y")
        months = (seen.year - born.year) * 12 + seen.month - born.month - (seen.day < born.day)
        return self._count(months, "M") if months >= 1 else self._count((seen - born).days, "D")

    def _count(self, number: int, unit: str) -> str:
        one, many = {"Y": (self.tr("1 year"), self.tr("%1 years")), "M": (self.tr("1 month"), self.tr("%1 months")),
                     "W": (self.tr("1 week"), self.tr("%1 weeks")), "D": (self.tr("1 day"), self.tr("%1 days"))}[unit]
        return one if number == 1 else many.replace("%1", str(number))

    def _modality(self, code: str) -> str:
        names = {"CT": self.tr("CT (computed tomography)"), "MR": self.tr("MRI (magnetic resonance)"),
                 "US": self.tr("Ultrasound"), "CR": self.tr("X-ray"), "DX": self.tr("X-ray"),
                 "MG": self.tr("Mammography"), "XA": self.tr("Angiography"), "RF": self.tr("Fluoroscopy"),
                 "NM": self.tr("Nuclear medicine"), "PT": self.tr("PET"), "ECG": self.tr("ECG"),
                 "OT": self.tr("Other image"), "SC": self.tr("Screen capture")}
        return names.get(code.strip().upper(), code)

    def _show_metadata(self, info: dict) -> None:
        extra = self.cache.details(self._images()[self.index]) if self._images() else {}
        name = " ".join(part for part in str(info.get("patient_name", "")).split("^") if part.strip())
        shared = self._live is not None  # in a live session: initials, age and sex only, as on every shared screen
        if shared:
            name = "".join(f"{part[0].upper()}." for part in name.split() if part[:1].isalpha())
        study = self._date(info.get("study_date", ""))
        self._fill(self._detail_form, self.detail_rows, [
            (self.tr("Patient"), name), (self.tr("Patient ID"), "" if shared else info.get("patient_id", "")),
            (self.tr("Birth date"), "" if shared else self._date(info.get("patient_birth_date", ""))),
            (self.tr("Sex"), self._sex(info.get("patient_sex", ""))),
            (self.tr("Age"), self._age(extra.get("patient_age", ""), info.get("patient_birth_date", ""),
                                       info.get("study_date", ""))),
            (self.tr("Study date"), study), (self.tr("Study"), info.get("study_description", "")),
            (self.tr("Series"), info.get("series_description", "")),
            (self.tr("Kind of imaging"), self._modality(info.get("modality", ""))),
        ])
        centre, width = info.get("window_center"), info.get("window_width")
        syntax = info.get("transfer_syntax", "")
        try:
            from pydicom.uid import UID

            syntax = UID(syntax).name if syntax else ""
        except Exception:  # an unknown UID is shown as it is
            pass
        self._fill(self._technical_form, self.technical_rows, [
            (self.tr("Image size"), f"{info.get('columns')}×{info.get('rows')}"),
            (self.tr("Frames"), str(info.get("frames", 1))),
            (self.tr("Instance"), str(info.get("instance_number") or "")),
            (self.tr("Window in the file"), f"C {centre:g} / W {width:g}" if centre is not None and width else ""),
            (self.tr("Colour model"), extra.get("photometric", "")),
            (self.tr("Bits per sample"), extra.get("bits", "")),
            (self.tr("File encoding"), syntax),
            (self.tr("Text burned into the image"),
             self.tr("yes") if info.get("burned_in_annotation") else self.tr("no")),
        ])

    # -- controls ---------------------------------------------------------------------------

    def on_preset(self, _index: int) -> None:
        preset = self.preset.currentData()
        images = self._images()
        if not images:
            return
        self.window = PRESETS.get(preset) or self.cache.window_for(self.current, images[self.index])
        self.show_current()

    def on_window_dragged(self, d_center: float, d_width: float) -> None:
        if self.window is None:
            return
        sensitivity = max(1.0, self.window.width / 256)
        self.window = Window(self.window.center + d_center * sensitivity,
                             max(1.0, self.window.width + d_width * sensitivity))
        self.show_current()

    def on_cine(self, on: bool) -> None:
        if on:
            self._cine.start()
        else:
            self._cine.stop()
        self._refresh_labels()

    def on_key_toggled(self, on: bool) -> None:
        images = self._images()
        if not images or self._case_id is None:
            return
        image = images[self.index]
        key = (image.attachment_id, image.frame)
        (self.keys.add if on else self.keys.discard)(key)
        case_id = self._case_id
        self._runner.run(lambda: self._imaging.set_key_image(case_id, image.attachment_id, image.frame, on),
                         owner=self)
        self._refresh_labels()
        self._changed()

    def choose_export_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for the anonymised copy"))
        if folder:
            self.export_anonymised(folder)

    def export_anonymised(self, folder: str) -> None:
        case_id = self._case_id
        if case_id is None or self._deidentification is None:
            return
        self.export_status.setText(self.tr("Writing the anonymised copy…"))
        self._runner.run(lambda: self._deidentification.export(case_id, folder, self._runner.report),
                         self._on_exported, owner=self)

    def _on_exported(self, result) -> None:
        text = self.tr("%1 image file(s) written without the patient's identity to %2.") \
            .replace("%1", str(result.files)).replace("%2", str(result.folder))
        if result.burned_in:
            text += " " + self.tr("%1 of them may show the patient's name in the picture itself "
                                  "(ultrasound, screen captures): look at them before sending.") \
                .replace("%1", str(len(result.burned_in)))
        from app.services.deidentify import places_left

        left = [places_left(reason) for _, reason in result.failed if places_left(reason)]
        if left:
            places = ", ".join(dict.fromkeys(place for file in left for place in file))
            text += " " + self.tr("%1 file(s) were not written: they still show the patient's identity (in %2). "
                                  "Remove them from the case or replace them.") \
                .replace("%1", str(len(left))).replace("%2", places)
        if len(result.failed) > len(left):
            text += " " + self.tr("%1 file(s) could not be processed.") \
                .replace("%1", str(len(result.failed) - len(left)))
        self.export_status.setText(text)

    # -- live session: presenting and following -----------------------------------------------------

    def viewer_state(self) -> ViewerState | None:
        """Where this viewer is, for the others to follow (None while no image is shown), by the de-identified
        UIDs only: the others include experts abroad. `seq` is left to the sender."""
        images = self._images()
        if not images:
            return None
        image = images[self.index]
        pan_x, pan_y = self.view.image_pan()
        instance = str(image.info.get("sop_instance_uid", ""))
        return ViewerState(study=self._deidentified(self.current.study_uid), series=self._deidentified(self.current.uid),
                           index=self.index, instance=self._deidentified(instance), frame=image.frame,
                           window_center=self.window.center if self.window else None,
                           window_width=self.window.width if self.window else None,
                           zoom=round(self.view.zoom, 4), pan_x=round(pan_x, 2), pan_y=round(pan_y, 2),
                           key_image=self.key_button.isChecked())

    def apply_state(self, state: ViewerState) -> bool:
        """Show what another site's viewer shows, from this station's own files, without announcing it as a
        change of ours. False when this station does not hold that series (the viewer says so)."""
        if self._loading:  # the case's series are still being read: follow once they are
            self._pending = self._followed = state
            return True
        self._followed = state
        # The presenter's UIDs are those of the de-identified copy (ours, as the copy has them), or ours as they are
        # (a peer of an older version sent the originals).
        row = next((i for i, s in enumerate(self.series) if state.series in (s.uid, self._deidentified(s.uid))), None)
        if row is None:
            self._missing = True
            self.cine_button.setChecked(False)
            self.view.show_pixels(None, self._missing_text())
            self._refresh_banner()
            return False
        self._missing = False
        self._applying = True
        try:
            self.cine_button.setChecked(False)  # the presenter's cine arrives as slices
            if self.series[row] is not self.current:
                self.series_list.setCurrentRow(row)
                if self.series[row] is not self.current:  # the row was already current (shown a missing study)
                    self.on_series_chosen(row)
            images = self.current.images
            uids = {image.info.get("sop_instance_uid") for image in images}
            if state.instance and state.instance not in uids:  # a de-identified UID: find our original
                state = replace(state, instance=next(
                    (uid for uid in uids if uid and self._deidentified(uid) == state.instance), state.instance))
            by_uid = [i for i, image in enumerate(images) if state.instance and
                      image.info.get("sop_instance_uid") == state.instance]
            if len(by_uid) > 1:  # a multi-frame file: its frame, else the index when it falls in that file
                index = next((i for i in by_uid if images[i].frame == state.frame),
                             state.index if state.index in by_uid else by_uid[0])
            else:
                index = by_uid[0] if by_uid else state.index
            self.index = min(len(images) - 1, max(0, index))
            if state.window_center is not None and state.window_width and state.window_width > 0 and \
                    math.isfinite(state.window_center) and math.isfinite(state.window_width):
                self.window = Window(state.window_center, state.window_width)
                preset = next((code for code, window in PRESETS.items() if window == self.window), None)
                if preset is not None:  # the presenter's preset by its name too
                    self.preset.setCurrentIndex(self.preset.findData(preset))
            self.show_current()
            self.view.set_view(state.zoom, state.pan_x, state.pan_y)
        finally:
            self._applying = False
        self._refresh_banner()
        return True

    def set_live_case(self, case_id: str) -> None:
        """The live session's case (its request id): the UIDs of the viewer states are that case's de-identified
        ones, whatever local case holds this station's copy of its images."""
        self._live_case = case_id or ""

    def _deidentified(self, uid: str) -> str:
        """`uid` as the case's de-identified copy (for experts abroad) has it."""
        seed = self._live_case or self._case_id
        return deidentified_uid(seed, uid) if uid and seed else ""

    def set_presenting(self, on: bool) -> None:
        if not on and (self._live is None or self._live[0] != "presenting"):
            return
        self._live = ("presenting", "") if on else None
        self._missing, self._followed = False, None
        self._refresh_banner()
        self._refresh_details()

    def set_following(self, who: str | None) -> None:
        """Following `who`'s viewer (their display name and site), or no longer (None)."""
        if who is None and (self._live is None or self._live[0] != "following"):
            return
        self._live = ("following", who) if who is not None else None
        if who is None:
            self._followed, self._pending = None, None
            if self._missing:  # what was there before the missing study: this station's own images
                self._missing = False
                self.show_current()
        self._refresh_banner()
        self._refresh_details()

    def _refresh_details(self) -> None:
        """The patient's details as the live mode allows (initials while live, in full otherwise)."""
        images = self._images()
        if images:
            self._show_metadata(images[self.index].info)

    def _missing_text(self) -> str:
        return self.tr("This station does not have these images.")

    def _refresh_banner(self) -> None:
        live = self._live
        if live is None:
            self.live_banner.setVisible(False)
            return
        mode, who = live
        if mode == "presenting":
            text = self.tr("Presenting: the other sites' viewers follow this one.")
            colour = "#8a1c1c"
        else:
            text = self.tr("Following %1's presentation.").replace("%1", who)
            if self._missing:
                text += " " + self._missing_text()
            elif self._followed is not None and self._followed.key_image:
                text += " " + self.tr("Key image ★")
            colour = "#1c4f8a"
        self.live_banner.setText(text)
        self.live_banner.setStyleSheet(f"background: {colour}; color: white; padding: 6px; font-weight: bold;")
        self.live_banner.setVisible(True)

    def hideEvent(self, event) -> None:
        self.cine_button.setChecked(False)
        super().hideEvent(event)
