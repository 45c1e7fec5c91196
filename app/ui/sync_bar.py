"""The status bar's honest account of sync: unsent, last success, offline, the file going up."""

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget


class SyncBar(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.progress.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.label)
        self._status = None
        self._online: bool | None = None
        self.connecting = False  # sync attached, no answer from it yet
        self.show_status(None)

    def show_status(self, status) -> None:
        self._status = status
        self.label.setText(self.describe())

    def set_online(self, online: bool) -> None:
        self._online = online
        self.label.setText(self.describe())

    def show_upload(self, sent: int, total: int) -> None:
        if total <= 0 or sent >= total:
            self.progress.hide()
            return
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * sent / total))
        self.progress.setFormat(self.tr("Sending %p%"))
        self.progress.show()

    def describe(self) -> str:
        status = self._status
        if status is None:
            return (self.tr("Connecting to the hub…") if self.connecting
                    else self.tr("Offline: cases are kept on this station"))
        if not status.enrolled:
            return self.tr("Not enrolled with a hub: cases are kept on this station")
        if status.local_only:
            # "Everything sent" would read as if the central hospital had the cases.
            return self.tr("Not connected to the central hospital — cases are kept on this machine")
        parts = []
        if self._online is False:
            parts.append(self.tr("Offline"))
        parts.append(self.tr("Unsent: %1").replace("%1", str(status.unsent_rows)) if status.unsent_rows
                     else self.tr("Everything sent"))
        if status.last_success is not None:
            when = QLocale().toString(status.last_success.astimezone().time().replace(microsecond=0),
                                      QLocale.FormatType.ShortFormat)
            parts.append(self.tr("last sync %1").replace("%1", when))
        else:
            parts.append(self.tr("never synced yet"))
        return " · ".join(parts)

    def retranslate(self) -> None:
        self.label.setText(self.describe())
