"""Qt's own dialogs and buttons speak Vietnamese when the station does."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QMessageBox


def test_standard_buttons_and_menus_are_in_vietnamese(qtbot, translations):
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Huỷ"
    box = QMessageBox(QMessageBox.Icon.Question, "?", "?", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    qtbot.addWidget(box)
    assert {b.text().replace("&", "") for b in box.buttons()} == {"Có", "Không"}
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(buttons)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Huỷ"


def test_the_file_picker_is_in_vietnamese(qtbot, translations, tmp_path):
    dialog = QFileDialog(None, "Thêm tệp", str(tmp_path))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own dialog: the one without a desktop theme
    qtbot.addWidget(dialog)
    labels = {label.text().replace("&", "") for label in dialog.findChildren(QLabel)}
    assert {"Tìm trong:", "Tên tệp:", "Loại tệp:"} <= labels
    assert dialog.labelText(QFileDialog.DialogLabel.Reject) == "Huỷ"
