"""The live consultation's controls: microphone, camera, hand, quality, showing images, leave and rejoin."""

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

QUALITIES = ("high", "low", "audio-only")  # the values of app.live.session.Quality, in the combo's order


class LiveControls(QWidget):
    microphone_muted = Signal(bool)
    camera_off = Signal(bool)
    hand_raised = Signal(bool)
    quality_chosen = Signal(str)      # one of QUALITIES
    present_requested = Signal()
    leave_requested = Signal()
    rejoin_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.mic_button = QPushButton(checkable=True)
        self.mic_button.setObjectName("liveMic")
        self.camera_button = QPushButton(checkable=True)
        self.camera_button.setObjectName("liveCamera")
        self.hand_button = QPushButton(checkable=True)
        self.hand_button.setObjectName("liveHand")
        self.quality_label = QLabel()
        self.quality = QComboBox()
        self.present_button = QPushButton(checkable=True)  # on while this site presents (set_toggle)
        self.present_button.setObjectName("livePresent")
        self.leave_button = QPushButton()
        self.leave_button.setObjectName("liveLeave")
        self.leave_button.setStyleSheet("QPushButton#liveLeave { background: #c62828; color: white; "
                                        "padding: 4px 14px; border-radius: 4px; }")
        self.rejoin_button = QPushButton()
        self.rejoin_button.setObjectName("liveRejoin")
        self.rejoin_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.mic_button, self.camera_button, self.hand_button):
            layout.addWidget(widget)
        layout.addSpacing(12)
        layout.addWidget(self.quality_label)
        layout.addWidget(self.quality)
        layout.addWidget(self.present_button)
        layout.addStretch(1)
        layout.addWidget(self.rejoin_button)
        layout.addWidget(self.leave_button)
        self.mic_button.toggled.connect(self._on_mic)
        self.camera_button.toggled.connect(self._on_camera)
        self.hand_button.toggled.connect(self._on_hand)
        self.quality.activated.connect(lambda index: self.quality_chosen.emit(QUALITIES[index]))
        self.present_button.toggled.connect(lambda _on: self._label_toggles())
        self.present_button.clicked.connect(self.present_requested)
        self.leave_button.clicked.connect(self.leave_requested)
        self.rejoin_button.clicked.connect(self.rejoin_requested)
        self.retranslate()

    def retranslate(self) -> None:
        chosen = max(0, self.quality.currentIndex())
        self.quality.clear()
        self.quality.addItems([self.tr("High (720p)"), self.tr("Low bandwidth (360p)"), self.tr("Audio only")])
        self.quality.setCurrentIndex(chosen)
        self.quality.setToolTip(self.tr("On a weak link choose low bandwidth, or audio only with still images"))
        self.quality_label.setText(self.tr("Quality:"))
        self.leave_button.setText(self.tr("Leave"))
        self.rejoin_button.setText(self.tr("Rejoin"))
        self._label_toggles()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _label_toggles(self) -> None:
        self.mic_button.setText(self.tr("Unmute") if self.mic_button.isChecked() else self.tr("Mute"))
        self.mic_button.setToolTip(self.tr("The others do not hear you") if self.mic_button.isChecked() else
                                   self.tr("Turn your microphone off"))
        self.camera_button.setText(self.tr("Start camera") if self.camera_button.isChecked() else
                                   self.tr("Stop camera"))
        self.hand_button.setText(self.tr("Lower hand") if self.hand_button.isChecked() else self.tr("Raise hand"))
        if self.present_button.isChecked():
            self.present_button.setText(self.tr("Stop presenting"))
            self.present_button.setToolTip(self.tr("Every site stops following this station's images"))
        else:
            self.present_button.setText(self.tr("Show images"))
            self.present_button.setToolTip(self.tr("Show the case's images to every site, at full quality"))

    def _on_mic(self, on: bool) -> None:
        self._label_toggles()
        self.microphone_muted.emit(on)

    def _on_camera(self, on: bool) -> None:
        self._label_toggles()
        self.camera_off.emit(on)

    def _on_hand(self, on: bool) -> None:
        self._label_toggles()
        self.hand_raised.emit(on)

    def set_quality(self, quality: str) -> None:
        self.quality.setCurrentIndex(QUALITIES.index(quality) if quality in QUALITIES else 0)

    def set_in_session(self, joined: bool, ended: bool) -> None:
        """Joined: everything works; ended (left or failed): only rejoin."""
        for widget in (self.mic_button, self.camera_button, self.hand_button, self.quality, self.present_button):
            widget.setEnabled(joined)
        # Hidden before the other is shown: both at once made the row wider than the window for a moment,
        # and Qt widened the window for good (leave and rejoin grew it by a button's width).
        going, coming = (self.leave_button, self.rejoin_button) if ended else (self.rejoin_button, self.leave_button)
        going.hide()
        coming.show()

    def set_toggle(self, button: QPushButton, on: bool) -> None:
        """Shows a state the session reports (no signal back)."""
        button.blockSignals(True)
        button.setChecked(on)
        button.blockSignals(False)
        self._label_toggles()
