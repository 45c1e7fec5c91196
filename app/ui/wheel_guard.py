"""The mouse wheel scrolls the form, not the field under the pointer.

Qt's combo boxes, spin boxes and date edits take a wheel turn whenever the pointer is over them: scrolling the
case form switched a case's urgency from "Thường quy" to "Cấp cứu" without the doctor noticing. Taking it only
once focused was not enough: a hospital just picked keeps the focus, and the next turn of the wheel to scroll
down the form switched "Bạch Mai" to "Việt Đức", saved at once (an outsider's finding). `install(app)` sets one
application-wide filter: such a field never takes the wheel (as a browser's select does not); the turn goes on
to its parents, the scroll area among them. A click or the arrow keys change it.
"""

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED = (QComboBox, QAbstractSpinBox)  # QDateEdit, QTimeEdit, QDoubleSpinBox are QAbstractSpinBoxes


def _guarded(widget: QWidget) -> QWidget | None:
    """The guarded field `widget` is or belongs to (an editable combo's or a spin box's line edit), within
    its window: a combo's open list is a popup window of its own and scrolls as lists do."""
    while widget is not None:
        if isinstance(widget, GUARDED):
            return widget
        if widget.isWindow():
            return None
        widget = widget.parentWidget()
    return None


class WheelGuard(QObject):
    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, GUARDED):
            # Qt's default, WheelFocus, would focus the field on the first turn, before any filter sees it.
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and isinstance(watched, QWidget) and _guarded(watched) is not None:
            # Handled here but not accepted: QApplication hands the same event on to the parents.
            event.ignore()
            return True
        return False


def install(app: QApplication) -> WheelGuard:
    """Once per application; again is harmless (the same filter is kept)."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
    return guard
