"""The pre-session check on screen: run it, see each part graded with advice, export the history."""

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from app.domain.check import ADVICE, CheckReport, Grade
from app.services.settings import Settings

from .runner import TaskRunner
from .texts import device_problem

GRADE_COLOURS = {Grade.GOOD: QColor("#2e7d32"), Grade.POOR: QColor("#ef6c00"), Grade.UNFIT: QColor("#c62828")}


def advice_text(code: str, measured: dict) -> str:
    template = QCoreApplication.translate("Check", ADVICE[code])
    try:
        return template.format(**measured)
    except (KeyError, ValueError):
        return template


class CheckDialog(QDialog):
    def __init__(self, checks, settings: Callable[[], Settings], runner: TaskRunner, parent=None):
        super().__init__(parent)
        self._checks = checks
        self._settings = settings
        self._runner = runner
        self.report: CheckReport | None = None
        # The check has the camera and microphone while it runs (lent by the capture tab, which takes them
        # back when this dialog closes): closing is put off until the check has released them.
        self.running = False
        self._close_with: int | None = None
        self.summary = QLabel()
        self.summary.setObjectName("caseTitle")
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.table = QTableWidget(0, 3)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.run_button = QPushButton()
        self.export_button = QPushButton()
        self.close_button = QPushButton()
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.run_button.clicked.connect(self.run_check)
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.accept)
        self._runner.progressed.connect(self.on_progress)
        self.retranslate()
        self.resize(900, 420)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Pre-session check"))
        self.table.setHorizontalHeaderLabels([self.tr("Part"), self.tr("Result"), self.tr("What to do")])
        self.run_button.setText(self.tr("Run the check"))
        self.export_button.setText(self.tr("Export results…"))
        self.close_button.setText(self.tr("Close"))
        if self.report is None:
            self.summary.setText(self.tr("Checks the camera, microphone, speaker and the link to the hub. "
                                         "It takes about 15 seconds."))
        else:
            self.show_report(self.report)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def part_name(self, part: str) -> str:
        return {"camera": self.tr("Camera"), "microphone": self.tr("Microphone"), "speaker": self.tr("Speaker"),
                "link": self.tr("Link")}[part]

    def grade_name(self, grade: Grade) -> str:
        return {Grade.GOOD: self.tr("Good"), Grade.POOR: self.tr("Poor"), Grade.UNFIT: self.tr("Unfit")}[grade]

    def run_check(self) -> None:
        if self.running:
            return
        self.running = True
        self.run_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.summary.setText(self.tr("Checking…"))
        settings = self._settings()
        self._runner.run(lambda: self._checks.run(settings, progress=self._runner.report), self.on_done,
                         self.on_failed, owner=self)

    def on_progress(self, fraction: float, part: str) -> None:
        self.progress.setValue(int(fraction * 100))
        if part:
            self.summary.setText(self.tr("Checking: %1…").replace("%1", self.part_name(part).lower()))

    def on_done(self, report: CheckReport) -> None:
        self._check_ended()
        self.show_report(report)
        self._close_if_asked()

    def on_failed(self, error: BaseException) -> None:
        self._check_ended()
        from app.storage.errors import StorageError

        from .storage_messages import storage_message

        self._close_if_asked()
        if not isinstance(error, StorageError):
            raise error
        self.summary.setText(storage_message(error))

    def _check_ended(self) -> None:
        self.running = False
        self.run_button.setEnabled(True)
        self.close_button.setEnabled(True)
        self.progress.hide()

    def _close_if_asked(self) -> None:
        if self._close_with is not None:
            result, self._close_with = self._close_with, None
            super().done(result)

    def done(self, result: int) -> None:
        """Close, or (a check running: it still has the camera and microphone) close as soon as it ends,
        so the devices go back to the capture tab only once the check has let go of them."""
        if self.running:
            self._close_with = result
            self.close_button.setEnabled(False)
            return
        super().done(result)

    def show_report(self, report: CheckReport) -> None:
        self.report = report
        self.summary.setText(self.tr("The station is ready for the session.") if report.fit else
                             self.tr("The station is NOT ready: fix what is marked unfit."))
        self.table.setRowCount(len(report.items))
        for row, item in enumerate(report.items):
            grade = QTableWidgetItem(self.grade_name(item.grade))
            grade.setForeground(GRADE_COLOURS[item.grade])
            advice = advice_text(item.advice, item.measured) + self.detail_text(item)
            for column, cell in enumerate((QTableWidgetItem(self.part_name(item.part)), grade,
                                           QTableWidgetItem(advice))):
                cell.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, cell)
        self.table.resizeRowsToContents()

    def detail_text(self, item) -> str:
        """The device's trouble in the user's language; technical words (a link error) labelled as such."""
        if "problem" in item.measured:
            same = item.measured["problem"] == item.advice  # the advice already says it
            return "" if same else "\n" + device_problem(item.measured["problem"], item.measured, "")
        if item.part == "link" and item.measured.get("address"):
            checked = "\n" + self.tr("Address checked: %1").replace("%1", item.measured["address"])
        else:
            checked = ""
        if item.detail:
            checked += "\n" + self.tr("Technical detail: %1").replace("%1", item.detail)
        return checked

    def export(self, path: str | None = None) -> None:
        if not path:
            path, _filter = QFileDialog.getSaveFileName(self, self.tr("Export results"), "kiem-tra-diem-cau.json",
                                                        "JSON (*.json)")
        if path:
            self._runner.run(lambda: self._checks.export(path), lambda count: self.summary.setText(
                self.tr("%1 result(s) written to %2").replace("%1", str(count)).replace("%2", path)), owner=self)
