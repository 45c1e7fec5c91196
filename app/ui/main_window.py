"""The station's main window: the case list beside the case editor."""

from PySide6.QtCore import QByteArray, QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QLayout, QMainWindow, QMessageBox, QSplitter, QStackedWidget, QSystemTrayIcon, QWidget

from app import __version__
from app.domain.case import ConsultationCase
from app.services.cases import CaseService

from .case_editor import CaseEditor
from .media_services import MediaServices
from .case_list import CaseListPanel
from .runner import TaskRunner
from .sync_bar import SyncBar
from .wheel_guard import install as guard_the_wheel


# Screens up to this size (1366×768 laptops, 1280×720 and 1280×800 ones) start maximised.
SMALL_SCREEN = QSize(1440, 800)
PREFERRED_SIZE = QSize(1280, 800)
MINIMUM_SIZE = QSize(800, 520)
FRAME_ALLOWANCE = 40  # a title bar and frame around the window, above what the screen leaves us


class MainWindow(QMainWindow):
    language_requested = Signal(str)  # 'vi' or 'en'
    case_list_shown = Signal()        # the first page of cases is on screen

    def __init__(self, cases: CaseService, runner: TaskRunner, data_dir: str, media: MediaServices | None = None,
                 parent: QWidget | None = None, consultation=None, live=None):
        """`consultation()`: the ConsultationService behind each sent case's "Hội chẩn" tab;
        `live()`: the LiveService (live consultations: the tab's button, invitations)."""
        super().__init__(parent)
        guard_the_wheel(QApplication.instance())  # the wheel scrolls forms, not the unfocused field under it
        self._live = live
        self.live = None  # LiveController, made with the editor or at the first invitation check
        self._media = media
        self._consultation = consultation
        self._consultation_wanted: str | None = None  # a case to show on its Hội chẩn tab once loaded
        self._notified: list[str] = []  # the cases the last desktop notification was about
        self._cases = cases
        self._runner = runner
        self._data_dir = data_dir
        self._first_page = True
        self._local_only = False  # syncing with the station's own hub only
        self.case_list = CaseListPanel(cases, runner)
        self.editor: CaseEditor | None = None  # built on first use: keeps start-up quick
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("placeholder")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        splitter = QSplitter()
        splitter.addWidget(self.case_list)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([560, 720])
        self.setCentralWidget(splitter)

        self.sync_state = SyncBar()
        self.statusBar().addPermanentWidget(self.sync_state)
        self.sync = None  # SyncController, when the station syncs with a hub
        self.tray: QSystemTrayIcon | None = None
        self._make_actions()
        self.case_list.case_selected.connect(self.open_case)
        self.case_list.page_loaded.connect(self.on_page_loaded)
        self.retranslate()
        # Nothing shown later (a photo, the imaging tab, a long banner) may grow the window past the
        # screen: panels scroll their own content instead.
        self.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setMinimumSize(MINIMUM_SIZE)

    def _make_actions(self) -> None:
        self.new_action = QAction(self, shortcut=QKeySequence.StandardKey.New, triggered=self.new_case)
        self.ready_action = QAction(self, shortcut=QKeySequence("Ctrl+R"), triggered=lambda: self._editor_do("mark_ready"))
        self.submit_action = QAction(self, shortcut=QKeySequence("Ctrl+Return"), triggered=lambda: self._editor_do("ask_and_submit"))
        self.find_action = QAction(self, shortcut=QKeySequence.StandardKey.Find, triggered=self.case_list.focus_search)
        self.quit_action = QAction(self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        self.about_action = QAction(self, triggered=self.show_about)
        self.devices_action = QAction(self, triggered=self.show_device_settings)
        self.check_action = QAction(self, triggered=self.show_check)
        self.hub_action = QAction(self, triggered=self.show_hub)
        self.hub_action.setVisible(False)
        self.console_action = QAction(self, triggered=self.show_local_console)
        self.console_action.setVisible(False)  # with the local hub only: a real hub's experts have their accounts
        self.sync_action = QAction(self, shortcut=QKeySequence("F5"), triggered=self.sync_now)
        self.sync_action.setVisible(False)
        self.vi_action = QAction("Tiếng Việt", self, checkable=True)
        self.en_action = QAction("English", self, checkable=True)
        group = QActionGroup(self)
        for action, code in ((self.vi_action, "vi"), (self.en_action, "en")):
            group.addAction(action)
            action.triggered.connect(lambda _checked=False, c=code: self.language_requested.emit(c))
        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addActions([self.new_action, self.find_action])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.case_menu = self.menuBar().addMenu("")
        self.case_menu.addActions([self.ready_action, self.submit_action, self.sync_action])
        self.tools_menu = self.menuBar().addMenu("")
        self.tools_menu.addActions([self.check_action, self.devices_action, self.hub_action, self.console_action])
        self.tools_menu.menuAction().setVisible(self._media is not None)
        self.language_menu = self.menuBar().addMenu("")
        self.language_menu.addActions([self.vi_action, self.en_action])
        self.help_menu = self.menuBar().addMenu("")
        self.help_menu.addAction(self.about_action)
        self.toolbar = self.addToolBar("main")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.addActions([self.new_action, self.ready_action, self.submit_action, self.sync_action])

    def set_language(self, code: str) -> None:
        (self.vi_action if code == "vi" else self.en_action).setChecked(True)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Điểm Cầu — telehealth consultation station"))
        self.file_menu.setTitle(self.tr("&File"))
        self.case_menu.setTitle(self.tr("&Case"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.tools_menu.setTitle(self.tr("&Tools"))
        self.devices_action.setText(self.tr("Device settings…"))
        self.check_action.setText(self.tr("Pre-session check…"))
        self.hub_action.setText(self.tr("Central hub…"))
        self.console_action.setText(self.tr("Expert console (local hub)…"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.new_action.setText(self.tr("New case"))
        self.new_action.setToolTip(self.tr("Start a new consultation case (Ctrl+N)"))
        self.ready_action.setText(self.tr("Mark ready"))
        self.submit_action.setText(self.tr("Send for consultation"))
        self.find_action.setText(self.tr("Find a case"))
        self.quit_action.setText(self.tr("Quit"))
        self.about_action.setText(self.tr("About Điểm Cầu"))
        self.placeholder.setText(self.tr("Choose a case on the left, or press Ctrl+N to start a new one.\n"
                                         "Everything is saved on this computer as you type; no network is needed."))
        self.sync_action.setText(self.tr("Sync now"))
        self.sync_action.setToolTip(self.tr("Send what is waiting and fetch the experts' answers (F5)"))
        self.sync_state.retranslate()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- cases --------------------------------------------------------------------

    def _ensure_editor(self) -> CaseEditor:
        if self.editor is None:
            panel = None
            if self._media is not None:
                from .capture_panel import CapturePanel  # numpy, OpenCV: not on the start-up path

                panel = CapturePanel(self._media, self._runner)
                panel.problem.connect(lambda text: self.statusBar().showMessage(text, 15000))
            viewer = None
            if self._media is not None and self._media.imaging is not None:
                from .dicom_viewer import DicomViewer

                deid = self._media.deidentification() if self._media.deidentification is not None else None
                viewer = DicomViewer(self._media.imaging(), self._runner, deid)
            tab = None
            if self._consultation is not None:
                from .consultation_tab import ConsultationTab

                tab = ConsultationTab(self._consultation, self._runner)
                tab.read_marked.connect(self.on_thread_read)
                tab.message_written.connect(self.on_message_written)
                if self._live is not None:
                    tab.live_button.show()
                    tab.live_requested.connect(lambda case_id: self._ensure_live().start_or_join(case_id))
            self.editor = CaseEditor(self._cases, self._runner, panel, viewer, consultation=tab)
            self.editor.local_only = self._local_only
            self.editor.case_saved.connect(self.on_case_saved)
            self.editor.case_status_changed.connect(self.on_case_saved)
            self.editor.case_created.connect(self.on_case_created)
            self.editor.case_deleted.connect(self.on_case_deleted)
            self.editor.parent_requested.connect(self.open_case)
            self.editor.save_failed.connect(lambda text: self.statusBar().showMessage(text, 10000))
            self.stack.addWidget(self.editor)
        return self.editor

    def _ensure_live(self):
        if self.live is None:
            from .live_controller import LiveController

            self.live = LiveController(self._live, self._media.settings if self._media else lambda: None,
                                       panel=lambda: self.editor.capture_panel if self.editor is not None else None,
                                       parent=self, attach_viewer=self.attach_live_viewer)
            # Permanent: a status message (a sync's) would hide a normal status-bar widget until it times out.
            self.statusBar().insertPermanentWidget(0, self.live.notice)
            self.live.invited.connect(self.on_live_invited)
        return self.live

    def attach_live_viewer(self, live_window) -> None:
        """The case's DICOM viewer in the live session: it follows whichever site presents (the viewer comes
        to the front then) and presents to every site with the window's "Show images" (app/ui/viewer_sync.py)."""
        editor = self._ensure_editor()
        if editor.viewer is None:
            return
        from .viewer_sync import ViewerSync

        request = getattr(live_window.details, "request", "")
        sync = ViewerSync(editor.viewer, live_window.send_text, getattr(live_window.details, "display", ""),
                          case=request, parent=live_window)
        live_window.viewer_sync = sync
        live_window.bridge.data_received.connect(sync.on_message)
        live_window.closed.connect(sync.stop)

        def not_here(error: BaseException) -> None:
            from app.services.cases import CaseNotFound

            if not isinstance(error, CaseNotFound):  # another site's case: its images come from the hub
                raise error

        def show_viewer() -> None:
            if request and (editor.case is None or editor.case.id != request):
                editor.flush()
                self._runner.run(lambda: self._cases.get_case(request), self.show_case, not_here, owner=self)
            for index in range(editor.tabs.count()):
                if editor.tabs.widget(index).isAncestorOf(editor.viewer):
                    editor.tabs.setCurrentIndex(index)

        def toggle_present() -> None:
            """Pressed: the viewer comes in front of the live window and presents; pressed again: everyone
            stops following it (as the live window's own hook, viewer_sync.attach_to_live_window, does)."""
            if sync.mode == "presenting":
                sync.stop()
            else:
                show_viewer()
                self.bring_forward()
                sync.present()
            live_window.set_presenting(sync.mode == "presenting")

        def on_following(name: str) -> None:
            if name:
                show_viewer()
            live_window.set_presenting(sync.mode == "presenting")  # another site took over: no longer ours

        sync.following_changed.connect(on_following)
        live_window.set_present(toggle_present)

    def bring_forward(self) -> None:
        """The main window in front and active (over the live window), showing the case editor."""
        if self.editor is not None and self.editor.case is not None:
            self.stack.setCurrentWidget(self.editor)
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()

    def on_live_invited(self, _live_id: str, text: str) -> None:
        self._notice_kind = "live"
        if self.tray is not None:
            self.tray.showMessage(self.tr("Điểm Cầu"), text, QSystemTrayIcon.MessageIcon.Information, 30000)

    def _editor_do(self, method: str) -> None:
        if self.editor is not None and self.editor.case is not None:
            getattr(self.editor, method)()

    def new_case(self) -> None:
        editor = self._ensure_editor()
        editor.flush()
        self._runner.run(self._cases.create_case, self.on_case_created, owner=self)

    def on_case_created(self, case: ConsultationCase) -> None:
        self.show_case(case)
        self.case_list.refresh(select_id=case.id)
        self.editor.inputs["full_name"].setFocus()

    def on_case_deleted(self, _case_id: str) -> None:
        self.stack.setCurrentWidget(self.placeholder)
        self.case_list.refresh()
        self.statusBar().showMessage(self.tr("Draft deleted."), 5000)

    def open_case(self, case_id: str) -> None:
        editor = self._ensure_editor()
        if editor.case is not None and editor.case.id == case_id:
            if self._consultation_wanted == case_id:
                self._consultation_wanted = None
                editor.show_consultation()
            return
        editor.flush()
        self._runner.run(lambda: self._cases.get_case(case_id), self.show_case, owner=self)

    def show_case(self, case: ConsultationCase) -> None:
        editor = self._ensure_editor()
        editor.load(case)
        self.stack.setCurrentWidget(editor)
        if self._consultation_wanted == case.id:
            self._consultation_wanted = None
            editor.show_consultation()

    def open_consultation(self, case_id: str) -> None:
        """The case on its Hội chẩn tab (where a notification of a new answer leads)."""
        self._consultation_wanted = case_id
        self.case_list.refresh(select_id=case_id)  # selected in the list too, once the page is in
        self.open_case(case_id)
        if self.isMinimized():
            self.showNormal()
        self.activateWindow()

    def on_notification_clicked(self) -> None:
        if getattr(self, "_notice_kind", "") == "live" and self.live is not None and self.live.last_invitation:
            self.live.join(self.live.last_invitation)
            return
        if self._notified:
            self.open_consultation(self._notified[0])

    def on_thread_read(self, _case_id: str) -> None:
        """The doctor read a case's thread: its "● mới" goes from the list now."""
        if self.sync is not None:
            self.sync.refresh_status()
        self.case_list.refresh()

    def on_message_written(self, _case_id: str) -> None:
        """A reply or outcome waits in the outbox: say so, and send it now if the link allows."""
        if self.sync is not None:
            self.sync.refresh_status()
            self.sync.sync_now()

    def on_case_saved(self, case: ConsultationCase) -> None:
        self.case_list.refresh(select_id=self.editor.case.id if self.editor and self.editor.case else case.id)
        if self.sync is not None and case.status.value in ("submitted", "closed"):
            self.sync.refresh_status()  # the change waits in the outbox: say so before the pass sends it
            self.sync.sync_now()

    # -- sync with the hub -------------------------------------------------------------------

    def attach_sync(self, controller) -> None:
        self.sync = controller
        self.sync_action.setVisible(True)
        self.hub_action.setVisible(True)
        self.tools_menu.menuAction().setVisible(True)
        self.sync_state.connecting = True
        self.sync_state.retranslate()
        controller.status_changed.connect(self.on_sync_status)
        controller.sync_finished.connect(self.on_sync_finished)
        controller.upload_progressed.connect(self.sync_state.show_upload)
        controller.answers_arrived.connect(self.on_answers_arrived)
        if self._live is not None:
            # An invitation comes as a push event; the minute's pass catches one a cut push missed.
            controller.event_pushed.connect(lambda event: self._ensure_live().on_hub_event(event))
            controller.sync_finished.connect(lambda _report: self._ensure_live().check_invitations())
        controller.hub_failed.connect(lambda text: self.statusBar().showMessage(
            self.tr("The local hub could not start: %1").replace("%1", text), 20000))
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self.windowIcon(), self)
            self.tray.messageClicked.connect(self.on_notification_clicked)
            self.tray.show()

    def sync_now(self) -> None:
        """The doctor asked: say that it runs, then what came of it (online or not)."""
        if self.sync is not None:
            self._sync_asked = True
            self.statusBar().showMessage(self.tr("Syncing with the hub…"), 30000)
            self.sync.sync_now(force=True)

    def on_sync_status(self, status) -> None:
        self.sync_state.show_status(status)
        local_only = getattr(status, "local_only", False)
        self.console_action.setVisible(self.sync is not None and self.sync.local_hub is not None)
        self.case_list.model.set_sync_marks(status.unread_by_case, status.unsent_by_case, status.conflicts_by_case,
                                            local_only)
        self._local_only = local_only
        if self.editor is not None and self.editor.local_only != local_only:
            self.editor.local_only = local_only
            self.editor.retranslate()

    def on_sync_finished(self, report) -> None:
        self.sync_state.set_online(report.online)
        if getattr(self, "_sync_asked", False):
            self._sync_asked = False
            if report.online:
                self.statusBar().showMessage(
                    self.tr("Sync done: %1 item(s) sent, %2 new answer(s).")
                    .replace("%1", str(report.sent_rows)).replace("%2", str(len(set(report.new_answers)))), 10000)
            else:
                self.statusBar().showMessage(
                    self.tr("Could not reach the hub: the cases stay on this station and are sent when the "
                            "link is back."), 15000)
        changed = set(report.synced_cases) | set(report.new_answers) | set(report.failed_cases)
        if changed:
            self.case_list.refresh()
            if self.editor is not None and self.editor.case is not None and self.editor.case.id in changed:
                case_id = self.editor.case.id
                self._runner.run(lambda: self._cases.get_case(case_id), self.editor.show_status, owner=self)
                if self.editor.consultation is not None:
                    self.editor.consultation.reload()  # the new message shows (and is read, if the tab is in front)
        from app.services.sync import TaskConflict

        for case_id, diagnostics in sorted(report.conflicts.items()):
            conflict = TaskConflict.parse(diagnostics)
            if conflict is not None:
                self._runner.run(lambda case_id=case_id: self._cases.get_case(case_id),
                                 lambda case, conflict=conflict: self.on_conflict(case, conflict), owner=self)

    def on_conflict(self, case, conflict) -> None:
        from .conflict_dialog import ConflictDialog

        label = self.tr("Consultation no. %1 — %2").replace("%1", str(case.number)).replace(
            "%2", case.patient.full_name)
        if ConflictDialog(label, conflict, self).resend_chosen():
            self.sync.resend(case.id)

    def on_answers_arrived(self, case_ids: list) -> None:
        self._notified = list(case_ids)
        self._notice_kind = "answers"
        text = self.tr("New answer from the experts for %n case(s).", "", len(case_ids))
        if self.tray is not None:
            self.tray.showMessage(self.tr("Điểm Cầu"), text, QSystemTrayIcon.MessageIcon.Information, 15000)
        self.statusBar().showMessage(text, 30000)
        self.case_list.refresh()

    def on_page_loaded(self, _page) -> None:
        if self._first_page:
            self._first_page = False
            self.case_list_shown.emit()

    def _devices_in_live(self) -> bool:
        """The live window has the camera and microphone: a device dialog now would take them mid-session."""
        if self.live is not None and self.live.window is not None:
            self.statusBar().showMessage(self.tr("The camera and microphone are in use by the live consultation; "
                                                 "leave it first."), 10000)
            return True
        return False

    def show_device_settings(self) -> None:
        from .device_settings import DeviceSettingsDialog

        if self._devices_in_live():
            return

        panel = self.editor.capture_panel if self.editor is not None else None
        if panel is not None:
            panel.hand_over_devices("settings")  # one owner of the camera at a time; said on the tab
        dialog = DeviceSettingsDialog(self._media.settings(), self._runner, self)
        accepted = dialog.exec() == DeviceSettingsDialog.DialogCode.Accepted
        if accepted:
            self._media.save_settings(dialog.settings())
        if panel is not None:
            panel.take_back_devices()
        if accepted:
            self.statusBar().showMessage(self.tr("Device settings saved."), 5000)

    def show_hub(self) -> None:
        from .hub_dialog import HubDialog

        if HubDialog(self.sync, self).exec() == HubDialog.DialogCode.Accepted:
            self.statusBar().showMessage(self.tr("Connected to the hub; syncing…"), 10000)

    def show_local_console(self) -> None:
        from .console_dialog import LocalConsoleDialog

        # As the form shows it now: the editor's case is the one loaded, without what was typed since.
        case = self.editor.collect() if self.editor is not None and self.editor.case is not None else None
        language = "vi" if self.vi_action.isChecked() else "en"
        LocalConsoleDialog(self.sync, language, getattr(case, "hospital", ""), getattr(case, "specialty", ""),
                           self).exec()

    def show_check(self) -> None:
        from .check_dialog import CheckDialog

        if self._devices_in_live():
            return

        panel = self.editor.capture_panel if self.editor is not None else None
        if panel is not None:
            panel.hand_over_devices("check")  # the check tests the camera the preview holds
        CheckDialog(self._media.checks(), self._media.settings, self._runner, self).exec()
        if panel is not None:
            panel.take_back_devices()

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About Điểm Cầu"),
                          self.tr("Điểm Cầu %1 — telehealth consultation station.\nData folder: %2")
                          .replace("%1", __version__).replace("%2", self._data_dir))

    # -- window state -------------------------------------------------------------

    def geometry_state(self) -> str:
        return bytes(self.saveGeometry().toBase64()).decode("ascii")

    def restore_geometry_state(self, state: str, available: QRect | None = None) -> None:
        """The size and place of last time, kept inside the screen; on first start, fit the screen."""
        if available is None:
            screen = self.screen() or QGuiApplication.primaryScreen()
            available = screen.availableGeometry()
        if state and self.restoreGeometry(QByteArray.fromBase64(state.encode("ascii"))):
            if self.windowState() & Qt.WindowState.WindowMaximized:
                return
            frame = self.frameGeometry()
            if available.contains(frame):
                return
            size = self.size().boundedTo(available.size() - QSize(0, FRAME_ALLOWANCE))
            self.resize(size)
            self.move(available.topLeft())
            return
        if available.width() <= SMALL_SCREEN.width() or available.height() <= SMALL_SCREEN.height():
            self.setGeometry(available.adjusted(0, FRAME_ALLOWANCE, 0, 0))
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        else:
            size = PREFERRED_SIZE.boundedTo(available.size() - QSize(0, FRAME_ALLOWANCE))
            rect = QRect(QPoint(0, 0), size)
            rect.moveCenter(available.center())
            self.setGeometry(rect)

    def closeEvent(self, event) -> None:
        if self.live is not None:
            self.live.shutdown()  # leaves the session, the devices go back before the panel shuts down
        if self.editor is not None:
            self.editor.flush()
            if self.editor.capture_panel is not None:
                self.editor.capture_panel.shutdown()
        super().closeEvent(event)
