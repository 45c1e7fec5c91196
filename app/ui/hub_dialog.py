"""Connecting this station to the central hub: the address and the one-time code from its administrator."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QProgressBar,
                               QVBoxLayout)


class HubDialog(QDialog):
    """Shows which hub the station syncs with; enrolls it with another.

    `controller` is the SyncController: enrollment runs on its worker (it talks to the network).
    """

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self._controller = controller
        self.current = QLabel()
        self.current.setWordWrap(True)
        self.url = QLineEdit(placeholderText="https://hub.example.vn")
        self.code = QLineEdit()
        self.url.textChanged.connect(self._update)
        self.code.textChanged.connect(self._update)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # the hub answers in a moment or not at all: no percentage to show
        self.busy.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.enroll)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        self.url_label, self.code_label = QLabel(), QLabel()
        form.addRow(self.url_label, self.url)
        form.addRow(self.code_label, self.code)
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.retranslate()
        self._update()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Central hub"))
        self.url_label.setText(self.tr("Hub address:"))
        self.code_label.setText(self.tr("Enrollment code:"))
        self.code.setPlaceholderText(self.tr("one-time code from the hub's administrator"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Connect"))
        status = self._controller.last_status
        if status is None or not status.enrolled:
            self.current.setText(self.tr("This station is not connected to a hub yet."))
        elif self._controller.local_hub is not None:
            self.current.setText(self.tr("Now: the local hub on this machine (cases stay here). To send them to a "
                                         "central hospital, enter the hub's address and the code you were given."))
        else:
            self.current.setText(self.tr("Now: %1, as facility %2. Entering a new address and code connects this "
                                         "station there instead.").replace("%1", status.hub_url)
                                 .replace("%2", status.facility))

    def _update(self) -> None:
        ok = self.url.text().strip().startswith(("http://", "https://")) and len(self.code.text().strip()) >= 6
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok and self.busy.isHidden())

    def enroll(self) -> None:
        self.busy.show()
        self.message.setText(self.tr("Connecting to the hub…"))
        self._update()
        self._controller.enroll(self.url.text().strip(), self.code.text().strip(), self.on_enrolled, self.on_failed)

    def on_enrolled(self, credential) -> None:
        self.busy.hide()
        self.message.setText(self.tr("Connected as facility %1.").replace("%1", credential.facility))
        self.accept()

    def on_failed(self, error: BaseException) -> None:
        from app.sync.hub_client import HubRejected, HubUnreachable

        self.busy.hide()
        if isinstance(error, HubUnreachable):
            text = self.tr("The hub does not answer at this address. Check the address and the network link, "
                           "then try again.")
        elif isinstance(error, HubRejected) and error.status in (400, 401, 403, 404):
            text = self.tr("The hub refused the code: it is wrong, already used or expired. Ask the hub's "
                           "administrator for a new one.")
        else:
            text = self.tr("Could not connect: %1").replace("%1", str(error))
        self.message.setText(text)
        self._update()
