"""The mouse wheel scrolls the form, not the field under the pointer.

Qt's combo boxes, spin boxes and date edits take a wheel turn whenever the pointer is over them, focused or
not: scrolling the case form switched a case's urgency from "Thường quy" to "Cấp cứu" without the doctor
noticing. `install(app)` sets one application-wide filter: such a field takes the wheel only once it has the
focus (clicked or tabbed into); otherwise the turn goes on to its parents, the scroll area among them.
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


def _has_focus(field: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and (focused is field or field.isAncestorOf(focused))


class WheelGuard(QObject):
    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, GUARDED):
            # Qt's default, WheelFocus, would focus the field on the first turn, before any filter sees it.
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and isinstance(watched, QWidget):
            field = _guarded(watched)
            if field is not None and not _has_focus(field):
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
