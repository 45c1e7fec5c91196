"""The case editor: the whole consultation case on one scrollable form, saved as typed."""

import html
import time
from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QScrollArea, QTabWidget,
                               QVBoxLayout, QWidget)

from app.domain import reference
from app.domain.case import SEXES, ConsultationCase, Patient
from app.domain.issues import Issue, Severity, errors
from app.domain.lifecycle import EDITABLE, Status, TransitionError, Urgency
from app.domain.vitals import Vitals
from app.services.cases import BurnedInReview, CaseIncomplete, CaseNotEditable, CaseService, ForeignExportFailed
from app.services.deidentify import places_left
from app.storage.errors import StorageError

from .pickers import CommuneCombo, IcdPicker, ProvinceCombo
from .runner import TaskRunner
from .texts import issue_message, language, sex_name, status_name, urgency_name
from .storage_messages import storage_message

# Autosave: after a pause in typing, and at least this often while typing goes on,
# so a crash loses at most about a second of work.
SAVE_AFTER_PAUSE_MS = 500
SAVE_AT_LEAST_EVERY_S = 1.0
RETRY_AFTER_ERROR_MS = 3000

PATIENT_TEXT = ("full_name", "birth", "age", "cccd", "bhyt", "phone", "address_line")
CASE_TEXT = ("reason", "question", "history", "examination", "treatment")
VITALS = ("pulse", "blood_pressure", "resp_rate", "spo2", "temperature", "weight")


class FieldBox(QWidget):
    """An input with its validation message underneath."""

    def __init__(self, editor: QWidget, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("fieldMessage")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.message)

    @property
    def showing(self) -> bool:
        return not self.message.isHidden()

    def show_issues(self, issues: list[Issue], warning: str = "") -> None:
        if not issues and not warning:
            self.message.hide()
            self.editor.setProperty("invalid", None)
        else:
            error = any(i.severity is Severity.ERROR for i in issues)
            self.message.setText("\n".join([issue_message(i) for i in issues] + ([warning] if warning else [])))
            self.message.setProperty("severity", "error" if error else "warning")
            self.editor.setProperty("invalid", "error" if error else "warning")
            self.message.show()
        for widget in (self.editor, self.message):
            widget.style().unpolish(widget)
            widget.style().polish(widget)


class CaseEditor(QWidget):
    case_saved = Signal(object)           # ConsultationCase as stored
    case_status_changed = Signal(object)  # ConsultationCase after a transition
    case_created = Signal(object)         # a reopened case
    case_deleted = Signal(str)            # the id of a draft deleted by the doctor
    parent_requested = Signal(str)        # the doctor asked to open the case this one follows up
    save_failed = Signal(str)             # what went wrong, in the user's language

    def __init__(self, cases: CaseService, runner: TaskRunner, capture_panel: QWidget | None = None,
                 viewer: QWidget | None = None, parent=None, consultation: QWidget | None = None):
        """`consultation`: the ConsultationTab ("Hội chẩn"), shown on every sent case."""
        super().__init__(parent)
        self.capture_panel = capture_panel
        self.consultation = consultation
        self.viewer = viewer
        self._cases = cases
        self._runner = runner
        self._case: ConsultationCase | None = None
        self._loading = False
        self._dirty_since: float | None = None
        self._revision = 0
        self._show_required = False
        # Messages appear once the user has left a field (not while half-typed), then follow each change.
        self._touched: set[str] = set()
        self._field_of: dict[QWidget, str] = {}
        self._icd_label_filled = ""
        self._saved_stamp = ""       # when the last save landed, shown in the user's language
        self.local_only = False      # syncing with the station's own hub: "at the hub" would mislead
        self._banner_kind = ""       # "incomplete" goes by itself once the fields are fixed
        # Identifiers already on another patient: field -> warning text; values already asked about.
        self._identifier_warnings: dict[str, str] = {}
        self._identifiers_asked: set[tuple[str, str]] = set()
        self.boxes: dict[str, FieldBox] = {}
        self.inputs: dict[str, QWidget] = {}
        self._build()
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_AFTER_PAUSE_MS)
        self._save_timer.timeout.connect(self.save_now)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save_now)
        self.retranslate()
        self.setEnabled(False)

    # -- building --------------------------------------------------------------

    def _line(self, name: str) -> QLineEdit:
        widget = QLineEdit()
        widget.setObjectName(name)
        widget.textChanged.connect(self.on_field_changed)
        return self._register(name, widget)

    def _para(self, name: str, lines: int = 3) -> QPlainTextEdit:
        widget = QPlainTextEdit()
        widget.setObjectName(name)
        widget.setTabChangesFocus(True)
        widget.setFixedHeight(widget.fontMetrics().lineSpacing() * lines + 14)
        widget.textChanged.connect(self.on_field_changed)
        return self._register(name, widget)

    def _combo(self, name: str, combo: QComboBox | None = None) -> QComboBox:
        widget = combo or QComboBox()
        widget.setObjectName(name)
        widget.currentIndexChanged.connect(self.on_field_changed)
        return self._register(name, widget)

    def _register(self, name: str, widget: QWidget):
        self._field_of[widget] = name
        widget.installEventFilter(self)
        self.inputs[name] = widget
        self.boxes[name] = FieldBox(widget)
        return widget

    def _build(self) -> None:
        self.title = QLabel()
        self.title.setObjectName("caseTitle")
        self.status_badge = QLabel()
        self.status_badge.setObjectName("statusBadge")
        self.save_state = QLabel()
        self.save_state.setObjectName("saveState")
        self.parent_label = QLabel()
        self.parent_label.setObjectName("parentCase")
        self.parent_label.linkActivated.connect(self.parent_requested.emit)
        self.parent_label.hide()
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.ready_button = QPushButton()
        self.draft_button = QPushButton()
        self.submit_button = QPushButton()
        self.close_button = QPushButton()
        self.reopen_button = QPushButton()
        self.delete_button = QPushButton()
        self.delete_button.setObjectName("deleteDraft")
        self.delete_button.clicked.connect(self.ask_and_delete)
        self.ready_button.clicked.connect(self.mark_ready)
        self.draft_button.clicked.connect(self.back_to_draft)
        self.submit_button.clicked.connect(self.ask_and_submit)
        self.close_button.clicked.connect(self.ask_and_close)
        self.reopen_button.clicked.connect(self.reopen)

        for name in PATIENT_TEXT:
            self._line(name)
        self.inputs["birth"].setMaxLength(10)
        self.inputs["age"].setMaxLength(3)
        self._combo("sex")
        self._combo("province", ProvinceCombo())
        communes = CommuneCombo()
        communes.setObjectName("commune")
        communes.code_changed.connect(self.on_field_changed)
        self._register("commune", communes)
        self.inputs["province"].currentIndexChanged.connect(
            lambda _i: communes.set_province(self.inputs["province"].code()))
        self.foreign_expert = QCheckBox()
        self.foreign_expert.setObjectName("foreign_expert")
        self.foreign_expert.toggled.connect(self.on_field_changed)
        self._register("foreign_expert", self.foreign_expert)
        self._combo("urgency")
        self._combo("specialty")
        self._combo("hospital")
        self._para("reason", 2)
        self._para("question", 3)
        self._para("history", 4)
        self._para("examination", 4)
        self._para("treatment", 3)
        for name in VITALS:
            self._line(name).setMaximumWidth(110)
        icd = IcdPicker(self._cases.icd)
        icd.setObjectName("diagnosis_code")
        icd.setMaximumWidth(140)
        icd.textChanged.connect(self.on_field_changed)
        icd.code_chosen.connect(self.on_icd_chosen)
        self._register("diagnosis_code", icd)
        self.icd_label = QLabel()
        self.icd_label.setWordWrap(True)
        self._line("diagnosis_text")

        self.patient_group = QGroupBox()
        self.patient_form = QFormLayout(self.patient_group)
        self.clinical_group = QGroupBox()
        self.clinical_form = QFormLayout(self.clinical_group)
        self.vitals_group = QGroupBox()
        self.vitals_grid = QGridLayout(self.vitals_group)
        self.request_group = QGroupBox()
        self.request_form = QFormLayout(self.request_group)
        self._labels: dict[str, QLabel] = {}
        for form, names in (
            (self.patient_form, ("full_name", "birth", "age", "sex", "cccd", "bhyt", "phone", "province",
                                 "commune", "address_line")),
            (self.clinical_form, ("history", "examination", "treatment")),
            (self.request_form, ("urgency", "specialty", "hospital", "foreign_expert", "reason", "question")),
        ):
            for name in names:
                self._labels[name] = QLabel()
                form.addRow(self._labels[name], self.boxes[name])
        diagnosis = QWidget()
        row = QHBoxLayout(diagnosis)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.boxes["diagnosis_code"], 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.icd_label, 1)
        self._labels["diagnosis_code"] = QLabel()
        self._labels["diagnosis_text"] = QLabel()
        self.clinical_form.addRow(self._labels["diagnosis_code"], diagnosis)
        self.clinical_form.addRow(self._labels["diagnosis_text"], self.boxes["diagnosis_text"])
        for i, name in enumerate(VITALS):
            self._labels[name] = QLabel()
            self.vitals_grid.addWidget(self._labels[name], (i // 3) * 2, i % 3)
            self.vitals_grid.addWidget(self.boxes[name], (i // 3) * 2 + 1, i % 3)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        for group in (self.patient_group, self.request_group, self.vitals_group, self.clinical_group):
            body_layout.addWidget(group)
        body_layout.addStretch(1)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.save_state)
        header.addWidget(self.status_badge)
        actions = QHBoxLayout()
        for button in (self.ready_button, self.draft_button, self.submit_button, self.close_button,
                       self.reopen_button):
            # Each action keeps its own place: the next one never appears under the pointer.
            policy = button.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            button.setSizePolicy(policy)
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)  # far from the others
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.parent_label)
        layout.addLayout(actions)
        layout.addWidget(self.banner)
        self._consultation_page = None
        self._consultation_unread = 0  # said on the tab's title until the doctor opens it
        if self.capture_panel is None and self.consultation is None:
            self.tabs = None
            layout.addWidget(scroll, 1)
        else:
            self.tabs = QTabWidget()
            self.tabs.addTab(scroll, "")
            if self.capture_panel is not None:
                self.tabs.addTab(self._scrolled(self.capture_panel), "")
                self.capture_panel.attachments_changed.connect(lambda _n: self._retitle_tabs())
                if self.viewer is not None:
                    self.tabs.addTab(self._scrolled(self.viewer), "")
                    self.capture_panel.imaging_added.connect(self.viewer.reload)
            if self.consultation is not None:
                self._consultation_page = self._scrolled(self.consultation)
                self.tabs.addTab(self._consultation_page, "")
                self.tabs.setTabVisible(self.tabs.indexOf(self._consultation_page), False)
                self.tabs.currentChanged.connect(self._on_tab_changed)
                self.consultation.unread_changed.connect(self._on_consultation_unread)
            layout.addWidget(self.tabs, 1)

    @staticmethod
    def _scrolled(page: QWidget) -> QScrollArea:
        """A tab page whose content scrolls when the window is smaller than it wants (never grows the window)."""
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(page)
        return area

    def retranslate(self) -> None:
        labels = {
            "full_name": self.tr("Full name"), "birth": self.tr("Date of birth"), "age": self.tr("Age (if no date)"),
            "sex": self.tr("Sex"), "cccd": self.tr("CCCD (citizen ID)"), "bhyt": self.tr("BHYT card"),
            "phone": self.tr("Phone"), "province": self.tr("Province / city"), "commune": self.tr("Commune / ward"),
            "address_line": self.tr("House, street, hamlet"), "urgency": self.tr("Urgency"),
            "specialty": self.tr("Specialty asked"), "hospital": self.tr("Central hospital"),
            "foreign_expert": self.tr("Expert abroad"),
            "reason": self.tr("Reason for consultation"), "question": self.tr("Question for the experts"),
            "history": self.tr("History"), "examination": self.tr("Examination"),
            "treatment": self.tr("Current treatment"), "diagnosis_code": self.tr("Provisional diagnosis (ICD-10)"),
            "diagnosis_text": self.tr("Diagnosis in words"), "pulse": self.tr("Pulse (bpm)"),
            "blood_pressure": self.tr("Blood pressure (mmHg)"), "resp_rate": self.tr("Respiratory rate (/min)"),
            "spo2": self.tr("SpO₂ (%)"), "temperature": self.tr("Temperature (°C)"), "weight": self.tr("Weight (kg)"),
        }
        for name, text in labels.items():
            self._labels[name].setText(text)
        self.patient_group.setTitle(self.tr("Patient"))
        self.request_group.setTitle(self.tr("Consultation request"))
        self.vitals_group.setTitle(self.tr("Vital signs"))
        self.clinical_group.setTitle(self.tr("Clinical findings"))
        self.inputs["birth"].setPlaceholderText(self.tr("dd/mm/yyyy or yyyy"))
        self.inputs["cccd"].setPlaceholderText(self.tr("12 digits"))
        self.inputs["bhyt"].setPlaceholderText(self.tr("e.g. DN4790123456789"))
        self.inputs["address_line"].setPlaceholderText(self.tr("Also accepts an old address (district, commune)"))
        self.inputs["blood_pressure"].setPlaceholderText("120/80")
        self.inputs["diagnosis_code"].setPlaceholderText(self.tr("code or words"))
        self.foreign_expert.setText(self.tr("images leave without the patient's identity"))
        self.ready_button.setText(self.tr("Mark ready"))
        self.ready_button.setToolTip(self.tr("Check the case and mark it ready to send (Ctrl+R)"))
        self.draft_button.setText(self.tr("Edit again"))
        self.submit_button.setText(self.tr("Send for consultation"))
        self.submit_button.setToolTip(self.tr("Queue the case for the central hospital (Ctrl+Enter)"))
        self.close_button.setText(self.tr("Close case"))
        self.reopen_button.setText(self.tr("Reopen as new case"))
        self.delete_button.setText(self.tr("Delete draft"))
        self.delete_button.setToolTip(self.tr("Delete this draft and its attachments (a case once sent is kept)"))
        self._retitle_tabs()
        lang = language()
        self.inputs["diagnosis_code"].language = lang
        self._fill_combos(lang)
        self._refresh_header()
        self._show_save_state()
        if self._case is not None:
            self._validate()
            self._show_parent(self._case)

    def _show_parent(self, case: ConsultationCase) -> None:
        """A follow-up case says which case it follows (a link that opens it)."""
        self.parent_label.hide()
        if not case.parent_id:
            return
        parent_id = case.parent_id

        def show(parent: ConsultationCase) -> None:
            if self._case is None or self._case.parent_id != parent.id:
                return
            text = (self.tr("Follow-up of case %1 (%2, %3)").replace("%1", str(parent.number))
                    .replace("%2", parent.patient.full_name or self.tr("(no name yet)"))
                    .replace("%3", status_name(parent.status).lower()))
            self.parent_label.setText(f'<a href="{parent.id}">{html.escape(text)}</a>')
            self.parent_label.show()
        self._runner.run(lambda: self._cases.get_case(parent_id), show, owner=self)

    def _retitle_tabs(self) -> None:
        if self.tabs is not None:
            self.tabs.setTabText(0, self.tr("Case record"))
            if self.capture_panel is not None:
                count = self.capture_panel.model.rowCount()  # what the list shows: a series is one line
                self.tabs.setTabText(1, self.tr("Photos, video, sound (%1)").replace("%1", str(count)))
                if self.viewer is not None:
                    self.tabs.setTabText(2, self.tr("Imaging (DICOM)"))
            if self._consultation_page is not None:
                title = self.tr("Consultation")
                if self._consultation_unread:
                    title += " ● " + self.tr("%1 new").replace("%1", str(self._consultation_unread))
                self.tabs.setTabText(self.tabs.indexOf(self._consultation_page), title)

    def _on_consultation_unread(self, count: int) -> None:
        self._consultation_unread = count
        self._retitle_tabs()

    def _show_consultation_tab(self, case: ConsultationCase) -> None:
        """The "Hội chẩn" tab exists for a case once it is sent."""
        if self._consultation_page is None:
            return
        sent = case.status not in (Status.DRAFT, Status.READY)
        index = self.tabs.indexOf(self._consultation_page)
        if not sent and self.tabs.currentIndex() == index:
            self.tabs.setCurrentIndex(0)
        self.tabs.setTabVisible(index, sent)
        self.consultation.set_case(case if sent else None)
        self.consultation.set_active(sent and self.tabs.currentIndex() == index)

    def show_consultation(self) -> None:
        """Bring the "Hội chẩn" tab of the open case to the front (a notification was clicked)."""
        if self._consultation_page is not None and self.tabs.isTabVisible(self.tabs.indexOf(self._consultation_page)):
            self.tabs.setCurrentWidget(self._consultation_page)

    def _on_tab_changed(self, index: int) -> None:
        if self.consultation is not None:
            self.consultation.set_active(index == self.tabs.indexOf(self._consultation_page))

    def _fill_combos(self, lang: str) -> None:
        was_loading, self._loading = self._loading, True
        try:
            for name, items in (
                ("sex", [("", "")] + [(s, sex_name(s)) for s in SEXES]),
                ("urgency", [(u, urgency_name(u)) for u in Urgency]),
                ("specialty", [("", "")] + [(c.code, c.label(lang)) for c in reference.SPECIALTIES]),
                ("hospital", [("", "")] + [(c.code, c.label(lang)) for c in reference.CENTRAL_HOSPITALS]),
            ):
                combo = self.inputs[name]
                current = combo.currentData()
                combo.clear()
                for data, text in items:
                    combo.addItem(text, data)
                combo.setCurrentIndex(max(0, combo.findData(current)))
        finally:
            self._loading = was_loading

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- the case in and out of the form ---------------------------------------

    @property
    def case(self) -> ConsultationCase | None:
        return self._case

    def load(self, case: ConsultationCase) -> None:
        self._loading = True
        try:
            self._case = case
            self._show_required = case.status is not Status.DRAFT
            p = case.patient
            for name in PATIENT_TEXT:
                self.inputs[name].setText(getattr(p, name))
            self.inputs["sex"].setCurrentIndex(max(0, self.inputs["sex"].findData(p.sex)))
            self.inputs["province"].set_code(p.province_code)
            self.inputs["commune"].set_province(p.province_code)
            self.inputs["commune"].set_code(p.commune_code)
            for name in CASE_TEXT:
                self.inputs[name].setPlainText(getattr(case, name))
            for name in VITALS:
                self.inputs[name].setText(getattr(case.vitals, name))
            self.inputs["diagnosis_code"].setText(case.diagnosis_code)
            self.inputs["diagnosis_text"].setText(case.diagnosis_text)
            for name, value in (("urgency", case.urgency), ("specialty", case.specialty),
                                ("hospital", case.hospital)):
                self.inputs[name].setCurrentIndex(max(0, self.inputs[name].findData(value)))
            self.foreign_expert.setChecked(case.foreign_expert)
        finally:
            self._loading = False
        self._dirty_since = None
        self._identifier_warnings = {}
        self._identifiers_asked = {(name, getattr(case.patient, name)) for name in ("cccd", "bhyt")}
        self._touched = {name for name, widget in self.inputs.items() if self._has_value(widget)}
        for box in self.boxes.values():
            box.show_issues([])
        self.banner.hide()
        self._banner_kind = ""
        self.save_state.clear()
        self._saved_stamp = ""
        self._show_parent(case)
        self.setEnabled(True)
        self._apply_editable()
        self._refresh_header()
        self._validate()
        if self.capture_panel is not None:
            self.capture_panel.set_case(case)
        if self.viewer is not None:
            self.viewer.set_case(case.id)
        self._show_consultation_tab(case)

    def on_icd_chosen(self, code: str, label: str) -> None:
        """The code goes in its field; its label fills the diagnosis in words unless the doctor wrote one."""
        words = self.inputs["diagnosis_text"]
        if label and (not words.text().strip() or words.text() == self._icd_label_filled):
            words.setText(label)
            self._icd_label_filled = label
        self._touched.add("diagnosis_code")
        self._validate()

    @staticmethod
    def _has_value(widget: QWidget) -> bool:
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QLineEdit):
            return bool(widget.text().strip())
        if isinstance(widget, QPlainTextEdit):
            return bool(widget.toPlainText().strip())
        return bool(widget.currentData())

    def collect(self) -> ConsultationCase:
        """The case as the form shows it now (a snapshot, safe to hand to the worker)."""
        text = {name: self.inputs[name].text() for name in PATIENT_TEXT}
        patient = Patient(id=self._case.patient.id, sex=self.inputs["sex"].currentData() or "",
                          province_code=self.inputs["province"].code(), commune_code=self.inputs["commune"].code(),
                          **text)
        return replace(
            self._case,
            patient=patient,
            urgency=Urgency(self.inputs["urgency"].currentData() or Urgency.ROUTINE),
            specialty=self.inputs["specialty"].currentData() or "",
            hospital=self.inputs["hospital"].currentData() or "",
            vitals=Vitals(**{name: self.inputs[name].text() for name in VITALS}),
            diagnosis_code=self.inputs["diagnosis_code"].text().strip(),
            diagnosis_text=self.inputs["diagnosis_text"].text(),
            foreign_expert=self.foreign_expert.isChecked(),
            **{name: self.inputs[name].toPlainText() for name in CASE_TEXT},
        )

    def _apply_editable(self) -> None:
        editable = self._case is not None and self._case.status in EDITABLE
        for widget in self.inputs.values():
            if isinstance(widget, (QLineEdit, QPlainTextEdit)):
                widget.setReadOnly(not editable)
            else:
                widget.setEnabled(editable)

    def _refresh_header(self) -> None:
        case = self._case
        if case is None:
            self.title.setText(self.tr("No case open"))
            for b in (self.ready_button, self.draft_button, self.submit_button, self.close_button,
                      self.reopen_button, self.delete_button):
                b.hide()
            return
        name = self.inputs["full_name"].text().strip() or self.tr("(no name yet)")
        self.title.setText(self.tr("Case %1 — %2").replace("%1", str(case.number)).replace("%2", name))
        self.status_badge.setText(status_name(case.status, self.local_only))
        self.status_badge.setProperty("status", case.status.value)
        self.status_badge.style().unpolish(self.status_badge)
        self.status_badge.style().polish(self.status_badge)
        self.ready_button.setVisible(case.status is Status.DRAFT)
        self.delete_button.setVisible(case.status is Status.DRAFT)
        self.draft_button.setVisible(case.status is Status.READY)
        self.submit_button.setVisible(case.status is Status.READY)
        self.close_button.setVisible(case.status is Status.ANSWERED)
        self.reopen_button.setVisible(case.status in (Status.ANSWERED, Status.CLOSED))
        label = self.inputs["diagnosis_code"].label()
        self.icd_label.setText(label)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.FocusOut and watched in self._field_of \
                and event.reason() != Qt.FocusReason.PopupFocusReason:  # a completer's list is not leaving
            name = self._field_of[watched]
            was_editing = getattr(watched, "editing", False)
            watched.editing = False
            if (name not in self._touched or was_editing) and self._case is not None:
                self._touched.add(name)
                self._validate()
            if name in ("cccd", "bhyt"):
                self._look_up_identifier(name)
        return super().eventFilter(watched, event)

    def _validate(self) -> list[Issue]:
        issues = self._cases.validate(self.collect(), complete=self._show_required)
        by_field: dict[str, list[Issue]] = {}
        for issue in issues:
            by_field.setdefault(issue.field, []).append(issue)
        for name, box in self.boxes.items():
            if getattr(box.editor, "editing", False):
                if box.showing:
                    box.show_issues([])
                continue  # words half-typed in a picker: judged when the doctor leaves the field
            if name in self._touched or self._show_required or box.showing:
                box.show_issues(by_field.get(name, []), self._identifier_warnings.get(name, ""))
        if self._banner_kind == "incomplete" and not errors(issues):
            self.banner.hide()
            self._banner_kind = ""
        return issues

    # -- autosave ----------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return self._dirty_since is not None

    def on_field_changed(self, *_args) -> None:
        if self._loading or self._case is None or self._case.status not in EDITABLE:
            return
        self._revision += 1
        now = time.monotonic()
        if self._dirty_since is None:
            self._dirty_since = now
        self._validate()
        self._refresh_header()
        if now - self._dirty_since >= SAVE_AT_LEAST_EVERY_S:
            self.save_now()
        else:
            self._save_timer.start()

    def save_now(self) -> None:
        """Queue a save of what the form shows, unless one is already on its way."""
        self._save_timer.stop()
        if not self.dirty or self._case is None:
            return
        # Saves may overlap: the runner keeps them in order, so the last one wins.
        snapshot, revision = self.collect(), self._revision
        self.save_state.setText(self.tr("Saving…"))
        self._runner.run(lambda: self._cases.save_draft(snapshot),
                         lambda saved: self._on_saved(saved, revision), self._on_save_error, owner=self)

    def _on_saved(self, saved: ConsultationCase, revision: int) -> None:
        if self._case is None or saved.id != self._case.id:
            self.case_saved.emit(saved)
            return
        self._case = replace(self._case, updated_at=saved.updated_at, number=saved.number)
        if revision == self._revision:
            self._dirty_since = None
            self._saved_stamp = saved.updated_at.astimezone().strftime("%H:%M:%S")
            self._show_save_state()
        self.case_saved.emit(saved)

    def _show_save_state(self) -> None:
        if self._saved_stamp:
            self.save_state.setText(self.tr("Saved %1").replace("%1", self._saved_stamp))

    def _on_save_error(self, error: BaseException) -> None:
        if isinstance(error, StorageError):
            text = storage_message(error)
            self.save_state.setText(self.tr("Not saved"))
            self._show_banner(self.tr("Not saved yet: %1 What you typed is still here; saving again in a few "
                                      "seconds.").replace("%1", text))
            self.save_failed.emit(text)
            self._save_timer.start(RETRY_AFTER_ERROR_MS)
        elif isinstance(error, CaseNotEditable):
            self._show_banner(self.tr("This case has been sent and can no longer be changed."))
        else:
            raise error

    def flush(self) -> None:
        """Queue the pending save now (before switching case or quitting)."""
        self.save_now()

    # -- lifecycle actions ---------------------------------------------------------

    def _show_banner(self, text: str) -> None:
        self._banner_kind = ""
        self.banner.setText(text)
        self.banner.show()

    def _transition(self, action, after=None) -> None:
        if self._case is None:
            return
        self.flush()
        case_id = self._case.id
        self._runner.run(lambda: action(case_id), after or self._on_transitioned, self._on_transition_error,
                         owner=self)

    def _on_transitioned(self, case: ConsultationCase) -> None:
        if self._case is not None and case.id == self._case.id:
            self._case = replace(self._case, status=case.status, updated_at=case.updated_at)
            self._show_required = case.status is not Status.DRAFT
            self.banner.hide()
            self._apply_editable()
            self._refresh_header()
            self._validate()
            if self.capture_panel is not None:
                self.capture_panel.set_case(self._case)
            self._show_consultation_tab(self._case)
        self.case_status_changed.emit(case)

    def show_status(self, case: ConsultationCase) -> None:
        """The case moved on elsewhere (the sync reached the hub, the experts answered): show it now."""
        if self._case is None or case.id != self._case.id or case.status is self._case.status:
            return
        self._case = replace(self._case, status=case.status, updated_at=case.updated_at)
        self._show_required = case.status is not Status.DRAFT
        self._apply_editable()
        self._refresh_header()
        self._show_consultation_tab(self._case)

    def _on_transition_error(self, error: BaseException) -> None:
        if isinstance(error, CaseIncomplete):
            self._show_required = True
            self._validate()
            self._reveal(error.issues[0].field)
            self._show_banner(self.tr("The case is not complete: the fields marked in red need attention (%1).")
                              .replace("%1", str(len(error.issues))))
            self._banner_kind = "incomplete"
        elif isinstance(error, BurnedInReview):
            answer = QMessageBox.question(
                self, self.tr("Check the images"),
                self.tr("%1 image(s) may show the patient's name in the picture itself (ultrasound, screen "
                        "captures). Look at them in %2 before they go abroad.\n\nHave you checked them?")
                .replace("%1", str(len(error.files))).replace("%2", str(error.folder)))
            if answer == QMessageBox.StandardButton.Yes:
                self.submit(burned_in_checked=True)
            else:
                self._show_banner(self.tr("Not sent: check the images first (%1).").replace("%1", str(error.folder)))
        elif isinstance(error, ForeignExportFailed):
            left = [places_left(reason) for _, reason in error.failed if places_left(reason)]
            if left:
                places = ", ".join(dict.fromkeys(place for file in left for place in file))
                self._show_banner(self.tr("Not sent: %1 image file(s) still show the patient's identity after "
                                          "de-identification (in %2). Remove them from the case, or replace them "
                                          "with copies without the patient's details, then send again.")
                                  .replace("%1", str(len(left))).replace("%2", places))
            else:
                self._show_banner(self.tr("Not sent: %1 image file(s) could not be made anonymous. Remove or "
                                          "replace them, then send again.").replace("%1", str(len(error.failed))))
        elif isinstance(error, TransitionError):
            self._show_banner(self.tr("This action is not possible for a case that is %1.")
                              .replace("%1", status_name(error.current).lower()))
        elif isinstance(error, StorageError):
            self._show_banner(storage_message(error))
        else:
            raise error

    def _reveal(self, field: str) -> None:
        box = self.boxes.get(field)
        if box is not None:
            self.scroll.ensureWidgetVisible(box)
            box.editor.setFocus()

    def mark_ready(self) -> None:
        self._transition(self._cases.mark_ready)

    def back_to_draft(self) -> None:
        self._transition(self._cases.back_to_draft)

    def submit(self, burned_in_checked: bool = False) -> None:
        if self._case is not None and self.foreign_expert.isChecked():
            self._show_banner(self.tr("Removing the patient's identity from the images for the expert abroad…"))
        if self._case is not None and self._case.status is Status.DRAFT:
            self._transition(lambda cid: self._cases.submit(self._cases.mark_ready(cid).id, burned_in_checked))
        else:
            self._transition(lambda cid: self._cases.submit(cid, burned_in_checked))

    def _confirm(self, title: str, text: str, details: str, action: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(details)
        go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is go

    def _case_label(self) -> str:
        name = self.inputs["full_name"].text().strip() or self.tr("(no name yet)")
        return self.tr("Case %1 — %2").replace("%1", str(self._case.number)).replace("%2", name)

    def ask_and_submit(self) -> None:
        """"Send for consultation" cannot be undone: say so once, then send."""
        if self._case is None or self._case.status not in (Status.DRAFT, Status.READY):
            return
        if self._confirm(self.tr("Send for consultation"),
                         self.tr("Send this case for consultation? (%1)").replace("%1", self._case_label()),
                         self.tr("Once sent, the case can no longer be changed on this station. It leaves for "
                                 "the central hospital at the next sync; the experts' questions and answers "
                                 "come back here."),
                         self.tr("Send for consultation")):
            self.submit()

    def ask_and_close(self) -> None:
        """"Close case" ends the consultation here and at the hub: say so once, then close."""
        if self._case is None or self._case.status is not Status.ANSWERED:
            return
        if self._confirm(self.tr("Close case"),
                         self.tr("Close this case? (%1)").replace("%1", self._case_label()),
                         self.tr("The consultation is finished here and at the central hospital, and the case "
                                 "can no longer be changed. To follow the patient up later, reopen it as a new "
                                 "case."),
                         self.tr("Close case")):
            self.close_case()

    def ask_and_delete(self) -> None:
        """A mistaken draft: delete it, with its attachments, after one question."""
        if self._case is None or self._case.status is not Status.DRAFT:
            return
        if not self._confirm(self.tr("Delete draft"),
                             self.tr("Delete this draft? (%1)").replace("%1", self._case_label()),
                             self.tr("The draft and its photos, recordings, documents and images are deleted from "
                                     "this station and cannot be recovered. A case already sent is never "
                                     "deleted."),
                             self.tr("Delete draft")):
            return
        self._save_timer.stop()
        self._dirty_since = None
        case_id = self._case.id
        self._runner.run(lambda: self._cases.delete_draft(case_id), lambda _none: self._on_deleted(case_id),
                         self._on_transition_error, owner=self)

    def _on_deleted(self, case_id: str) -> None:
        if self._case is not None and self._case.id == case_id:
            self._case = None
            if self.capture_panel is not None:
                self.capture_panel.release_devices()
            self.setEnabled(False)
            self._refresh_header()
        self.case_deleted.emit(case_id)

    # -- the same CCCD or BHYT on another patient ----------------------------------

    def _look_up_identifier(self, name: str) -> None:
        value = self.inputs[name].text().strip()
        self._identifier_warnings.pop(name, None)
        if not value or (name, value) in self._identifiers_asked or self._case is None \
                or self._case.status not in EDITABLE:
            self._validate()
            return
        self._identifiers_asked.add((name, value))
        snapshot = self.collect()
        self._runner.run(lambda: self._cases.patients_sharing_identifiers(snapshot),
                         lambda found: self._on_identifier_matches(snapshot.id, found), owner=self)

    def _patient_line(self, patient) -> str:
        parts = [patient.full_name or self.tr("(no name yet)")]
        if patient.birth or patient.age:
            parts.append(self.tr("born %1").replace("%1", patient.birth) if patient.birth
                         else self.tr("%1 years old").replace("%1", patient.age))
        if patient.sex:
            parts.append(sex_name(patient.sex).lower())
        return ", ".join(parts)

    def _on_identifier_matches(self, case_id: str, found: list) -> None:
        if not found or self._case is None or self._case.id != case_id:
            return
        match = found[0]
        what = " / ".join({"cccd": "CCCD", "bhyt": "BHYT"}[f] for f in match.fields)
        cases = ", ".join(str(n) for n in match.case_numbers)
        text = (self.tr("This %1 is already on another patient: %2 (case %3).")
                .replace("%1", what).replace("%2", self._patient_line(match.patient)).replace("%3", cases))
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Patient already known"), text,
                          QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(self.tr("If it is the same person, use that patient's details for this case. "
                                       "Otherwise check the number: two patients cannot share it."))
        reuse = box.addButton(self.tr("Use this patient"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("Keep going"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(reuse)
        box.setEscapeButton(keep)
        box.exec()
        if box.clickedButton() is reuse:
            self.flush()
            patient_id = match.patient.id
            self._runner.run(lambda: self._cases.use_patient(case_id, patient_id), self._on_patient_reused,
                             self._on_transition_error, owner=self)
            return
        for field in match.fields:
            self._identifier_warnings[field] = (
                self.tr("Also on %1 (case %2): check the number.")
                .replace("%1", match.patient.full_name or self.tr("(no name yet)")).replace("%2", cases))
            self._touched.add(field)
        self._validate()

    def _on_patient_reused(self, case: ConsultationCase) -> None:
        if self._case is not None and self._case.id == case.id:
            self.load(case)
        self.case_saved.emit(case)

    def close_case(self) -> None:
        self._transition(self._cases.close)

    def reopen(self) -> None:
        self._transition(self._cases.reopen, self.case_created.emit)
