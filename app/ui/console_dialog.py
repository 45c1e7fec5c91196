"""The local hub's expert console: its address and a trial expert's login, to answer this station's cases.

Only with the local hub (`make run` with no central hub configured): whoever tries the station can
play the central expert in a browser on the same machine. With a real hub, experts have accounts
made by its administrator and this dialog is not offered.
"""

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout)

from app.domain import reference


class LocalConsoleDialog(QDialog):
    """`controller`: the SyncController (its worker makes the account: the local hub's CLI takes a moment)."""

    def __init__(self, controller, language: str = "vi", hospital: str = "", specialty: str = "", parent=None):
        super().__init__(parent)
        self._controller = controller
        self.explain = QLabel(wordWrap=True)
        self.hospital, self.specialty = QComboBox(), QComboBox()
        for combo, items, chosen in ((self.hospital, reference.CENTRAL_HOSPITALS, hospital),
                                     (self.specialty, reference.SPECIALTIES, specialty)):
            for item in items:
                combo.addItem(item.label(language), item.code)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.currentIndexChanged.connect(self._forget)
        self.address, self.login, self.password = (QLineEdit(readOnly=True) for _ in range(3))
        self.make_button = QPushButton(clicked=self.make_account)
        self.open_button = QPushButton(clicked=self.open_console, enabled=False)
        self.message = QLabel(wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = QFormLayout()
        self.labels = [QLabel() for _ in range(5)]
        for label, field in zip(self.labels, (self.hospital, self.specialty, self.address, self.login,
                                              self.password)):
            self.form.addRow(label, field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        buttons.addButton(self.make_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)
        self.address.setText(getattr(controller.local_hub, "console_url", ""))
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Expert console (local hub)"))
        self.explain.setText(self.tr(
            "The local hub on this machine has the experts' web console. Make a trial expert of the hospital and "
            "specialty a case asks, sign in with it in a browser, and answer the case as a central expert would: "
            "the answer comes back to this station."))
        for label, text in zip(self.labels, (self.tr("Central hospital:"), self.tr("Specialty:"),
                                             self.tr("Console address:"), self.tr("Login:"), self.tr("Password:"))):
            label.setText(text)
        self.make_button.setText(self.tr("Make the trial expert"))
        self.open_button.setText(self.tr("Open in the browser"))

    def _forget(self) -> None:
        self.login.clear()
        self.password.clear()
        self.open_button.setEnabled(False)

    def make_account(self) -> None:
        self.make_button.setEnabled(False)
        self.message.setText(self.tr("Making the account on the local hub…"))
        self._controller.local_console_account(self.hospital.currentData(), self.specialty.currentData(),
                                               self.tr("Trial expert (%1)").replace("%1", self.specialty.currentText()),
                                               self.on_made, self.on_failed, owner=self)

    def on_made(self, account) -> None:
        url, login, password = account
        self.address.setText(url)
        self.login.setText(login)
        self.password.setText(password)
        self.make_button.setEnabled(True)
        self.open_button.setEnabled(True)
        self.message.setText(self.tr("Sign in with this login and password. They are kept on this machine only."))

    def on_failed(self, error: BaseException) -> None:
        self.make_button.setEnabled(True)
        self.message.setText(self.tr("The local hub could not make the account: %1").replace("%1", str(error)))

    def open_console(self) -> None:
        QDesktopServices.openUrl(QUrl(self.address.text()))
