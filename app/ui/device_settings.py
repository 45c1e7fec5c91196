"""Device settings for IT staff: camera, microphone, speaker and the hub address, each testable here."""

import time
from dataclasses import replace
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout)

from app.media import audio
from app.media.camera import CameraSource, CameraState, probe_devices
from app.services.settings import Settings

from .camera_view import CameraFeed, CameraPreview
from .level_meter import LevelMeter
from .runner import TaskRunner
from .texts import device_problem

RESOLUTIONS = ((640, 480), (1280, 720), (1920, 1080))
PLAYBACK_SECONDS = 3


class DeviceSettingsDialog(QDialog):
    def __init__(self, settings: Settings, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self._settings = settings
        self._runner = runner
        self.mic: audio.MicrophoneCapture | None = None
        self._playback_due = 0.0

        self.camera = QComboBox()
        self.camera.setEditable(True)
        self.camera.setMinimumWidth(380)
        self.resolution = QComboBox()
        for width, height in RESOLUTIONS:
            self.resolution.addItem(f"{width}×{height}", f"{width}x{height}")
        self.fps = QSpinBox()
        self.fps.setRange(5, 60)
        self.camera_test = QPushButton(checkable=True)
        self.feed = CameraFeed(self)
        self.preview = CameraPreview(self.feed)
        self.preview.setMinimumSize(400, 225)
        self.camera_status = QLabel()
        self.camera_status.setWordWrap(True)
        self.microphone = QComboBox()
        self.samplerate = QComboBox()
        for rate in (16000, 44100, 48000):
            self.samplerate.addItem(f"{rate} Hz", rate)
        self.channels = QComboBox()
        self.meter = LevelMeter()
        self.mic_status = QLabel()
        self.mic_status.setWordWrap(True)
        self.speaker = QComboBox()
        self.tone_button = QPushButton()
        self.playback_button = QPushButton()
        self.speaker_status = QLabel()
        self.speaker_status.setWordWrap(True)
        self.check_url = QLineEdit()
        self.error = QLabel()
        self.error.setObjectName("fieldMessage")
        self.error.setProperty("severity", "error")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)

        self.camera_group, self.sound_group, self.link_group = QGroupBox(), QGroupBox(), QGroupBox()
        camera_form = QFormLayout(self.camera_group)
        self._labels = {name: QLabel() for name in ("camera", "resolution", "fps", "microphone", "samplerate",
                                                    "channels", "speaker", "url")}
        camera_form.addRow(self._labels["camera"], self.camera)
        camera_form.addRow(self._labels["resolution"], self.resolution)
        camera_form.addRow(self._labels["fps"], self.fps)
        camera_form.addRow(self.camera_test)
        camera_form.addRow(self.preview)
        camera_form.addRow(self.camera_status)
        sound_form = QFormLayout(self.sound_group)
        sound_form.addRow(self._labels["microphone"], self.microphone)
        sound_form.addRow(self._labels["samplerate"], self.samplerate)
        sound_form.addRow(self._labels["channels"], self.channels)
        sound_form.addRow(self.meter)
        sound_form.addRow(self.mic_status)
        sound_form.addRow(self._labels["speaker"], self.speaker)
        speaker_row = QHBoxLayout()
        speaker_row.addWidget(self.tone_button)
        speaker_row.addWidget(self.playback_button)
        speaker_row.addStretch(1)
        sound_form.addRow(speaker_row)
        sound_form.addRow(self.speaker_status)
        link_form = QFormLayout(self.link_group)
        link_form.addRow(self._labels["url"], self.check_url)
        columns = QHBoxLayout()
        columns.addWidget(self.camera_group, 3)
        right = QVBoxLayout()
        right.addWidget(self.sound_group)
        right.addWidget(self.link_group)
        right.addStretch(1)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._load(settings)
        self.camera_test.toggled.connect(self.on_camera_test_toggled)
        self.feed.state_changed.connect(self.on_camera_state)
        for combo in (self.microphone, self.samplerate, self.channels):
            combo.currentIndexChanged.connect(lambda _i: self.restart_microphone())
        self.tone_button.clicked.connect(self.play_tone)
        self.playback_button.clicked.connect(self.record_and_play_back)
        self.buttons.accepted.connect(self.accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        self._meter_timer = QTimer(self, interval=33)
        self._meter_timer.timeout.connect(self.on_meter_tick)
        self.retranslate()
        self.error.hide()
        # A microphone plugged in, or a sound system started, since PortAudio last looked: look again
        # (here, before this dialog opens its own microphone, while no stream is open).
        audio.rescan()
        self._runner.run(self._discover, self._on_discovered, owner=self)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Device settings"))
        self.camera_group.setTitle(self.tr("Camera"))
        self.sound_group.setTitle(self.tr("Microphone and speaker"))
        self.link_group.setTitle(self.tr("Link to the hub"))
        for name, text in (("camera", self.tr("Camera")), ("resolution", self.tr("Resolution")),
                           ("fps", self.tr("Frames per second")), ("microphone", self.tr("Microphone")),
                           ("speaker", self.tr("Speaker")), ("url", self.tr("Address to check")),
                           ("samplerate", self.tr("Sample rate")), ("channels", self.tr("Channels"))):
            self._labels[name].setText(text)
        self.camera.lineEdit().setPlaceholderText(self.tr("USB number (0, 1…), rtsp://… or http://… of an IP camera"))
        self.camera_test.setText(self.tr("Stop the test") if self.camera_test.isChecked() else self.tr("Test the camera"))
        self.tone_button.setText(self.tr("Play a test tone"))
        self.playback_button.setText(self.tr("Record 3 s and play back"))
        self.check_url.setPlaceholderText(self.tr("Empty: the hub this station is enrolled with"))
        self.microphone.setItemText(0, self.tr("System default"))
        current = self.channels.currentData() or self._settings.microphone_channels
        self.channels.blockSignals(True)  # relabelling is not a new choice
        self.channels.clear()
        self.channels.addItem(self.tr("1 (mono)"), 1)
        self.channels.addItem(self.tr("2 (stereo)"), 2)
        self.channels.setCurrentIndex(max(0, self.channels.findData(current)))
        self.channels.blockSignals(False)
        # Qt ships no Vietnamese for its standard buttons: name them ourselves.
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.speaker.setItemText(0, self.tr("System default"))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- values in and out ------------------------------------------------------------

    def _load(self, s: Settings) -> None:
        # The list holds the cameras found (filled in by _on_discovered); the setting is only the text shown.
        self.camera.setCurrentText(s.camera)
        index = self.resolution.findData(f"{s.camera_width}x{s.camera_height}")
        if index < 0:
            self.resolution.addItem(f"{s.camera_width}×{s.camera_height}", f"{s.camera_width}x{s.camera_height}")
            index = self.resolution.count() - 1
        self.resolution.setCurrentIndex(index)
        self.fps.setValue(s.camera_fps)
        if self.samplerate.findData(s.microphone_samplerate) < 0:
            self.samplerate.addItem(f"{s.microphone_samplerate} Hz", s.microphone_samplerate)
        self.samplerate.setCurrentIndex(self.samplerate.findData(s.microphone_samplerate))
        for combo, current in ((self.microphone, s.microphone), (self.speaker, s.speaker)):
            combo.addItem("", "")
            if current:
                combo.addItem(current, current)
                combo.setCurrentIndex(1)
        self.check_url.setText(s.check_url)

    def _discover(self) -> tuple[list[int], list[audio.AudioDevice]]:
        try:
            sound = audio.list_devices()
        except audio.AudioUnavailable:
            sound = []
        return probe_devices(), sound

    def _on_discovered(self, found) -> None:
        cameras, sound = found
        typed = self.camera.currentText()
        self.camera.blockSignals(True)
        for index in cameras:
            if self.camera.findText(str(index)) < 0:
                self.camera.addItem(str(index))
        self.camera.setCurrentText(typed)  # adding the first item would put it in the field
        self.camera.blockSignals(False)
        if not cameras and not self.camera_status.text():  # a camera test's own result says more
            self.camera_status.setText(self.tr("No USB camera found on this computer. Plug one in and open this "
                                               "window again, or type the address of an IP camera "
                                               "(rtsp://… or http://…)."))
        for combo, wanted in ((self.microphone, "inputs"), (self.speaker, "outputs")):
            combo.blockSignals(True)
            for device in sound:
                if getattr(device, wanted) and combo.findData(device.name) < 0:
                    combo.addItem(device.name, device.name)
            combo.blockSignals(False)
        if not sound:
            self.mic_status.setText(device_problem("microphone.missing", {}, "no microphone found"))

    def settings(self) -> Settings:
        width, height = (int(x) for x in self.resolution.currentData().split("x"))
        return replace(self._settings, camera=self.camera.currentText().strip(), camera_width=width,
                       camera_height=height, camera_fps=self.fps.value(),
                       microphone=self.microphone.currentData() or "", speaker=self.speaker.currentData() or "",
                       microphone_samplerate=self.samplerate.currentData(),
                       microphone_channels=self.channels.currentData() or 1,
                       check_url=self.check_url.text().strip())

    def problems(self) -> list[str]:
        chosen = self.settings()
        found = []
        if not chosen.camera:
            found.append(self.tr("Camera: enter a USB number, a video file or the camera's address."))
        elif CameraSource(chosen.camera).is_url and urlsplit(chosen.camera).scheme not in ("rtsp", "rtsps", "http",
                                                                                             "https"):
            found.append(self.tr("Camera: the address must start with rtsp:// or http://."))
        if chosen.check_url and (urlsplit(chosen.check_url).scheme not in ("http", "https")
                                 or not urlsplit(chosen.check_url).hostname):
            found.append(self.tr("Address to check: it must start with http:// or https://."))
        return found

    def accept_if_valid(self) -> None:
        found = self.problems()
        if found:
            self.error.setText("\n".join(found))
            self.error.show()
            return
        self.accept()

    # -- tests -------------------------------------------------------------------------

    def on_camera_test_toggled(self, on: bool) -> None:
        if on:
            chosen = self.settings()
            self.preview.show_message(self.tr("Opening the camera…"))
            self.feed.start(CameraSource(chosen.camera), chosen.camera_width, chosen.camera_height, chosen.camera_fps,
                            reconnect=False)
        else:
            self.feed.stop()
            self.preview.clear()
        self.retranslate()

    def on_camera_state(self, state: str, _message: str) -> None:
        capture = self.feed.capture
        if capture is None:
            return
        if CameraState(state) is CameraState.LIVE:
            self.preview.show_message("")
            QTimer.singleShot(2000, self._show_camera_rate)
        elif CameraState(state) in (CameraState.FAILED, CameraState.RECONNECTING) and capture.error is not None:
            text = device_problem(capture.error.code, capture.error.params, str(capture.error))
            self.preview.show_message(text)
            self.camera_status.setText(text)

    def _show_camera_rate(self) -> None:
        capture = self.feed.capture
        if capture is not None and capture.size is not None:
            self.camera_status.setText(self.tr("%1×%2, %3 frames per second measured")
                                       .replace("%1", str(capture.size[0])).replace("%2", str(capture.size[1]))
                                       .replace("%3", f"{capture.measured_fps:.0f}"))

    def restart_microphone(self) -> None:
        self.stop_microphone()
        try:
            chosen = self.settings()
            self.mic = audio.MicrophoneCapture(device=chosen.microphone or None, samplerate=chosen.microphone_samplerate,
                                               channels=chosen.microphone_channels).start()
        except audio.AudioUnavailable as error:
            self.mic = None
            self.mic_status.setText(device_problem(error.code, error.params, f"{error} ({error.fix})"))
            return
        self.mic_status.clear()
        self._meter_timer.start()

    def stop_microphone(self) -> None:
        self._meter_timer.stop()
        if self.mic is not None:
            self.mic.stop()
            self.mic = None

    def on_meter_tick(self) -> None:
        if self.mic is None:
            return
        levels = self.mic.levels
        self.meter.set_levels(levels.rms_dbfs, levels.peak_dbfs)
        if self._playback_due and time.monotonic() >= self._playback_due:
            self._playback_due = 0.0
            samples = self.mic.last(PLAYBACK_SECONDS)
            self._play(samples, self.tr("Playing back what was recorded…"), self.mic.samplerate)
        elif self._playback_due:
            left = int(self._playback_due - time.monotonic()) + 1
            self.speaker_status.setText(self.tr("Recording… speak now (%1 s)").replace("%1", str(left)))

    def play_tone(self) -> None:
        self._play(audio.tone(880, 1.0), self.tr("Playing a test tone: you should hear a beep."))

    def record_and_play_back(self) -> None:
        if self.mic is None:
            self.speaker_status.setText(device_problem("microphone.missing", {}, "no microphone"))
            return
        self._playback_due = time.monotonic() + PLAYBACK_SECONDS

    def _play(self, samples, text: str, samplerate: int = audio.SAMPLE_RATE) -> None:
        self.speaker_status.setText(text)
        device = self.speaker.currentData() or None
        self._runner.run(lambda: audio.play(samples, device=device, samplerate=samplerate),
                         lambda _r: self.speaker_status.setText(self.tr("Done.")), self._on_play_error, owner=self)

    def _on_play_error(self, error: BaseException) -> None:
        if not isinstance(error, audio.AudioUnavailable):
            raise error
        self.speaker_status.setText(device_problem(error.code, error.params, f"{error} ({error.fix})"))

    # -- on screen or not ----------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.restart_microphone()

    def done(self, result: int) -> None:
        self.stop_microphone()
        self.feed.stop()
        super().done(result)
