"""Before joining a live consultation: the doctor sees themself, the microphone's level and how good the
link was at the last pre-session check, with the quality that suggests (switchable), then joins in one click.

The camera and microphone opened here go on into the session when the doctor joins (no second opening);
cancelled, they are closed.
"""

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QVBoxLayout,
                               QWidget)

from app.media.audio import AudioUnavailable, MicrophoneCapture, rescan
from app.media.camera import CameraSource, CameraState
from app.services.settings import Settings

from .camera_view import CameraFeed, CameraPreview
from .check_dialog import GRADE_COLOURS, advice_text
from .level_meter import LevelMeter
from .live_controls import QUALITIES
from .texts import device_problem

METER_MS = 100


class LivePreviewDialog(QDialog):
    def __init__(self, settings: Settings, title: str, case_line: str, quality: str, link_item=None,
                 parent: QWidget | None = None, open_devices: bool = True):
        """`quality`: the suggested one (app.ui.live_controls.QUALITIES); `link_item`: the link's CheckItem
        of the last pre-session check, or None."""
        super().__init__(parent)
        self._settings = settings
        self._title = title
        self._link = link_item
        self.feed = CameraFeed(self)
        self.mic: MicrophoneCapture | None = None
        self.mic_problem = ""
        self.self_view = CameraPreview(self.feed)
        self.self_view.setMinimumSize(360, 203)
        self.camera_state = QLabel(wordWrap=True)
        self.meter = LevelMeter()
        self.mic_state = QLabel(wordWrap=True)
        self.case_line = QLabel(case_line)
        self.case_line.setObjectName("caseTitle")
        self.case_line.setWordWrap(True)
        self.link_label = QLabel(wordWrap=True)
        self.link_label.setTextFormat(Qt.TextFormat.RichText)
        self.quality = QComboBox()
        self.quality_note = QLabel(wordWrap=True)
        self.buttons = QDialogButtonBox()
        self.join_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.join_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._suggested = quality
        self.form = QFormLayout()
        self.form_labels = [QLabel(), QLabel(), QLabel()]
        for label, field in zip(self.form_labels, (self.meter, self.quality, self.link_label)):
            self.form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.case_line)
        row = QHBoxLayout()
        row.addWidget(self.self_view, 3)
        side = QVBoxLayout()
        side.addLayout(self.form)
        side.addWidget(self.quality_note)
        side.addWidget(self.mic_state)
        side.addStretch(1)
        row.addLayout(side, 2)
        layout.addLayout(row, 1)
        layout.addWidget(self.camera_state)
        layout.addWidget(self.buttons)
        self.feed.state_changed.connect(self.on_camera_state)
        self._meter = QTimer(self, interval=METER_MS, timeout=self.on_meter_tick)
        self.retranslate()
        self.quality.setCurrentIndex(QUALITIES.index(quality) if quality in QUALITIES else 0)
        self.resize(820, 420)
        if open_devices:
            self.open_devices()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Join the live consultation"))
        self.join_button.setText(self.tr("Join now"))
        self.cancel_button.setText(self.tr("Cancel"))
        labels = (self.tr("Microphone"), self.tr("Quality"), self.tr("Link"))
        for label, text in zip(self.form_labels, labels):
            label.setText(text)
        chosen = max(0, self.quality.currentIndex())
        self.quality.clear()
        self.quality.addItems([self.tr("High (720p)"), self.tr("Low bandwidth (360p)"), self.tr("Audio only")])
        self.quality.setCurrentIndex(chosen)
        self._show_link()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_link(self) -> None:
        item = self._link
        if item is None:
            self.link_label.setText(self.tr("Not checked yet (Tools → Pre-session check)."))
            self.quality_note.setText("")
            return
        grade = {"good": self.tr("Good"), "poor": self.tr("Poor"), "unfit": self.tr("Unfit")}[item.grade.value]
        colour = GRADE_COLOURS[item.grade].name()
        self.link_label.setText(f"<b style='color:{colour}'>{grade}</b> — " + advice_text(item.advice, item.measured))
        if self._suggested != "high":
            self.quality_note.setText(self.tr("Chosen for you from the last link check; you can change it."))

    # -- the devices ----------------------------------------------------------------------------------

    def open_devices(self) -> None:
        s = self._settings
        self.self_view.show_message(self.tr("Opening the camera…"))
        self.feed.start(CameraSource(s.camera), s.camera_width, s.camera_height, s.camera_fps)
        try:
            rescan()
            self.mic = MicrophoneCapture(device=s.microphone or None, samplerate=s.microphone_samplerate,
                                         channels=s.microphone_channels).start()
        except AudioUnavailable as error:
            self.mic = None
            self.mic_problem = device_problem(error.code, error.params, f"{error} ({error.fix})")
            self.mic_state.setText(self.mic_problem + "\n" + self.tr("You can still join: the others will see you "
                                                                     "but not hear you."))
        else:
            self._meter.start()

    def on_camera_state(self, state: str, message: str) -> None:
        state = CameraState(state)
        capture = self.feed.capture
        if state is CameraState.LIVE:
            self.self_view.show_message("")
            self.camera_state.setText("")
        elif state in (CameraState.RECONNECTING, CameraState.FAILED):
            error = capture.error if capture else None
            text = device_problem(error.code, error.params, str(error)) if error else device_problem("camera.lost", {},
                                                                                                        message)
            self.self_view.show_message(text)
            self.camera_state.setText(self.tr("You can still join: the others will see your name instead."))

    def on_meter_tick(self) -> None:
        if self.mic is not None:
            levels = self.mic.levels
            self.meter.set_levels(levels.rms_dbfs, levels.peak_dbfs)

    @property
    def chosen_quality(self) -> str:
        return QUALITIES[max(0, self.quality.currentIndex())]

    def take_devices(self):
        """(camera feed, microphone) for the session: this dialog no longer closes them."""
        self._meter.stop()
        feed, mic = self.feed, self.mic
        feed.frame_ready.disconnect(self.self_view.on_frame_ready)  # the window's self view takes them now
        feed.state_changed.disconnect(self.on_camera_state)
        feed.setParent(None)
        self.self_view.clear()
        self.feed, self.mic = None, None
        return feed, mic

    def release_devices(self) -> None:
        self._meter.stop()
        if self.feed is not None:
            self.feed.stop()
        if self.mic is not None:
            self.mic.stop()
            self.mic = None

    def done(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted:
            self.release_devices()
        super().done(result)
