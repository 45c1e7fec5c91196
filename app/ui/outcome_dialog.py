"""Báo kết quả điều trị: the outcome the requesting side reports to the experts (TT 49/2017)."""

from datetime import date

from PySide6.QtCore import QDate, QEvent
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from app.wire.consultation import OUTCOMES

from .runner import TaskRunner
from .texts import outcome_name


class OutcomeDialog(QDialog):
    """`report(code, on, referred_to, note)` is the service call (it checks, and raises ConsultationError)."""

    def __init__(self, report, runner: TaskRunner, earliest: date | None, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self._report = report
        self._runner = runner
        self.outcome = QComboBox()
        self.referred_to = QLineEdit()
        self.on = QDateEdit(calendarPopup=True)
        self.on.setDisplayFormat("dd/MM/yyyy")
        self.on.setMaximumDate(QDate(today.year, today.month, today.day))
        if earliest is not None:
            self.on.setMinimumDate(QDate(earliest.year, earliest.month, earliest.day))
        self.on.setDate(QDate(today.year, today.month, today.day))
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(90)
        self.errors = {name: _error_label() for name in ("outcome", "referred_to", "date")}
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        self.outcome.currentIndexChanged.connect(self._on_outcome_changed)

        form = QFormLayout()
        self._labels = [QLabel() for _ in range(4)]
        for label, field, error in ((self._labels[0], self.outcome, "outcome"),
                                    (self._labels[1], self.referred_to, "referred_to"),
                                    (self._labels[2], self.on, "date"), (self._labels[3], self.note, None)):
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(field)
            if error:
                box.addWidget(self.errors[error])
            form.addRow(label, box)
        layout = QVBoxLayout(self)
        self.intro = QLabel(wordWrap=True)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.retranslate()
        self._on_outcome_changed()
        self.setMinimumWidth(460)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Report the treatment outcome"))
        self.intro.setText(self.tr("What became of the patient after the consultation. It goes to the experts "
                                   "who answered."))
        for label, text in zip(self._labels, (self.tr("Outcome"), self.tr("Referred to"), self.tr("Date"),
                                              self.tr("Note"))):
            label.setText(text)
        self.referred_to.setPlaceholderText(self.tr("the hospital the patient was sent to"))
        current = self.outcome.currentData()
        self.outcome.blockSignals(True)
        self.outcome.clear()
        for code in OUTCOMES:
            self.outcome.addItem(outcome_name(code), code)
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(current)))
        self.outcome.blockSignals(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Send the outcome"))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_outcome_changed(self, *_args) -> None:
        referred = self.outcome.currentData() == "referred"
        self.referred_to.setEnabled(referred)
        if not referred:
            self.errors["referred_to"].hide()

    def send(self) -> None:
        for label in self.errors.values():
            label.hide()
        code, on = self.outcome.currentData(), self.on.date().toPython()
        referred_to, note = self.referred_to.text(), self.note.toPlainText()
        self.buttons.setEnabled(False)
        self._runner.run(lambda: self._report(code, on, referred_to, note), self._on_sent, self._on_refused,
                         owner=self)

    def _on_sent(self, _entry) -> None:
        self.buttons.setEnabled(True)
        self.accept()

    def _on_refused(self, error: BaseException) -> None:
        from app.services.consultation import ConsultationError

        self.buttons.setEnabled(True)
        if not isinstance(error, ConsultationError) or error.field not in self.errors:
            raise error
        label = self.errors[error.field]
        label.setText(self._reason(error.field, error.reason))
        label.show()
        {"outcome": self.outcome, "referred_to": self.referred_to, "date": self.on}[error.field].setFocus()

    def _reason(self, field: str, reason: str) -> str:
        return {
            ("referred_to", "required"): self.tr("Say where the patient was referred to."),
            ("date", "future"): self.tr("The date cannot be in the future."),
            ("date", "before-request"): self.tr("The date cannot be before the consultation was requested."),
            ("outcome", "unknown"): self.tr("Choose an outcome."),
        }.get((field, reason), reason)


def _error_label() -> QLabel:
    label = QLabel(wordWrap=True)
    label.setObjectName("fieldError")
    label.setStyleSheet("color: #c62828;")
    label.hide()
    return label
