"""Irreversible actions ask once, and the next button never lands under the pointer."""

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.domain.lifecycle import Status
from tests.ui.conftest import open_new_case
from tests.ui.helpers import leave, type_text
from tests.ui.test_case_editor import fill_complete


def answer_question(qtbot, choose: str, seen: list) -> None:
    """When the question box is up, note its text and click the button labelled `choose`."""

    def act():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, act)
            return
        seen.append(box.text() + "\n" + box.informativeText())
        buttons = [b for b in box.buttons() if b.text().replace("&", "") == choose]
        if buttons:
            buttons[0].click()
        else:
            seen.append(f"no button {choose!r} among {[b.text() for b in box.buttons()]}")
            box.reject()

    QTimer.singleShot(0, act)


def button_under(editor, point):
    widget = editor.childAt(editor.mapFromGlobal(point))
    return widget if isinstance(widget, QPushButton) and widget.isVisible() else None


def test_send_and_close_ask_once_and_say_what_happens(qtbot, window, station):
    editor = open_new_case(qtbot, window)
    fill_complete(editor)
    pointer = editor.ready_button.mapToGlobal(editor.ready_button.rect().center())
    with qtbot.waitSignal(editor.case_status_changed, timeout=10000):
        editor.ready_button.click()
    assert editor.case.status is Status.READY
    assert button_under(editor, pointer) is None  # "Send" is not where the doctor just clicked

    seen = []
    answer_question(qtbot, "Huỷ", seen)
    editor.submit_button.click()
    assert "không thể sửa" in seen[0]
    qtbot.waitUntil(lambda: not window._runner.busy)
    assert station.cases.get_case(editor.case.id).status is Status.READY

    answer_question(qtbot, "Gửi hội chẩn", seen)
    with qtbot.waitSignal(editor.case_status_changed, timeout=10000):
        editor.submit_button.click()
    assert editor.case.status is Status.SUBMITTED

    station.cases.record_status(editor.case.id, Status.SYNCED)
    station.cases.record_status(editor.case.id, Status.ANSWERED)
    window.show_case(station.cases.get_case(editor.case.id))
    assert editor.close_button.isVisible()
    pointer = editor.close_button.mapToGlobal(editor.close_button.rect().center())
    answer_question(qtbot, "Đóng hồ sơ", seen)
    with qtbot.waitSignal(editor.case_status_changed, timeout=10000):
        editor.close_button.click()
    assert "Đóng hồ sơ" in seen[-1] and "mở lại" in seen[-1]
    assert editor.case.status is Status.CLOSED
    assert button_under(editor, pointer) is None  # "Reopen" is not where the doctor just clicked


def test_a_mistaken_draft_is_deleted_after_one_question(qtbot, window, station):
    from app.services.cases import CaseNotFound

    editor = open_new_case(qtbot, window)
    type_text(editor.inputs["full_name"], "Nhầm bệnh nhân")
    case_id = editor.case.id
    seen = []
    answer_question(qtbot, "Huỷ", seen)
    editor.delete_button.click()
    assert "không lấy lại được" in seen[0]
    assert station.cases.get_case(case_id)
    answer_question(qtbot, "Xoá bản nháp", seen)
    with qtbot.waitSignal(editor.case_deleted, timeout=10000):
        editor.delete_button.click()
    try:
        station.cases.get_case(case_id)
        raise AssertionError("the draft is still there")
    except CaseNotFound:
        pass
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 0)
    assert window.stack.currentWidget() is window.placeholder


def test_a_cccd_already_on_another_patient_offers_that_patient(qtbot, window, station):
    from app.domain.case import ConsultationCase, Patient

    known = station.cases.create_case(ConsultationCase(patient=Patient(
        full_name="Lò Văn Páo", cccd="011085001234", birth="1985", sex="male")))
    editor = open_new_case(qtbot, window)
    type_text(editor.inputs["full_name"], "Lo Van Pao")
    type_text(editor.inputs["cccd"], "011085001234")
    seen = []
    answer_question(qtbot, "Dùng bệnh nhân này", seen)
    leave(editor.inputs["cccd"])
    qtbot.waitUntil(lambda: editor.inputs["full_name"].text() == "Lò Văn Páo", timeout=10000)
    assert "Lò Văn Páo" in seen[0] and f"hồ sơ {known.number}" in seen[0]
    assert editor.case.patient.id == known.patient.id
    assert station.cases.get_case(editor.case.id).patient.id == known.patient.id


def test_a_cccd_kept_for_a_different_name_stays_flagged(qtbot, window, station):
    from app.domain.case import ConsultationCase, Patient

    station.cases.create_case(ConsultationCase(patient=Patient(full_name="Lò Văn Páo", cccd="011085001234")))
    editor = open_new_case(qtbot, window)
    type_text(editor.inputs["full_name"], "Hà Thị Thu")
    type_text(editor.inputs["cccd"], "011085001234")
    seen = []
    answer_question(qtbot, "Vẫn tiếp tục", seen)
    leave(editor.inputs["cccd"])
    box = editor.boxes["cccd"]
    qtbot.waitUntil(lambda: box.message.isVisibleTo(editor) and "Lò Văn Páo" in box.message.text(), timeout=10000)
    assert editor.inputs["full_name"].text() == "Hà Thị Thu"
