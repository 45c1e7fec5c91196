"""The case list: search box, status and urgency filters, and a table of cases."""

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QTableView, QVBoxLayout, QWidget)

from app.domain.birth import parse_birth
from app.domain.identifiers import age_on
from app.domain.lifecycle import Status, Urgency
from app.domain.summary import CasePage, CaseQuery, CaseSummary
from app.domain.text import fold
from app.services.cases import CaseService

from .runner import TaskRunner
from .texts import conflict_text, sex_name, status_name, urgency_name

URGENCY_COLOURS = {Urgency.EMERGENCY: QColor("#c62828"), Urgency.URGENT: QColor("#ef6c00")}
CASE_ID_ROLE = Qt.ItemDataRole.UserRole


class CaseListModel(QAbstractTableModel):
    COLUMNS = ("number", "patient", "age_sex", "urgency", "status", "updated")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[CaseSummary] = []   # what the table shows
        self._page: list[CaseSummary] = []   # the page as queried, before the inbox filter
        self.unread_only = False             # the inbox: only cases with an answer not read yet
        self._local_only = False  # synced only with the station's own hub
        self._unread: dict[str, int] = {}
        self._unsent: dict[str, tuple[int, str]] = {}
        self._conflicts: dict = {}
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None  # None: newest first, as queried

    def set_page(self, rows: list[CaseSummary]) -> None:
        self._page = list(rows)
        self._show_rows()

    def set_unread_only(self, unread_only: bool) -> None:
        self.unread_only = unread_only
        self._show_rows()

    def _show_rows(self) -> None:
        self.beginResetModel()
        self._rows = [r for r in self._page if not self.unread_only or self._unread.get(r.id)]
        if self._sorted_by is not None:
            self._rows.sort(key=self._key(self._sorted_by[0]), reverse=self._sorted_by[1] == Qt.SortOrder.DescendingOrder)
        self.endResetModel()

    def set_sync_marks(self, unread: dict[str, int], unsent: dict[str, tuple[int, str]],
                       conflicts: dict | None = None, local_only: bool = False) -> None:
        """Unread expert answers (a badge), records still waiting for the hub, and status changes the
        hub refused because the experts changed the case first (TaskConflict), by case id; `local_only`:
        the hub is the station's own, so a synced case is still on this machine."""
        inbox_changed = self.unread_only and set(unread) != set(self._unread)
        self._unread, self._unsent, self._conflicts = dict(unread), dict(unsent), dict(conflicts or {})
        self._local_only = local_only
        if inbox_changed:
            self._show_rows()
        elif self._rows:
            column = self.COLUMNS.index("status")
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))

    def case_id(self, row: int) -> str:
        return self._rows[row].id

    def row_of(self, case_id: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == case_id), None)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(self.COLUMNS):
            return None
        return (self.tr("No."), self.tr("Patient"), self.tr("Age / sex"), self.tr("Urgency"),
                self.tr("Status"), self.tr("Last change"))[section]

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == CASE_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ForegroundRole and column == "urgency":
            return URGENCY_COLOURS.get(row.urgency)
        if role == Qt.ItemDataRole.ToolTipRole and column == "patient":
            return row.full_name or None
        if role == Qt.ItemDataRole.ToolTipRole and column == "status" and row.id in self._conflicts:
            return conflict_text(self._conflicts[row.id])
        if role == Qt.ItemDataRole.ToolTipRole and column == "status" and row.id in self._unsent:
            waiting, error = self._unsent[row.id]
            text = self.tr("%1 item(s) waiting to be sent").replace("%1", str(waiting))
            return f"{text}\n{error}" if error else text
        if role == Qt.ItemDataRole.ToolTipRole and column == "status":  # the column may be too narrow for it
            return self._display(row, column)
        if role == Qt.ItemDataRole.FontRole and self._unread.get(row.id):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _display(self, row: CaseSummary, column: str) -> str:
        if column == "number":
            return str(row.number)
        if column == "patient":
            return row.full_name or self.tr("(no name yet)")
        if column == "age_sex":
            return " · ".join(x for x in (self.age_text(row), sex_name(row.sex)) if x)
        if column == "urgency":
            return urgency_name(row.urgency)
        if column == "status":
            text = status_name(row.status, self._local_only)
            unread = self._unread.get(row.id, 0)
            if unread:
                text += " ● " + self.tr("%1 new").replace("%1", str(unread))
            elif row.id in self._conflicts:
                text += " ⚠ " + self.tr("conflict")
            elif row.id in self._unsent:
                text += " ⇡"
            return text
        return row.updated_at.astimezone().strftime("%d/%m %H:%M")

    def age_text(self, row: CaseSummary, today: date | None = None) -> str:
        """What a doctor reads as the patient's age: "58 tuổi" from a known date of birth or a stated age (months,
        then days, for a small child); "sinh 1968" when only the year is known (or a month whose day decides),
        not a bare "1968" that reads as an age to work out."""
        today = today or date.today()
        birth = parse_birth(row.birth) if row.birth.strip() else None
        if birth is None:
            return self.tr("age %1").replace("%1", row.age.strip()) if row.age.strip().isdigit() else ""
        if birth.day is not None:
            born = birth.earliest()
            months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
            if months < 1:
                days = max(0, (today - born).days)
                return (self.tr("%1 day old") if days == 1 else self.tr("%1 days old")).replace("%1", str(days))
            if months < 24:  # a small child's age is said in months
                return (self.tr("%1 month old") if months == 1 else self.tr("%1 months old")).replace("%1",
                                                                                                 str(months))
            return self.tr("age %1").replace("%1", str(age_on(born, today)))
        if birth.month is not None and birth.month != today.month and today.year - birth.year >= 3:
            return self.tr("age %1").replace("%1", str(today.year - birth.year - (today.month < birth.month)))
        return self.tr("born %1").replace("%1", row.birth.strip())

    @staticmethod
    def _age_days(row: CaseSummary) -> float:
        """The age in days, near enough to sort by (-1: unknown)."""
        today = date.today()
        birth = parse_birth(row.birth) if row.birth.strip() else None
        if birth is not None:
            middle = date(birth.year, birth.month or 7, birth.day or (15 if birth.month else 1))
            return (today - middle).days
        return int(row.age.strip()) * 365.25 + 182 if row.age.strip().isdigit() else -1

    def _key(self, column: int):
        return {
            "number": lambda r: r.number, "patient": lambda r: fold(r.full_name),
            "age_sex": self._age_days, "urgency": lambda r: list(Urgency).index(r.urgency),
            "status": lambda r: list(Status).index(r.status), "updated": lambda r: r.updated_at,
        }[self.COLUMNS[column]]

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        self._sorted_by = (column, order)
        self.layoutAboutToBeChanged.emit()
        # The view's selection and current row are persistent indexes: moved with their case, or the highlight
        # would stay on the row number and show another patient than the one open (the toolbar acts on that one).
        before = self.persistentIndexList()
        cases = [self._rows[index.row()].id for index in before]
        self._rows.sort(key=self._key(column), reverse=order == Qt.SortOrder.DescendingOrder)
        rows = {r.id: i for i, r in enumerate(self._rows)}
        self.changePersistentIndexList(before, [self.index(rows[case], index.column())
                                                for case, index in zip(cases, before)])
        self.layoutChanged.emit()


PATIENT, STATUS = CaseListModel.COLUMNS.index("patient"), CaseListModel.COLUMNS.index("status")
PATIENT_CHARS = 20  # "Nguyễn Thị Phương Thảo": what a name column should show before the status gives way


class CaseListPanel(QWidget):
    case_selected = Signal(str)  # case id
    page_loaded = Signal(object)  # CasePage

    def __init__(self, cases: CaseService, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self._cases = cases
        self._runner = runner
        self._generation = 0
        self._pending_select: str | None = None
        self._quiet = False
        self.model = CaseListModel(self)

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.urgency_filter = QComboBox()
        self.unread_filter = QCheckBox()
        self.count_label = QLabel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PATIENT, QHeaderView.ResizeMode.Stretch)
        # The status gives way to the patient's name on a narrow screen (its long "Đã gửi (giữ trên máy này)" left
        # "Nguyễn ..." at 1280x720): cut with "…", whole in its tooltip.
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(40)
        self._fit_timer = QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self._fit_status_column)
        for signal in (self.model.modelReset, self.model.dataChanged, self.model.layoutChanged,
                       self.model.headerDataChanged, header.geometriesChanged):
            signal.connect(self._fit_timer.start)
        self.view.viewport().installEventFilter(self)
        # Sorting starts on the first header click: until then, newest first as queried.
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self.on_header_clicked)

        filters = QHBoxLayout()
        filters.addWidget(self.status_filter)
        filters.addWidget(self.urgency_filter)
        filters.addWidget(self.unread_filter)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.view)

        # Search as you type, but query once typing pauses.
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.status_filter.currentIndexChanged.connect(self.refresh)
        self.urgency_filter.currentIndexChanged.connect(self.refresh)
        self.unread_filter.toggled.connect(self.on_unread_filter_toggled)
        self.model.modelReset.connect(self._show_count)
        self.view.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.focus_search)
        self.retranslate()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_timer.start()
        return super().eventFilter(watched, event)

    def _fit_status_column(self) -> None:
        """The status column as wide as its longest text, unless the patient's name would then get less than
        PATIENT_CHARS average characters: then it takes what is left (not under its header's width)."""
        header, view = self.view.horizontalHeader(), self.view
        natural = max(view.sizeHintForColumn(STATUS), header.sectionSizeFromContents(STATUS).width())
        others = sum(header.sectionSize(c) for c in range(self.model.columnCount()) if c not in (PATIENT, STATUS))
        name = view.fontMetrics().averageCharWidth() * PATIENT_CHARS
        room = view.viewport().width() - others - name
        width = max(header.sectionSizeFromContents(STATUS).width(), min(natural, room))
        if header.sectionSize(STATUS) != width:
            header.resizeSection(STATUS, width)

    def on_header_clicked(self, section: int) -> None:
        """First click on a column sorts ascending; once the indicator shows, the header
        itself flips it on each click and we follow."""
        header = self.view.horizontalHeader()
        if not header.isSortIndicatorShown():
            header.setSortIndicatorShown(True)
            header.setSortIndicator(section, Qt.SortOrder.AscendingOrder)
        self.model.sort(section, header.sortIndicatorOrder())

    def on_unread_filter_toggled(self, checked: bool) -> None:
        keep = self.current_case_id()
        self.model.set_unread_only(checked)
        if keep is not None:
            self.select_case(keep, notify=False)

    def retranslate(self) -> None:
        self.unread_filter.setText(self.tr("New answers"))
        self.unread_filter.setToolTip(self.tr("Show only the cases with an answer from the experts you have not "
                                              "read yet"))
        self.search.setPlaceholderText(self.tr("Search by name, CCCD, BHYT or phone (accents optional)"))
        for combo, label, values, name in (
            (self.status_filter, self.tr("All statuses"), list(Status), status_name),
            (self.urgency_filter, self.tr("All urgencies"), list(Urgency), urgency_name),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(label, None)
            for value in values:
                combo.addItem(name(value), value)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(CaseListModel.COLUMNS) - 1)

    def _show_count(self) -> None:
        counts = getattr(self, "_counts", None)
        if counts is None:
            return
        shown, total = self.model.rowCount(), counts[1]
        self.count_label.setText(self.tr("Cases: %1").replace("%1", str(total)) if shown == total
                                 else self.tr("Showing %1 of %2 cases").replace("%1", str(shown))
                                 .replace("%2", str(total)))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self._show_count()
        super().changeEvent(event)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def query(self) -> CaseQuery:
        status, urgency = self.status_filter.currentData(), self.urgency_filter.currentData()
        return CaseQuery(text=self.search.text(), statuses=frozenset({Status(status)} if status else ()),
                         urgencies=frozenset({Urgency(urgency)} if urgency else ()))

    def refresh(self, select_id: str | None = None) -> None:
        """Query again in the background; results of older queries are dropped."""
        self._generation += 1
        generation, query = self._generation, self.query()
        if select_id:
            self._pending_select = select_id
        self._runner.run(lambda: self._cases.search(query), lambda page: self._on_page(generation, page),
                         owner=self)

    def _on_page(self, generation: int, page: CasePage) -> None:
        if generation != self._generation:
            return
        keep = self._pending_select or self.current_case_id()
        self._pending_select = None
        self.model.set_page(page.items)
        self._counts = (len(page.items), page.total)
        self._show_count()
        if keep is not None:
            self.select_case(keep, notify=False)
        self.page_loaded.emit(page)

    def current_case_id(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(CASE_ID_ROLE) if index.isValid() else None

    def select_case(self, case_id: str, notify: bool = True) -> None:
        row = self.model.row_of(case_id)
        if row is None:
            return
        self._quiet = not notify
        try:
            self.view.selectRow(row)
        finally:
            self._quiet = False

    def on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._quiet:
            self.case_selected.emit(current.data(CASE_ID_ROLE))
