"""The "Hội chẩn" tab of a sent case: the conclusion on top, the request as sent, the thread with the
experts in time order, a reply box; the minutes to print and the outcome to report. Thin over
ConsultationService: every action is one of its methods, run on the worker."""

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QFileDialog, QFrame, QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QStyle, QVBoxLayout, QWidget)

from app.domain import reference
from app.domain.case import ConsultationCase
from app.services.consultation import ConsultationView, ThreadEntry

from .conclusion_view import ConclusionView, _lines, local_time
from .runner import TaskRunner
from .texts import language, outcome_name, party_detail, urgency_name

ATTACHABLE = "*.jpg *.jpeg *.png *.pdf *.dcm *.tif *.tiff *.bmp"


class ConsultationTab(QWidget):
    read_marked = Signal(str)      # case id: nothing on its thread is news any more
    message_written = Signal(str)  # case id: a reply or outcome waits in the outbox
    unread_changed = Signal(int)   # what is new on the thread shown (its tab says so when behind another)
    live_requested = Signal(str)   # case id: start a live consultation on it, or join the one open

    def __init__(self, service: Callable[[], object], runner: TaskRunner, parent: QWidget | None = None):
        """`service()` gives the ConsultationService (built on first use: it opens the blob store)."""
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._case_id: str | None = None
        self._view: ConsultationView | None = None
        self._files: list[Path] = []
        self.active = False  # the doctor has this tab in front of them
        # Hooks a test replaces: where to save the minutes, and opening a file with the desktop's viewer.
        self.choose_minutes_target = self._ask_minutes_target
        self.open_file = lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        self.conclusion = ConclusionView()
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_minutes)
        self.outcome_button = QPushButton()
        self.outcome_button.clicked.connect(self.report_outcome)
        self.live_button = QPushButton()  # shown when the station can go live (app/ui/live_controller.py)
        self.live_button.setObjectName("liveButton")
        self.live_button.hide()
        self.live_button.clicked.connect(lambda: self._case_id and self.live_requested.emit(self._case_id))
        self.minutes_note = QLabel(wordWrap=True)
        self.minutes_note.setObjectName("minutesNote")
        actions = QHBoxLayout()
        actions.addWidget(self.print_button)
        actions.addWidget(self.outcome_button)
        actions.addStretch(1)
        actions.addWidget(self.live_button)

        self.request_group = QGroupBox()
        self.request = QLabel(wordWrap=True)
        self.request.setTextFormat(Qt.TextFormat.RichText)
        QVBoxLayout(self.request_group).addWidget(self.request)

        self.thread_group = QGroupBox()
        self.thread_layout = QVBoxLayout(self.thread_group)
        self.empty_thread = QLabel(wordWrap=True)
        self.thread_layout.addWidget(self.empty_thread)
        self.entry_frames: list[QFrame] = []

        self.reply_group = QGroupBox()
        self.reply_text = QPlainTextEdit()
        self.reply_text.setTabChangesFocus(True)
        self.reply_text.setMinimumHeight(70)
        self.reply_text.setMaximumHeight(120)
        self.attach_button = QPushButton()
        self.attach_button.clicked.connect(self.choose_files)
        self.attached = QLabel(wordWrap=True)
        self.send_button = QPushButton()
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send_reply)
        self.reply_error = QLabel(wordWrap=True)
        self.reply_error.setStyleSheet("color: #c62828;")
        self.reply_error.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.attached, 1)
        buttons.addWidget(self.send_button)
        reply_layout = QVBoxLayout(self.reply_group)
        reply_layout.addWidget(self.reply_text)
        reply_layout.addWidget(self.reply_error)
        reply_layout.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.conclusion)
        layout.addLayout(actions)
        layout.addWidget(self.minutes_note)
        layout.addWidget(self.request_group)
        layout.addWidget(self.thread_group)
        layout.addWidget(self.reply_group)
        layout.addStretch(1)
        self.retranslate()

    # -- the case shown ----------------------------------------------------------------------

    def set_case(self, case: ConsultationCase | None) -> None:
        new = case is None or case.id != self._case_id
        self._case_id = case.id if case is not None else None
        if new:
            self._view = None
            self.unread_changed.emit(0)
            self._files = []
            self.reply_text.clear()
            self.reply_error.hide()
            self._render()
        self.reload()

    def reload(self) -> None:
        case_id = self._case_id
        if case_id is None:
            return
        service = self._service()
        self._runner.run(lambda: service.view(case_id), lambda view: self._on_view(case_id, view), owner=self)

    def set_active(self, active: bool) -> None:
        """The editor says when this tab is the one in front: what it shows is read then."""
        self.active = active
        self._mark_read_if_shown()

    def _on_view(self, case_id: str, view: ConsultationView) -> None:
        if case_id != self._case_id:
            return  # another case was opened meanwhile
        self._view = view
        self._render()
        self.unread_changed.emit(view.unread)
        self._mark_read_if_shown()

    def _mark_read_if_shown(self) -> None:
        view = self._view
        if not self.active or view is None or not view.unread:
            return
        case_id, service = view.case.id, self._service()
        self._view = _without_unread(view)
        self.unread_changed.emit(0)
        self._runner.run(lambda: service.mark_read(case_id), lambda _none: self.read_marked.emit(case_id),
                         owner=self)

    # -- actions -----------------------------------------------------------------------------

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Attach to the reply"), "",
                                                self.tr("Photos, PDF, images (%1)").replace("%1", ATTACHABLE))
        self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> None:
        self._files += [p for p in paths if p not in self._files]
        self._show_attached()

    def send_reply(self) -> None:
        """Written at once (offline too); the sync pass sends it."""
        if self._case_id is None:
            return
        case_id, text, files = self._case_id, self.reply_text.toPlainText(), list(self._files)
        if not text.strip() and not files:
            self._show_reply_error(self.tr("Write a reply or attach a file first."))
            return
        service = self._service()
        self.send_button.setEnabled(False)
        self._runner.run(lambda: service.reply(case_id, text, files), lambda _entry: self._on_written(case_id),
                         self._on_reply_failed, owner=self)

    def _on_written(self, case_id: str) -> None:
        self.send_button.setEnabled(True)
        if case_id == self._case_id:
            self.reply_text.clear()
            self._files = []
            self._show_attached()
            self.reply_error.hide()
        self.message_written.emit(case_id)
        self.reload()

    def _on_reply_failed(self, error: BaseException) -> None:
        self.send_button.setEnabled(True)
        if isinstance(error, OSError):  # a file that could not be read or stored: the environment's
            self._show_reply_error(self.tr("The file could not be attached: %1").replace("%1", str(error)))
            return
        raise error

    def _show_reply_error(self, text: str) -> None:
        self.reply_error.setText(text)
        self.reply_error.show()

    def print_minutes(self) -> None:
        """Save the minutes PDF where the doctor says, then open it (to print) with the desktop's viewer."""
        view = self._view
        if view is None or not view.minutes.available:
            return
        target = self.choose_minutes_target(f"bien-ban-hoi-chan-{view.case.number or view.case.id[:8]}.pdf")
        if not target:
            return
        case_id, service = view.case.id, self._service()
        self._runner.run(lambda: service.save_minutes(case_id, Path(target)), self.open_file, owner=self)

    def _ask_minutes_target(self, suggested: str) -> str:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Save the minutes"), suggested, "PDF (*.pdf)")
        return name

    def report_outcome(self) -> None:
        from .outcome_dialog import OutcomeDialog

        view = self._view
        if view is None:
            return
        self.outcome_dialog = self.make_outcome_dialog()
        if self.outcome_dialog.exec() == OutcomeDialog.DialogCode.Accepted:
            self.message_written.emit(view.case.id)
            self.reload()

    def make_outcome_dialog(self):
        from datetime import date

        from .outcome_dialog import OutcomeDialog

        view, service = self._view, self._service()
        case_id = view.case.id
        created = view.case.created_at.astimezone().date() if view.case.created_at else None
        return OutcomeDialog(lambda code, on, where, note: service.report_outcome(case_id, code, on, where, note),
                             self._runner, created, date.today(), self)

    # -- showing -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.print_button.setText(self.tr("Print the minutes"))
        self.outcome_button.setText(self.tr("Report the treatment outcome"))
        self.live_button.setText(self.tr("Live consultation"))
        self.live_button.setToolTip(self.tr("See and hear the experts now: start a live consultation on this case, "
                                            "or join the one already open"))
        self.request_group.setTitle(self.tr("The request as sent"))
        self.thread_group.setTitle(self.tr("Messages with the experts"))
        self.empty_thread.setText(self.tr("No message yet. The experts' questions and answers appear here."))
        self.reply_group.setTitle(self.tr("Reply to the experts"))
        self.reply_text.setPlaceholderText(self.tr("Your answer to the experts' question, or new information…"))
        self.attach_button.setText(self.tr("Attach…"))
        self.attach_button.setToolTip(self.tr("Add a photo, a lab result (PDF) or an image to the reply"))
        self.send_button.setText(self.tr("Send"))
        self.send_button.setToolTip(self.tr("Sent as soon as the hub can be reached; works offline"))
        self.conclusion.retranslate()
        self._show_attached()
        self._render()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_attached(self) -> None:
        self.attached.setText(", ".join(p.name for p in self._files))

    def _render(self) -> None:
        view = self._view
        self.conclusion.show_conclusion(view.conclusion if view else None, view.earlier if view else ())
        minutes = view.minutes if view else None
        self.print_button.setEnabled(bool(minutes and minutes.available))
        if minutes is not None and minutes.available:
            self.minutes_note.hide()
        else:
            self.minutes_note.setText(
                self.tr("The minutes (Biên bản hội chẩn) can be printed once the experts have signed the conclusion "
                        "and the station has fetched it.") if not (view and view.conclusion) else
                self.tr("The minutes are being fetched from the hub; they can be printed after the next sync."))
            self.minutes_note.show()
        self.print_button.setToolTip(self.minutes_note.text() if self.minutes_note.isVisible() else
                                     self.tr("Save the minutes as a PDF and open it to print"))
        self.outcome_button.setEnabled(view is not None)
        self.request.setText(self._request_text(view.case) if view else "")
        for frame in self.entry_frames:
            self.thread_layout.removeWidget(frame)
            frame.deleteLater()
        self.entry_frames = [self._entry_frame(e) for e in (view.entries if view else ())]
        for frame in self.entry_frames:
            self.thread_layout.addWidget(frame)
        self.empty_thread.setVisible(not self.entry_frames)

    def _request_text(self, case: ConsultationCase) -> str:
        lang = language()
        hospital, specialty = reference.hospital(case.hospital), reference.specialty(case.specialty)
        rows = [
            (self.tr("Asked of"), " — ".join(x.label(lang) for x in (hospital, specialty) if x)),
            (self.tr("Urgency"), urgency_name(case.urgency)),
            (self.tr("Reason"), case.reason),
            (self.tr("Question"), case.question),
            (self.tr("Provisional diagnosis"), " ".join(x for x in (case.diagnosis_code, case.diagnosis_text) if x)),
        ]
        return "<br>".join(f"<b>{html.escape(k)}:</b> {_lines(v)}" for k, v in rows if v)

    def _entry_frame(self, entry: ThreadEntry) -> QFrame:
        frame = QFrame()
        frame.setObjectName("entryOut" if entry.direction == "out" else "entryIn")
        frame.setStyleSheet("QFrame#entryIn { background: #e3f2fd; border-radius: 6px; }"
                            "QFrame#entryOut { background: #f5f5f5; border-radius: 6px; }")
        layout = QVBoxLayout(frame)
        label = QLabel(wordWrap=True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setText(self._entry_html(entry))
        layout.addWidget(label)
        frame.text_label = label
        for attachment in entry.attachments:
            if isinstance(attachment, str):
                layout.addWidget(QLabel(self.tr("An attachment kept at the hub")))
                continue
            button = QPushButton(self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon), attachment.original_name)
            button.setToolTip(self.tr("Open the attached file"))
            service = self._service()
            button.clicked.connect(lambda _c=False, a=attachment: self.open_file(service.attachment_path(a)))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        return frame

    def _entry_html(self, e: ThreadEntry) -> str:
        head = html.escape(self._entry_title(e))
        who = ""
        if e.direction == "in":
            detail = party_detail(e.author_detail)
            who = html.escape(e.author) + (f" <span style='color:#555'>({html.escape(detail)})</span>" if detail else "")
        when = html.escape(local_time(e.sent_at))
        state = ""
        if e.direction == "out":  # tr() outside the f-strings: lupdate does not look inside them
            waiting, sent = html.escape(self.tr("waiting to be sent")), html.escape(self.tr("sent"))
            state = (f" · <b style='color:#ef6c00'>{waiting}</b>" if e.waiting
                     else f" · <span style='color:#2e7d32'>{sent}</span>")
        parts = [f"<b>{head}</b>" + (f" — {who}" if who else ""), f"<span style='color:#555'>{when}</span>{state}"]
        if e.outcome:
            line = outcome_name(e.outcome.get("code", ""))
            if e.outcome.get("referred_to"):
                line += " — " + e.outcome["referred_to"]
            day = e.outcome.get("date", "")
            if len(day) == 10:
                line += " (" + "/".join(reversed(day.split("-"))) + ")"
            parts.append(f"<b>{html.escape(line)}</b>")
        if e.text:
            parts.append(_lines(e.text))
        return "<br>".join(parts)

    def _entry_title(self, e: ThreadEntry) -> str:
        if e.kind == "status":
            return {
                "accepted": self.tr("Accepted by the central hospital"),
                "assigned": self.tr("Assigned to %1").replace("%1", e.assignee or "?"),
                "declined": self.tr("Declined"),
            }.get(e.change, self.tr("Status changed"))
        return {
            "question": self.tr("Question from the experts"),
            "note": self.tr("Note from the experts"),
            "reply": self.tr("Your reply"),
            "outcome": self.tr("Treatment outcome reported"),
        }.get(e.kind, self.tr("Answer from the experts"))


def _without_unread(view: ConsultationView) -> ConsultationView:
    from dataclasses import replace

    return replace(view, unread=0)
