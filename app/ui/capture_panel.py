"""Photos, clips and sound for a case: camera preview, level meter, attachment list.

The camera and microphone run only while this panel is on screen.
"""

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QLocale, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSplitter, QTableView, QVBoxLayout, QWidget)

from app.domain.attachment import AttachmentKind
from app.domain.case import ConsultationCase
from app.domain.lifecycle import EDITABLE
from app.imaging.previews import preview
from app.media.audio import AudioUnavailable, MicrophoneCapture, rescan
from app.media.camera import CameraSource, CameraState, CameraUnavailable

from .attachment_list import AttachmentListModel
from .camera_view import CameraFeed, CameraPreview
from .level_meter import LevelMeter
from .media_services import MediaServices
from .picture_view import PictureView
from .runner import TaskRunner
from .texts import device_problem

METER_INTERVAL_MS = 33  # 30 updates a second
MIC_RETRY_MS = 2000     # a lost microphone is looked for again this often, while the panel is on screen
ICON = 40       # attachment thumbnails in the list


def pixels_to_qimage(pixels) -> QImage:
    """RGB or grey uint8 pixels as a QImage owning its copy."""
    import numpy as np

    pixels = np.ascontiguousarray(pixels)
    fmt = QImage.Format.Format_RGB888 if pixels.ndim == 3 else QImage.Format.Format_Grayscale8
    return QImage(pixels.data, pixels.shape[1], pixels.shape[0], pixels.strides[0], fmt).copy()


class CapturePanel(QWidget):
    attachments_changed = Signal(int)  # how many the case has
    imaging_added = Signal()           # new DICOM images: the viewer reloads
    problem = Signal(str)              # a device or storage problem, in the user's language

    def __init__(self, media: MediaServices, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self._capture = media.capture()
        self._attachments = media.attachments()
        self._runner = runner
        self._settings = media.settings
        self._imports = media.imports() if media.imports is not None else None
        self.last_import = None  # the latest ImportReport, for the curious (and the tests)
        self._case: ConsultationCase | None = None
        self.mic: MicrophoneCapture | None = None
        self._clip = None  # (ClipRecorder, PendingRecording)
        self._voice = None  # PendingRecording
        self._recording_since = 0.0
        self._camera_lent = False  # the camera was on when lent to device settings or the check
        self.lent_to = ""  # who has the camera and microphone now ("" = this panel); a live window is non-modal

        self.feed = CameraFeed(self)
        self.preview = CameraPreview(self.feed)
        self.camera_state = QLabel()
        self.camera_state.setWordWrap(True)
        self.camera_button = QPushButton(checkable=True)
        self.photo_button = QPushButton()
        self.clip_button = QPushButton(checkable=True)
        self.meter = LevelMeter()
        self.mic_state = QLabel()
        self.mic_state.setWordWrap(True)
        self.voice_button = QPushButton(checkable=True)
        self.recording_label = QLabel()
        self.recording_label.setObjectName("recordingLabel")
        self.model = AttachmentListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setIconSize(QSize(ICON, ICON))
        self.picture = PictureView()  # the chosen attachment, whole, fitted beside the list
        self._shown = None  # the attachment whose picture is asked for or shown
        self.remove_button = QPushButton()
        self.add_files_button = QPushButton()
        self.add_folder_button = QPushButton()
        self.setAcceptDrops(True)

        self.camera_group = QGroupBox()
        camera_layout = QVBoxLayout(self.camera_group)
        camera_layout.addWidget(self.preview, 1)
        camera_layout.addWidget(self.camera_state)
        row = QHBoxLayout()
        for button in (self.camera_button, self.photo_button, self.clip_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.recording_label)
        camera_layout.addLayout(row)
        self.sound_group = QGroupBox()
        sound_layout = QHBoxLayout(self.sound_group)
        sound_layout.addWidget(self.meter, 1)
        sound_layout.addWidget(self.voice_button)
        self.files_group = QGroupBox()
        files_layout = QVBoxLayout(self.files_group)
        files_split = QSplitter()
        files_split.addWidget(self.table)
        files_split.addWidget(self.picture)
        files_split.setStretchFactor(0, 1)
        files_split.setStretchFactor(1, 1)  # room for the picture: a page is read there
        files_layout.addWidget(files_split)
        files_row = QHBoxLayout()
        files_row.addWidget(self.add_files_button)
        files_row.addWidget(self.add_folder_button)
        files_row.addStretch(1)
        files_row.addWidget(self.remove_button)
        files_layout.addLayout(files_row)
        layout = QVBoxLayout(self)
        self.preview.setMinimumSize(240, 135)  # on a 720-line screen the files' picture needs the room too
        layout.addWidget(self.camera_group, 1)
        layout.addWidget(self.sound_group)
        layout.addWidget(self.mic_state)
        layout.addWidget(self.files_group, 2)

        self.camera_button.toggled.connect(self.on_camera_toggled)
        self.photo_button.clicked.connect(self.take_photo)
        self.clip_button.toggled.connect(self.on_clip_toggled)
        self.voice_button.toggled.connect(self.on_voice_toggled)
        self.remove_button.clicked.connect(self.remove_selected)
        self.add_files_button.clicked.connect(self.choose_files)
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.table.doubleClicked.connect(self.open_attachment)
        self.table.selectionModel().currentRowChanged.connect(self.on_attachment_chosen)
        self.picture.grown.connect(self._show_sharper)
        self.feed.state_changed.connect(self.on_camera_state)
        self._meter_timer = QTimer(self, interval=METER_INTERVAL_MS)
        self._meter_timer.timeout.connect(self.on_meter_tick)
        self._mic_retry = QTimer(self, interval=MIC_RETRY_MS)
        self._mic_retry.timeout.connect(self.on_microphone_retry)
        self.retranslate()
        self._update_buttons()

    # -- text ---------------------------------------------------------------------

    def retranslate(self) -> None:
        self.camera_group.setTitle(self.tr("Camera"))
        self.sound_group.setTitle(self.tr("Microphone"))
        self.files_group.setTitle(self.tr("Attached files"))
        self.camera_button.setText(self.tr("Turn camera off") if self.camera_button.isChecked()
                                   else self.tr("Turn camera on"))
        self.photo_button.setText(self.tr("Take photo"))
        self.clip_button.setText(self.tr("Stop recording") if self.clip_button.isChecked() else self.tr("Record video"))
        self.voice_button.setText(self.tr("Stop") if self.voice_button.isChecked() else self.tr("Record sound"))
        self.remove_button.setText(self.tr("Remove selected file"))
        self.add_files_button.setText(self.tr("Add files…"))
        self.add_files_button.setToolTip(self.tr("Photos, PDF, lab results, DICOM images or a ZIP; "
                                                 "you can also drop files here"))
        self.add_folder_button.setText(self.tr("Add a folder or CD…"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.model.COLUMNS) - 1)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def heightForWidth(self, width: int) -> int:
        # Asked by the tab's scroll area: scroll only when the least it can do with does not fit (the default,
        # what its parts would like, scrolled the picture of a file half off a 720-line screen).
        return self.layout().minimumHeightForWidth(width)

    # -- the case -----------------------------------------------------------------

    @property
    def editable(self) -> bool:
        return self._case is not None and self._case.status in EDITABLE

    def set_case(self, case: ConsultationCase | None) -> None:
        if self._case is None or case is None or case.id != self._case.id:
            self.stop_recordings()
        self._case = case
        self.model.set_attachments([])
        if case is not None:
            self.refresh()
        self._update_buttons()

    def refresh(self) -> None:
        if self._case is None:
            return
        case_id = self._case.id
        self._runner.run(lambda: self._attachments.list(case_id), self._on_listed, owner=self)

    def _on_listed(self, attachments) -> None:
        if self._case is not None and all(a.case_id == self._case.id for a in attachments):
            self.model.set_attachments(attachments)
            self.attachments_changed.emit(len(attachments))
            self._shown = None
            self.picture.clear()
            firsts = [self.model.attachment(r) for r in range(self.model.rowCount())]
            wanted = [(a.id, self._attachments.path(a), a.media_type) for a in firsts if not self.model.has_icon(a.id)]
            if wanted:
                self._runner.run(lambda: [(i, preview(p, m, ICON)) for i, p, m in wanted], self._on_icons, owner=self)

    def _on_icons(self, icons) -> None:
        for attachment_id, pixels in icons:
            if pixels is not None:
                self.model.set_icon(attachment_id, QIcon(QPixmap.fromImage(pixels_to_qimage(pixels))))

    def on_attachment_chosen(self, current, _previous) -> None:
        if not current.isValid():
            return
        self._shown = self.model.attachment(current.row())
        self.picture.set_message(self.tr("Loading…"))
        self.picture.set_page(self._shown.media_type == "application/pdf")  # read across the width, scrolled
        self._ask_picture()

    def _ask_picture(self) -> None:
        """The picture at the size it is shown, times the screen's pixel ratio: sharp, and a page readable."""
        attachment = self._shown
        path, box = self._attachments.path(attachment), self.picture.wanted_pixels()
        self.picture.asked = box
        self._runner.run(lambda: preview(path, attachment.media_type, box),
                         lambda pixels: self._show_preview(attachment, pixels), owner=self)

    def _show_sharper(self) -> None:
        if self._shown is not None and self.picture.image() is not None:
            self._ask_picture()

    def _show_preview(self, attachment, pixels) -> None:
        if attachment is not self._shown:
            return  # another file was chosen meanwhile
        if pixels is None:
            self.picture.set_message(self.tr("No preview for %1: double-click to open it.")
                                     .replace("%1", attachment.original_name))
            return
        self.picture.set_image(pixels_to_qimage(pixels))

    def _update_buttons(self) -> None:
        live = self.feed.live
        self.camera_button.setEnabled(not self.lent_to)
        self.photo_button.setEnabled(live and self.editable)
        self.clip_button.setEnabled((live and self.editable) or self._clip is not None)
        self.voice_button.setEnabled((self.mic is not None and self.editable) or self._voice is not None)
        self.remove_button.setEnabled(self.editable)
        for button in (self.add_files_button, self.add_folder_button):
            button.setEnabled(self.editable and self._imports is not None)

    # -- camera -------------------------------------------------------------------

    def on_camera_toggled(self, on: bool) -> None:
        if on:
            s = self._settings()
            self.preview.show_message(self.tr("Opening the camera…"))
            self.feed.start(CameraSource(s.camera), s.camera_width, s.camera_height, s.camera_fps)
        else:
            self.stop_clip()
            self.feed.stop()
            self.preview.clear()
            self.preview.show_message("")
            self.camera_state.clear()
        self.retranslate()
        self._update_buttons()

    def on_camera_state(self, state: str, _message: str) -> None:
        state = CameraState(state)
        capture = self.feed.capture
        if state is CameraState.LIVE:
            self.preview.show_message("")
            self.camera_state.setText(self.tr("%1 — live").replace("%1", self.camera_name(capture.source) if capture
                                                                   else ""))
        elif state in (CameraState.RECONNECTING, CameraState.FAILED):
            error = capture.error if capture else None
            text = device_problem(error.code, error.params, str(error)) if error else \
                device_problem("camera.lost", {}, "")
            self.preview.show_message("")  # said once, under the picture
            self.camera_state.setText(text)
            if self._clip is not None:
                self.stop_clip()
                self.problem.emit(self.tr("The camera was lost during the recording; what was recorded is kept."))
        self._update_buttons()

    def camera_name(self, source: CameraSource) -> str:
        """The camera as the user reads it (an address is shown as typed, without its password)."""
        if source.is_device:
            return self.tr("USB camera %1").replace("%1", source.text.strip())
        return source.label()

    def take_photo(self) -> None:
        capture, case = self.feed.capture, self._case
        if capture is None or case is None:
            return
        width, height = capture.size or (0, 0)
        self._runner.run(lambda: self._capture.attach_photo(case.id, capture.snapshot_jpeg(), capture.source.label(),
                                                            width, height),
                         lambda _a: self.refresh(), self._on_error, owner=self)

    def on_clip_toggled(self, on: bool) -> None:
        if on and self._clip is None:
            self.start_clip()
        elif not on and self._clip is not None:
            self.stop_clip()
        self.retranslate()

    def start_clip(self) -> None:
        from app.media.recorder import ClipRecorder

        capture = self.feed.capture
        if capture is None or capture.size is None or self._case is None:
            return
        pending = self._capture.start_recording(self._case.id, AttachmentKind.VIDEO, ".mp4",
                                                {"camera": capture.source.label()})
        recorder = ClipRecorder(pending.path, *capture.size, fps=self._settings().camera_fps,
                                samplerate=self.mic.samplerate if self.mic else None,
                                channels=self.mic.channels if self.mic else 1)
        capture.add_listener(recorder.add_frame)
        if self.mic is not None:
            self.mic.add_listener(recorder.add_audio)
        self._clip = (recorder, pending)
        self._start_recording_clock()

    def stop_clip(self) -> None:
        if self._clip is None:
            return
        recorder, pending = self._clip
        self._clip = None
        if self.feed.capture is not None:
            self.feed.capture.remove_listener(recorder.add_frame)
        if self.mic is not None:
            self.mic.remove_listener(recorder.add_audio)
        self.clip_button.blockSignals(True)
        self.clip_button.setChecked(False)
        self.clip_button.blockSignals(False)
        self._stop_recording_clock()

        def finish():
            recorder.finish()
            return self._capture.finish_recording(pending, {"duration_s": round(recorder.duration_s, 1),
                                                            "frames": recorder.video_frames,
                                                            "dropped_frames": recorder.dropped_frames})

        self._runner.run(finish, lambda _a: self.refresh(), self._on_error, owner=self)
        self.retranslate()
        self._update_buttons()

    # -- microphone -----------------------------------------------------------------

    def start_microphone(self, quiet: bool = False, look_again: bool = True) -> bool:
        """Open the chosen microphone; PortAudio's device list is read again first (one plugged in since),
        unless `look_again` is False (the devices come back from a window that has just listed them)."""
        if self.mic is not None:
            return True
        try:
            if look_again:
                rescan()
            chosen = self._settings()
            self.mic = MicrophoneCapture(device=chosen.microphone or None, samplerate=chosen.microphone_samplerate,
                                         channels=chosen.microphone_channels).start()
        except AudioUnavailable as error:
            self.mic = None
            if not quiet:
                self.mic_state.setText(device_problem(error.code, error.params, f"{error} ({error.fix})"))
        else:
            self._mic_retry.stop()
            self.mic_state.clear()
            self._meter_timer.start()
        self._update_buttons()
        return self.mic is not None

    def on_microphone_lost(self) -> None:
        """The microphone stopped delivering (pulled out, the sound system died): say so, keep what was recorded."""
        recording = self._voice is not None
        if self._clip is not None and self.mic is not None:
            self.mic.remove_listener(self._clip[0].add_audio)  # the video goes on, silent
        if recording:
            self.stop_voice(lost=True)
        if self.mic is not None:
            self.mic.stop()
            self.mic = None
        self.meter.set_levels(-120, -120)
        self.mic_state.setText(self.tr("The microphone stopped giving sound (unplugged, or the sound system "
                                       "stopped). Looking for it again…"))
        if not recording:
            self.problem.emit(self.tr("The microphone stopped giving sound; looking for it again…"))
        self._stop_recording_clock()
        self._mic_retry.start()
        self._update_buttons()

    def on_microphone_retry(self) -> None:
        if not self.isVisible() or self.start_microphone(quiet=True):
            self._mic_retry.stop()
        if self.mic is not None:
            self.problem.emit(self.tr("The microphone is back."))

    def stop_microphone(self) -> None:
        self.stop_voice()
        self._mic_retry.stop()
        self._meter_timer.stop()
        if self.mic is not None:
            self.mic.stop()
            self.mic = None
        self.meter.set_levels(-120, -120)
        self._update_buttons()

    def on_meter_tick(self) -> None:
        if self.mic is not None and self.mic.lost:
            self.on_microphone_lost()
        if self.mic is not None:
            levels = self.mic.levels
            self.meter.set_levels(levels.rms_dbfs, levels.peak_dbfs)
        if self._clip is not None or self._voice is not None:
            seconds = int(time.monotonic() - self._recording_since)
            self.recording_label.setText(f"● {seconds // 60:02d}:{seconds % 60:02d}")

    def on_voice_toggled(self, on: bool) -> None:
        if on and self._voice is None and self.mic is not None and self._case is not None:
            self._voice = self._capture.start_recording(self._case.id, AttachmentKind.AUDIO, ".flac",
                                                        {"device": self._settings().microphone or "default"})
            self.mic.start_recording(self._voice.path)
            self._start_recording_clock()
        elif not on:
            self.stop_voice()
        self.retranslate()
        self._update_buttons()

    def stop_voice(self, lost: bool = False) -> None:
        if self._voice is None:
            return
        pending, self._voice = self._voice, None
        recording = self.mic.stop_recording() if self.mic is not None else None
        self.voice_button.blockSignals(True)
        self.voice_button.setChecked(False)
        self.voice_button.blockSignals(False)
        self._stop_recording_clock()
        if recording is None or recording.frames == 0:
            self._capture.discard(pending)
            self.problem.emit(self.tr("Nothing was recorded: the microphone gave no sound."))
            self.retranslate()
            return
        duration = round(recording.duration_s, 1)
        if lost:
            self.problem.emit(self.tr("The microphone stopped giving sound during the recording: what was recorded "
                                      "(%1 s) is kept.").replace("%1", QLocale().toString(duration, "f", 1)))
        self._runner.run(lambda: self._capture.finish_recording(pending, {"duration_s": duration}),
                         lambda _a: self.refresh(), self._on_error, owner=self)
        self.retranslate()

    def _start_recording_clock(self) -> None:
        self._recording_since = time.monotonic()
        self._meter_timer.start()

    def _stop_recording_clock(self) -> None:
        if self._clip is None and self._voice is None:
            self.recording_label.clear()
            if self.mic is None:
                self._meter_timer.stop()

    def stop_recordings(self) -> None:
        self.stop_clip()
        self.stop_voice()

    # -- files ------------------------------------------------------------------------

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        ids = [a.id for r in rows for a in self.model.attachments_of(r)]  # a series goes whole
        if ids:
            self._runner.run(lambda: [self._attachments.remove(i) for i in ids], lambda _r: self.refresh(),
                             self._on_error, owner=self)

    def choose_files(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        paths, _filter = QFileDialog.getOpenFileNames(self, self.tr("Add files to the case"))
        if paths:
            self.import_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder or a CD"))
        if folder:
            self.import_paths([Path(folder)])

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and self.editable and self._imports is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def import_paths(self, paths: list[Path]) -> None:
        from .import_flow import ImportJob

        if self._case is None or self._imports is None:
            return
        job = ImportJob(self._imports, self._runner, self)
        job.finished.connect(self.on_imported)
        job.failed.connect(self._on_error)
        job.start(self._case.id, paths)

    def on_imported(self, report) -> None:
        from .import_flow import ImportResultsDialog

        self.last_import = report
        self.refresh()
        if any(r.kind is AttachmentKind.IMAGING for r in report.results if r.status == "imported"):
            self.imaging_added.emit()
        self.import_results = ImportResultsDialog(report, self)
        self.import_results.show()

    def open_attachment(self, index) -> None:
        attachment = self.model.attachment(index.row())
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._attachments.path(attachment))))

    def _on_error(self, error: BaseException) -> None:
        from app.storage.errors import StorageError

        from .storage_messages import storage_message

        if isinstance(error, StorageError):
            self.problem.emit(storage_message(error))
        elif isinstance(error, (AudioUnavailable, CameraUnavailable)):
            self.problem.emit(device_problem(error.code, error.params, str(error)))
        else:
            raise error

    # -- on screen or not -------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.lent_to:  # lent to a live window: it keeps them until it gives them back
            self.start_microphone()

    def hideEvent(self, event) -> None:
        self.release_devices()
        super().hideEvent(event)

    def hand_over_devices(self, to: str) -> None:
        """Lend the camera and microphone to a window that tests them ("settings" or "check"): one owner at a time.

        A recording running is stopped and kept, and the user is told; `take_back_devices` gives them back.
        """
        borrower = {"settings": self.tr("the device settings"), "check": self.tr("the pre-session check"),
                    "live": self.tr("the live consultation")}[to]
        self._camera_lent = self.camera_button.isChecked() or self._camera_lent
        self.lent_to = to
        recording = self._clip is not None or (self._voice is not None and self.mic is not None)
        self.release_devices()
        if recording:
            self.problem.emit(self.tr("The recording was stopped and kept: %1 needs the camera and microphone.")
                              .replace("%1", borrower))
        text = self.tr("The camera and microphone are in use by %1; they come back here when it closes.") \
            .replace("%1", borrower)
        self.camera_state.setText(text)  # said once, under the picture
        self.preview.show_message("")
        self.mic_state.setText(text)

    def take_back_devices(self) -> None:
        """After the lending window closed: the microphone, and the camera if it was on, come back here."""
        lent, self._camera_lent = self._camera_lent, False
        self.lent_to = ""
        self._update_buttons()
        self.camera_state.clear()
        self.preview.show_message("")
        self.mic_state.clear()
        if not self.isVisible():
            return  # the devices open when the tab is shown again
        # No PortAudio restart here: the lending window listed the devices just now, and restarting
        # PortAudio while that window's streams are still being closed is what a sound library dislikes most.
        self.start_microphone(look_again=False)
        if lent:
            self.camera_button.setChecked(True)
            self.problem.emit(self.tr("The camera is back on this tab."))

    def release_devices(self) -> None:
        """Let another window use the camera and microphone (a device is one program's at a time)."""
        self.stop_microphone()
        if self.camera_button.isChecked():
            self.camera_button.setChecked(False)

    def shutdown(self) -> None:
        """Before quitting: finish recordings (queued to the runner) and release the devices."""
        self.stop_recordings()
        self.stop_microphone()
        self.feed.stop()
