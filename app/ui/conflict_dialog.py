"""Telling the doctor that the experts changed a consultation before the doctor's own change got there."""

from PySide6.QtWidgets import QMessageBox, QWidget

from .texts import conflict_text


class ConflictDialog(QMessageBox):
    def __init__(self, case_label: str, conflict, parent: QWidget | None = None):
        super().__init__(QMessageBox.Icon.Warning, self.tr("Changed at the hub"), case_label, parent=parent)
        self.setInformativeText(conflict_text(conflict) + "\n\n" + self.tr(
            "Send your change anyway, replacing the experts' status, or leave the consultation as they set it?"))
        self.resend_button = self.addButton(self.tr("Send my change"), QMessageBox.ButtonRole.AcceptRole)
        self.keep_button = self.addButton(self.tr("Leave it as the experts set it"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.keep_button)

    def resend_chosen(self) -> bool:
        """Ask; True when the doctor still wants their change sent (replacing what the experts set)."""
        self.exec()
        return self.clickedButton() is self.resend_button
