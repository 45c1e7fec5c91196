"""Typing for UI tests. qtbot.keyClicks() aborts the process on non-ASCII text
(RECIPES.md), so characters are sent as key events carrying their text."""

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QApplication


def type_text(widget, text: str) -> None:
    widget.setFocus()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def leave(widget) -> None:
    """The user moves on to another field (Tab, a click elsewhere)."""
    QApplication.sendEvent(widget, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))
