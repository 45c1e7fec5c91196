"""The smaller things a doctor notices on the station's screens (issue 13, item 10)."""


from app.ui.import_flow import ImportResultsDialog
from tests.support.dicom_series import ct_series
from tests.ui.conftest import open_new_case
from tests.ui.helpers import leave, type_text
from tests.ui.test_main_window_fit import full_window


def test_the_tab_counts_what_the_doctor_sees_a_series_is_one(qtbot, station, runner, translations, tmp_path):
    case = station.cases.create_case()
    station.imports.import_paths(case.id, ct_series(tmp_path / "ct", slices=6))
    window = full_window(qtbot, station, runner)
    window.show()
    window.open_case(case.id)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None)
    panel = window.editor.capture_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert window.editor.tabs.tabText(1).endswith("(1)")
    window.close()
    panel.shutdown()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


def test_import_results_are_modal_and_never_stack(qtbot, station, translations, tmp_path):
    from PySide6.QtWidgets import QWidget

    case = station.cases.create_case()
    first = station.imports.import_paths(case.id, ct_series(tmp_path / "a", slices=2))
    again = station.imports.import_paths(case.id, ct_series(tmp_path / "a", slices=2))
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    one = ImportResultsDialog(first, parent)
    one.show()
    assert one.isModal()
    two = ImportResultsDialog(again, parent)
    two.show()
    assert not one.isVisible() and two.isVisible()
    two.close()


def test_the_incomplete_banner_goes_when_the_field_is_fixed(qtbot, window):
    editor = open_new_case(qtbot, window)
    with qtbot.waitSignal(editor.case_status_changed, timeout=3000, raising=False):
        editor.mark_ready()
    qtbot.waitUntil(lambda: editor.banner.isVisibleTo(editor))
    from tests.ui.test_case_editor import fill_complete

    fill_complete(editor)
    leave(editor.inputs["hospital"])
    qtbot.waitUntil(lambda: not editor.banner.isVisibleTo(editor), timeout=2000)


def test_the_blood_pressure_message_says_which_value(qtbot, window):
    editor = open_new_case(qtbot, window)
    type_text(editor.inputs["blood_pressure"], "300/80")
    leave(editor.inputs["blood_pressure"])
    assert "tâm thu" in editor.boxes["blood_pressure"].message.text()
    editor.inputs["blood_pressure"].clear()
    type_text(editor.inputs["blood_pressure"], "120/15")
    assert "tâm trương" in editor.boxes["blood_pressure"].message.text()


def test_switching_to_english_follows_everywhere(qtbot, window, translations, station):
    editor = open_new_case(qtbot, window)
    with qtbot.waitSignal(editor.case_saved, timeout=3000):
        type_text(editor.inputs["full_name"], "Hà Thị Thu")
    qtbot.waitUntil(lambda: not editor.dirty)
    qtbot.waitUntil(lambda: window.case_list.count_label.text() == "1 hồ sơ")
    assert editor.save_state.text().startswith("Đã lưu lúc")
    translations.use("en")  # Qt posts the LanguageChange events
    qtbot.waitUntil(lambda: window.case_list.count_label.text() == "Cases: 1")
    qtbot.waitUntil(lambda: editor.save_state.text().startswith("Saved "))
    translations.use("vi")


def test_a_follow_up_case_shows_its_parent(qtbot, window, station):
    from app.domain.lifecycle import Status
    from tests.ui.test_sync_status import sent_case

    case = sent_case(station)
    for status in (Status.SYNCED, Status.ANSWERED):
        station.cases.record_status(case.id, status)
    follow_up = station.cases.reopen(case.id)
    window.show_case(station.cases.get_case(follow_up.id))
    qtbot.waitUntil(lambda: window.editor.parent_label.isVisibleTo(window.editor))
    assert f"hồ sơ {case.number}" in window.editor.parent_label.text()
    with qtbot.waitSignal(window.editor.parent_requested):
        window.editor.parent_label.linkActivated.emit(case.id)  # the doctor clicks the link
    qtbot.waitUntil(lambda: window.editor.case.id == case.id)
    assert not window.editor.parent_label.isVisibleTo(window.editor)


def test_no_standards_jargon_on_the_case_form(qtbot, window):
    editor = open_new_case(qtbot, window)
    assert "PS3.15" not in editor.foreign_expert.text()
    assert editor.foreign_expert.text() == "ảnh gửi đi không kèm thông tin nhận dạng bệnh nhân"
