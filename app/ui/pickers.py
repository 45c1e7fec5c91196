"""Pickers for coded values: ICD-10 diagnosis, province and commune."""

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit

from app.domain import address
from app.domain.icd10 import Icd10Catalogue


class IcdPicker(QLineEdit):
    """Type a code or words (accents optional); pick 'J18.9 — Viêm phổi…' from the list.

    The text of the field is the code; the label of the chosen code is shown beside it
    by the editor.
    """

    def __init__(self, catalogue: Icd10Catalogue, language: str = "vi", parent=None):
        super().__init__(parent)
        self._catalogue = catalogue
        self.language = language
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        # We filter ourselves (accent-insensitive, by code or words); Qt just shows the list.
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setMaxVisibleItems(12)
        self.setCompleter(self._completer)
        self._completer.activated[str].connect(self.on_completion_activated)
        self.textEdited.connect(self.on_text_edited)

    def on_text_edited(self, text: str) -> None:
        entries = self._catalogue.search(text, limit=40) if len(text.strip()) >= 2 else []
        self._model.setStringList([f"{e.code} — {e.label(self.language)}" for e in entries])
        if entries:
            self._completer.complete()

    def on_completion_activated(self, choice: str) -> None:
        code = choice.split(" — ", 1)[0]
        self.setText(code)
        self.editingFinished.emit()

    def label(self) -> str:
        entry = self._catalogue.get(self.text())
        return entry.label(self.language) if entry else ""


class ProvinceCombo(QComboBox):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.addItem("", "")
        for unit in address.provinces():
            self.addItem(unit.name, unit.code)

    def code(self) -> str:
        return self.currentData() or ""

    def set_code(self, code: str) -> None:
        self.setCurrentIndex(max(0, self.findData(code)))


class CommuneCombo(QComboBox):
    """Communes (xã, phường, đặc khu) of one province; type to filter by name."""

    code_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self._province = None
        self.currentIndexChanged.connect(lambda _i: self.code_changed.emit())

    def set_province(self, province_code: str) -> None:
        if province_code == self._province:
            return
        self._province = province_code
        self.blockSignals(True)
        self.clear()
        self.addItem("", "")
        for unit in address.communes(province_code):
            self.addItem(unit.name, unit.code)
        self.blockSignals(False)

    def code(self) -> str:
        index = self.findText(self.currentText(), Qt.MatchFlag.MatchFixedString)
        return (self.itemData(index) or "") if index >= 0 else ""

    def set_code(self, code: str) -> None:
        self.setCurrentIndex(max(0, self.findData(code)))
