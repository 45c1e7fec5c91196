"""Adding files to a case from the interface: progress with cancel, then each file's verdict."""

import threading
import weakref
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QProgressDialog, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from .runner import TaskRunner
from .texts import import_reason


class ImportResultsDialog(QDialog):
    """The verdict of one import: modal over its window, and replacing the previous one (never a stack)."""

    _shown: "weakref.ref[ImportResultsDialog] | None" = None

    def __init__(self, report, parent=None):
        super().__init__(parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Files added"))
        summary = self.tr("Imported: %1. Already in the case: %2. Not accepted: %3.") \
            .replace("%1", str(report.count("imported"))).replace("%2", str(report.count("duplicate"))) \
            .replace("%3", str(report.count("refused")))
        if report.cancelled:
            summary += " " + self.tr("Stopped before the end: what was imported is kept.")
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        for warning in report.warnings:
            label = QLabel(self.tr("Check the patient: the images of study %1 are of “%2” (born %3, sex %4), "
                                   "which does not match this case.")
                           .replace("%1", warning.study_uid[-12:]).replace("%2", warning.dicom_name)
                           .replace("%3", warning.dicom_birth or "?").replace("%4", warning.dicom_sex or "?"))
            label.setObjectName("banner")
            label.setWordWrap(True)
            layout.addWidget(label)
        self.table = QTableWidget(len(report.results), 3)
        self.table.setHorizontalHeaderLabels([self.tr("File"), self.tr("Result"), self.tr("Reason")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        status = {"imported": self.tr("imported"), "duplicate": self.tr("already there"),
                  "refused": self.tr("not accepted")}
        for row, result in enumerate(report.results):
            for column, text in enumerate((result.name, status[result.status],
                                           import_reason(result.code) if result.code else "")):
                self.table.setItem(row, column, QTableWidgetItem(text))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def showEvent(self, event) -> None:
        previous = ImportResultsDialog._shown() if ImportResultsDialog._shown is not None else None
        if previous is not None and previous is not self:
            try:
                previous.close()
            except RuntimeError:  # already deleted by Qt
                pass
        ImportResultsDialog._shown = weakref.ref(self)
        super().showEvent(event)


class ImportJob(QObject):
    """Runs one import on the worker, with a progress dialog whose Cancel stops it between files."""

    finished = Signal(object)  # ImportReport
    failed = Signal(object)    # the exception (storage full, case no longer a draft...)

    def __init__(self, imports, runner: TaskRunner, parent: QWidget):
        super().__init__(parent)
        self._imports = imports
        self._runner = runner
        self._parent = parent
        self._cancel = threading.Event()
        self.progress: QProgressDialog | None = None

    def start(self, case_id: str, paths: list[Path]) -> None:
        self.progress = QProgressDialog(self.tr("Adding files…"), self.tr("Cancel"), 0, 1000, self._parent)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(800)  # only imports longer than a moment show it
        self.progress.canceled.connect(self._cancel.set)
        self._runner.progressed.connect(self.on_progress)
        self._runner.run(lambda: self._imports.import_paths(case_id, paths, self._runner.report, self._cancel.is_set),
                         self.on_done, self.on_failed, owner=self._parent)

    def on_progress(self, fraction: float, name: str) -> None:
        if self.progress is not None:
            self.progress.setValue(int(fraction * 1000))
            if name:
                self.progress.setLabelText(self.tr("Adding %1…").replace("%1", name))

    def _close(self) -> None:
        self._runner.progressed.disconnect(self.on_progress)
        if self.progress is not None:
            self.progress.reset()
            self.progress.deleteLater()
            self.progress = None

    def on_done(self, report) -> None:
        self._close()
        self.finished.emit(report)

    def on_failed(self, error: BaseException) -> None:
        self._close()
        self.failed.emit(error)
