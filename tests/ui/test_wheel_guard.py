"""The mouse wheel over the case form scrolls the form; a combo box or spin box under the pointer never takes it,
focused or not (app/ui/wheel_guard.py, installed by the main window for the whole station); keys change it."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QSpinBox

from tests.ui.conftest import open_new_case

DOWN = QPoint(0, -120)  # one notch towards the user: the page goes down, a combo to its next item


def turn_wheel(widget, delta=DOWN) -> None:
    """A real (spontaneous) wheel event at the widget's centre, as the window system delivers it: Qt hands it
    on to the parents when the widget leaves it unaccepted, which a QApplication.sendEvent would not do."""
    window = widget.window().windowHandle()
    at = widget.mapTo(widget.window(), widget.rect().center())
    QTest.wheelEvent(window, at.toPointF(), delta)


def urgency_in_view(qtbot, window):
    editor = open_new_case(qtbot, window)
    combo = editor.inputs["urgency"]
    combo.setCurrentIndex(0)
    scroll = editor.scroll
    scroll.ensureWidgetVisible(combo)
    bar = scroll.verticalScrollBar()
    assert bar.value() < bar.maximum()  # the form can still go down
    return editor, combo, bar


def test_the_wheel_over_an_unfocused_combo_scrolls_the_form_and_leaves_the_urgency(qtbot, window):
    window.resize(900, 420)  # the form taller than the window: it scrolls
    window.show()
    qtbot.waitExposed(window)
    editor, combo, bar = urgency_in_view(qtbot, window)
    urgency, top = combo.currentText(), bar.value()
    assert not combo.hasFocus()

    turn_wheel(combo)
    qtbot.waitUntil(lambda: bar.value() > top)
    assert combo.currentIndex() == 0 and combo.currentText() == urgency
    assert not combo.hasFocus()  # the turn did not give it the focus either (Qt's WheelFocus would)
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_a_hospital_just_picked_is_not_changed_by_the_wheel_that_scrolls_on(qtbot, window):
    """Picked, the combo keeps the focus; the doctor then scrolls down the form with the pointer over it. It took
    that turn ("Bạch Mai" became "Việt Đức", saved at once) when the guard let a focused field have the wheel."""
    window.resize(900, 420)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    editor, combo, bar = urgency_in_view(qtbot, window)
    combo.setFocus(Qt.FocusReason.MouseFocusReason)  # as after choosing from its list
    qtbot.waitUntil(combo.hasFocus)
    top = bar.value()

    turn_wheel(combo)
    qtbot.waitUntil(lambda: bar.value() > top)  # the form went down
    assert combo.currentIndex() == 0
    QTest.keyClick(combo, Qt.Key.Key_Down)  # the keys still change it
    assert combo.currentIndex() == 1


def test_spin_boxes_and_their_line_edits_are_guarded_too(qtbot, window):
    window.resize(900, 420)
    window.show()
    qtbot.waitExposed(window)
    editor = open_new_case(qtbot, window)
    spin = QSpinBox(editor.scroll.widget())  # a field a later form might add: guarded without being told
    spin.setRange(0, 10)
    spin.setValue(5)
    spin.show()
    editor.scroll.ensureWidgetVisible(spin)
    QApplication.processEvents()
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus
    inner = spin.lineEdit()
    QTest.wheelEvent(window.windowHandle(), inner.mapTo(window, inner.rect().center()).toPointF(), DOWN)
    QApplication.processEvents()
    assert spin.value() == 5
