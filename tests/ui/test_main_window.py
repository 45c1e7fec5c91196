from PySide6.QtCore import Qt

from app.domain.case import ConsultationCase, Patient
from app.domain.lifecycle import Status


def test_ctrl_n_starts_a_new_case_with_the_cursor_in_the_name(qtbot, window, cases):
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None)
    assert window.stack.currentWidget() is window.editor
    assert window.editor.title.text() == f"Hồ sơ {window.editor.case.number} — (chưa có tên)"
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 1)
    assert window.case_list.current_case_id() == window.editor.case.id
    assert cases.get_case(window.editor.case.id).status is Status.DRAFT


def test_the_language_menu_switches_the_interface(qtbot, window):
    assert window.file_menu.title() == "&Tệp"
    with qtbot.waitSignal(window.language_requested) as requested:
        window.en_action.trigger()
    assert requested.args == ["en"]


def test_status_bar_says_the_station_works_offline(window):
    assert window.sync_state.label.text() == "Ngoại tuyến: hồ sơ được lưu tại điểm cầu này"


def test_status_bar_and_list_tell_the_sync_state_honestly(qtbot, window, station):
    from datetime import datetime, timezone

    from app.services.sync import SyncStatus

    case = station.cases.create_case(ConsultationCase(patient=Patient(full_name="Lò Văn Páo")))
    window.case_list.refresh()
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 1)
    status = SyncStatus(enrolled=True, hub_url="http://hub", unsent_rows=3,
                        unsent_by_case={case.id: (3, "")}, unread_by_case={case.id: 1},
                        last_success=datetime(2026, 11, 24, 7, 5, tzinfo=timezone.utc))
    window.on_sync_status(status)
    window.sync_state.set_online(False)
    text = window.sync_state.label.text()
    assert text.startswith("Ngoại tuyến · Chưa gửi: 3 · đồng bộ lúc ")
    cell = window.case_list.model.index(0, window.case_list.model.COLUMNS.index("status"))
    assert cell.data().endswith("● 1 mới")
    window.on_sync_status(SyncStatus(enrolled=True, last_success=None))
    window.sync_state.set_online(True)
    assert window.sync_state.label.text() == "Đã gửi hết · chưa đồng bộ lần nào"
    assert "●" not in cell.data()
    window.sync_state.show_upload(50, 100)
    assert window.sync_state.progress.isVisibleTo(window) and window.sync_state.progress.value() == 500


def test_the_list_shows_existing_cases_at_start(qtbot, station, runner, translations):
    from app.ui.main_window import MainWindow

    station.cases.create_case(ConsultationCase(patient=Patient(full_name="Hà Thị Thu")))
    made = MainWindow(station.cases, runner, str(station.paths.root))
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.case_list_shown):
        made.case_list.refresh()
    assert made.case_list.model.index(0, 1).data() == "Hà Thị Thu"
    assert made.case_list.count_label.text() == "1 hồ sơ"
    qtbot.waitUntil(lambda: not runner.busy)


def test_a_conflict_is_marked_in_the_list_and_asked_about_never_resent_silently(qtbot, window, station):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.services.sync import SyncStatus
    from app.sync.engine import SyncReport

    case = station.cases.create_case(ConsultationCase(patient=Patient(full_name="Lò Văn Páo")))
    window.case_list.refresh()
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 1)
    error = "conflict: task-changed:requested:on-hold"
    window.on_sync_status(SyncStatus(enrolled=True, unsent_rows=1, unsent_by_case={case.id: (1, error)}))
    cell = window.case_list.model.index(0, window.case_list.model.COLUMNS.index("status"))
    assert cell.data().endswith("⚠ xung đột")
    assert "từ “đã yêu cầu” sang “tạm dừng”" in cell.data(Qt.ItemDataRole.ToolTipRole)

    resent = []
    window.sync = type("Controller", (), {"resend": lambda self, case_id: resent.append(case_id)})()
    seen = []

    def answer(button_text):
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        if not boxes:
            QTimer.singleShot(50, lambda: answer(button_text))
            return
        seen.append(boxes[0].informativeText())
        for button in boxes[0].buttons():
            if button.text() == button_text:
                button.click()

    QTimer.singleShot(0, lambda: answer("Để nguyên như chuyên gia đặt"))
    window.on_sync_finished(SyncReport(conflicts={case.id: "task-changed:requested:on-hold"}))
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert resent == [] and "không có gì của chuyên gia bị ghi đè" in seen[0]
    QTimer.singleShot(0, lambda: answer("Gửi thay đổi của tôi"))
    window.on_sync_finished(SyncReport(conflicts={case.id: "task-changed:requested:on-hold"}))
    qtbot.waitUntil(lambda: resent == [case.id])
