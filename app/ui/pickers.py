"""Pickers for coded values: ICD-10 diagnosis, province and commune."""

from PySide6.QtCore import QModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit

from app.domain import address
from app.domain.icd10 import Icd10Catalogue


class IcdPicker(QLineEdit):
    """Type a code or words (accents optional); pick 'J18.9 — Viêm phổi…' from a wide list.

    The text of the field is the code only; the chosen entry's label is announced by
    `code_chosen` so the editor can keep it apart (diagnosis in words). Qt's completer is
    not attached with setCompleter(): it would write the whole list line into the field.
    """

    code_chosen = Signal(str, str)  # code, label in the current language

    def __init__(self, catalogue: Icd10Catalogue, language: str = "vi", parent=None):
        super().__init__(parent)
        self._catalogue = catalogue
        self.language = language
        self.editing = False  # words being typed: no verdict until the doctor leaves the field
        self._model = QStandardItemModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setWidget(self)
        # We filter ourselves (accent-insensitive, by code or words); Qt just shows the list.
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setMaxVisibleItems(12)
        self._completer.activated[QModelIndex].connect(self.on_completion_activated)
        self.textEdited.connect(self.on_text_edited)

    def popup(self):
        return self._completer.popup()

    def on_text_edited(self, text: str) -> None:
        self.editing = True
        entries = self._catalogue.search(text, limit=40) if len(text.strip()) >= 2 else []
        self._model.clear()
        for entry in entries:
            line = f"{entry.code} — {entry.label(self.language)}"
            item = QStandardItem(line)
            item.setData(entry.code, Qt.ItemDataRole.UserRole)
            item.setToolTip(line)
            self._model.appendRow(item)
        if entries:
            self._completer.complete(self._popup_rect([self._model.item(r).text() for r in range(len(entries))]))
        else:
            self._completer.popup().hide()

    def _popup_rect(self, lines: list[str]) -> QRect:
        """As wide as the longest line, within the screen (Qt moves it back inside the screen)."""
        metrics = self._completer.popup().fontMetrics()
        wanted = max(metrics.horizontalAdvance(line) for line in lines) + 48
        screen = self.screen().availableGeometry() if self.screen() else QRect(0, 0, 1280, 720)
        width = max(self.width(), min(wanted, screen.width() - 40, 900), min(480, screen.width()))
        return QRect(0, 0, width, self.height())

    def on_completion_activated(self, index: QModelIndex) -> None:
        code = index.data(Qt.ItemDataRole.UserRole)
        if not code:
            return
        self.editing = False
        self._completer.popup().hide()
        self.setText(code)
        self.code_chosen.emit(code, self.label())

    def label(self) -> str:
        entry = self._catalogue.get(self.text())
        return entry.label(self.language) if entry else ""


class ProvinceCombo(QComboBox):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.addItem("", "")
        for unit in address.provinces():
            self.addItem(unit.spoken, unit.code)
            self.setItemData(self.count() - 1, unit.name, Qt.ItemDataRole.ToolTipRole)

    def code(self) -> str:
        return self.currentData() or ""

    def set_code(self, code: str) -> None:
        self.setCurrentIndex(max(0, self.findData(code)))


# What the commune filter matches: the name with and without accents ("bach" and "Bạch" both find it).
MATCH_ROLE = Qt.ItemDataRole.UserRole + 1


class _NameCompleter(QCompleter):
    """Matches on MATCH_ROLE, but puts the name itself in the field."""

    def pathFromIndex(self, index: QModelIndex) -> str:
        return index.data(Qt.ItemDataRole.DisplayRole) or ""


class CommuneCombo(QComboBox):
    """Communes (xã, phường, đặc khu) of one province; type to filter by name, accents optional."""

    code_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = _NameCompleter(self.model(), self)
        completer.setCompletionRole(MATCH_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
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
            self.setItemData(self.count() - 1, f"{unit.name.lower()} {unit.folded}", MATCH_ROLE)
        self.blockSignals(False)

    def code(self) -> str:
        index = self.findText(self.currentText(), Qt.MatchFlag.MatchFixedString)
        return (self.itemData(index) or "") if index >= 0 else ""

    def set_code(self, code: str) -> None:
        self.setCurrentIndex(max(0, self.findData(code)))
