"""The global exception hook: log a bug with its traceback, tell the user calmly."""

import logging
import sys
import threading
import traceback

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("diemcau")
_showing = False


def _report(exc_type, exc, tb) -> None:
    global _showing
    log.error("Unexpected error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
    if QApplication.instance() is None or _showing or threading.current_thread() is not threading.main_thread():
        return

    def show() -> None:
        global _showing
        _showing = True
        try:
            QMessageBox.warning(
                None,
                QCoreApplication.translate("Crash", "Something went wrong"),
                QCoreApplication.translate(
                    "Crash", "Điểm Cầu met an unexpected problem and has written it to the log. Your cases are "
                    "saved. You can go on working; if it happens again, tell IT staff.\n\n%1").replace("%1", str(exc)),
            )
        finally:
            _showing = False

    # Never open a dialog from inside whatever was running when it failed.
    QTimer.singleShot(0, show)


def install() -> None:
    sys.excepthook = _report
    threading.excepthook = lambda args: _report(args.exc_type, args.exc_value, args.exc_traceback)
