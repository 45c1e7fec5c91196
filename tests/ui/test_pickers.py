"""Coded-value pickers as a doctor uses them: ICD-10 by words, province and commune."""

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import open_new_case
from tests.ui.helpers import leave, type_text


def press(widget, key) -> None:
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier))


def test_icd_by_words_picks_the_code_and_keeps_its_label_apart(qtbot, window, station):
    editor = open_new_case(qtbot, window)
    picker = editor.inputs["diagnosis_code"]
    type_text(picker, "viem phoi")
    popup = picker.popup()
    qtbot.waitUntil(popup.isVisible)
    # No verdict while the doctor is still typing words.
    assert not editor.boxes["diagnosis_code"].message.isVisibleTo(editor)
    # The list is wide enough to read the labels.
    assert popup.width() >= 480
    labels = [popup.model().index(row, 0).data() for row in range(popup.model().rowCount())]
    chosen = labels.index("J18.9 — Viêm phổi, không xác định")
    popup.setCurrentIndex(popup.model().index(chosen, 0))
    press(popup, Qt.Key.Key_Return)
    assert picker.text() == "J18.9"
    assert editor.icd_label.text() == "Viêm phổi, không xác định"
    assert editor.inputs["diagnosis_text"].text() == "Viêm phổi, không xác định"
    leave(picker)
    assert not editor.boxes["diagnosis_code"].message.isVisibleTo(editor)
    editor.save_now()
    qtbot.waitUntil(lambda: not editor.dirty)
    qtbot.waitUntil(lambda: station.cases.get_case(editor.case.id).diagnosis_code == "J18.9")
    assert station.cases.get_case(editor.case.id).diagnosis_text == "Viêm phổi, không xác định"


def test_icd_words_not_picked_are_flagged_on_leaving_the_field(qtbot, window):
    editor = open_new_case(qtbot, window)
    picker = editor.inputs["diagnosis_code"]
    type_text(picker, "viem")
    qtbot.waitUntil(picker.popup().isVisible)
    assert not editor.boxes["diagnosis_code"].message.isVisibleTo(editor)
    picker.popup().hide()
    leave(picker)
    assert editor.boxes["diagnosis_code"].message.isVisibleTo(editor)
    # Typing again does not judge half-typed words.
    type_text(picker, " pho")
    assert not editor.boxes["diagnosis_code"].message.isVisibleTo(editor)


def test_hanoi_is_under_h_in_the_province_list(qtbot, window):
    editor = open_new_case(qtbot, window)
    province = editor.inputs["province"]
    names = [province.itemText(i) for i in range(province.count())]
    assert names.index("Gia Lai") < names.index("Hà Nội") < names.index("Hà Tĩnh")
    assert not any(name.startswith("Thành phố") for name in names)


def test_the_commune_filter_finds_words_without_accents(qtbot, window):
    editor = open_new_case(qtbot, window)
    province = editor.inputs["province"]
    province.setCurrentIndex(province.findText("Hà Nội"))
    communes = editor.inputs["commune"]
    type_text(communes.lineEdit(), "bach")
    completer = communes.completer()
    found = [completer.completionModel().index(row, 0).data() for row in range(completer.completionModel().rowCount())]
    assert "Phường Bạch Mai" in found
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible)
    popup.setCurrentIndex(completer.completionModel().index(found.index("Phường Bạch Mai"), 0))
    press(popup, Qt.Key.Key_Return)
    assert communes.currentText() == "Phường Bạch Mai"
    assert editor.collect().patient.commune_code == communes.itemData(communes.findText("Phường Bạch Mai"))
