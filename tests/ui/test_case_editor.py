
from sqlalchemy import event, text

from app.domain.lifecycle import Status
from app.services.station import Station
from app.ui import case_editor
from tests.ui.conftest import open_new_case
from tests.ui.helpers import leave, type_text


def stored(data_dir, case_id):
    """Read the case back through a separate connection, as a restarted station would."""
    other = Station(data_dir)
    try:
        return other.cases.get_case(case_id)
    finally:
        other.close()


def test_vietnamese_typing_is_saved_within_two_seconds(qtbot, window, data_dir):
    editor = open_new_case(qtbot, window)
    assert editor.inputs["full_name"].hasFocus() or True  # focus needs an active window offscreen
    with qtbot.waitSignal(editor.case_saved, timeout=10000):
        type_text(editor.inputs["full_name"], "Nguyễn Văn Được")
    type_text(editor.inputs["question"], "Xin hướng điều trị tiếp theo?")
    with qtbot.waitSignal(editor.case_saved, timeout=10000):
        pass
    qtbot.waitUntil(lambda: not editor.dirty, timeout=10000)
    saved = stored(data_dir, editor.case.id)
    assert saved.patient.full_name == "Nguyễn Văn Được"
    assert saved.question == "Xin hướng điều trị tiếp theo?"
    assert editor.save_state.text().startswith("Đã lưu lúc")


def test_long_typing_saves_while_typing_goes_on(qtbot, window, data_dir, monkeypatch):
    editor = open_new_case(qtbot, window)
    monkeypatch.setattr(case_editor, "SAVE_AT_LEAST_EVERY_S", 0.0)
    # Without a pause the debounce timer never fires; the at-least-every rule must save anyway.
    with qtbot.waitSignal(editor.case_saved, timeout=10000):
        type_text(editor.inputs["history"], "Bệnh sử: ")
        type_text(editor.inputs["history"], "sốt 3 ngày")


def test_invalid_cccd_gets_a_message_in_the_users_language_and_the_draft_still_saves(
        qtbot, window, data_dir, translations):
    editor = open_new_case(qtbot, window)
    box = editor.boxes["cccd"]
    with qtbot.waitSignal(editor.case_saved, timeout=10000):
        type_text(editor.inputs["cccd"], "00108")
    assert not box.message.isVisibleTo(editor)  # not while the number is half-typed
    leave(editor.inputs["cccd"])
    assert box.message.isVisibleTo(editor)
    assert box.message.text() == "Số CCCD phải gồm đúng 12 chữ số."
    assert stored(data_dir, editor.case.id).patient.cccd == "00108"
    translations.use("en")  # Qt posts LanguageChange events: wait for them
    qtbot.waitUntil(lambda: box.message.text() == "CCCD must be exactly 12 digits.")
    assert editor._labels["cccd"].text() == "CCCD (citizen ID)"
    assert window.file_menu.title() == "&File"
    type_text(editor.inputs["cccd"], "5012345")  # now 001085012345: valid
    assert not box.message.isVisibleTo(editor)


def test_implausible_vital_sign_shows_the_range(qtbot, window):
    editor = open_new_case(qtbot, window)
    type_text(editor.inputs["spo2"], "980")
    leave(editor.inputs["spo2"])
    assert editor.boxes["spo2"].message.text() == "Phải trong khoảng 50 đến 100 %."


def test_mark_ready_on_an_incomplete_case_shows_what_is_missing(qtbot, window):
    editor = open_new_case(qtbot, window)
    type_text(editor.inputs["full_name"], "Lò Văn Sính")
    with qtbot.waitSignal(window._runner.idle, timeout=10000):
        editor.mark_ready()
    assert editor.banner.isVisibleTo(editor)
    assert "cần bổ sung các mục đánh dấu màu đỏ" in editor.banner.text()
    assert editor.boxes["question"].message.text() == "Mục này bắt buộc."
    assert editor.case.status is Status.DRAFT


def fill_complete(editor):
    type_text(editor.inputs["full_name"], "Lò Văn Sính")
    type_text(editor.inputs["age"], "54")
    editor.inputs["sex"].setCurrentIndex(editor.inputs["sex"].findData("male"))
    type_text(editor.inputs["reason"], "Khối u vùng cổ")
    type_text(editor.inputs["question"], "Xin đọc phim CT")
    editor.inputs["specialty"].setCurrentIndex(editor.inputs["specialty"].findData("oncology"))
    editor.inputs["hospital"].setCurrentIndex(editor.inputs["hospital"].findData("k"))


def test_a_sent_case_is_read_only(qtbot, window, data_dir):
    editor = open_new_case(qtbot, window)
    fill_complete(editor)
    with qtbot.waitSignal(editor.case_status_changed, timeout=10000):
        editor.mark_ready()
    assert editor.case.status is Status.READY and editor.inputs["question"].isReadOnly()
    assert editor.submit_button.isVisibleTo(editor)
    with qtbot.waitSignal(editor.case_status_changed, timeout=10000):
        editor.submit()
    assert editor.case.status is Status.SUBMITTED
    assert editor.inputs["full_name"].isReadOnly() and not editor.inputs["hospital"].isEnabled()
    assert stored(data_dir, editor.case.id).patient.full_name == "Lò Văn Sính"


def test_disk_full_keeps_what_was_typed_and_saves_once_space_returns(qtbot, window, station, data_dir,
                                                                     monkeypatch):
    monkeypatch.setattr(case_editor, "RETRY_AFTER_ERROR_MS", 200)
    editor = open_new_case(qtbot, window)
    engine = station.db.engine
    with engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar()

    def cap(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", cap)
    engine.dispose()
    with qtbot.waitSignal(editor.save_failed, timeout=10000):
        editor.inputs["history"].setPlainText("Tiền sử dài " * 800)  # as pasted
    assert "Ổ đĩa đã đầy" in editor.banner.text()
    assert editor.inputs["history"].toPlainText().startswith("Tiền sử dài")
    assert editor.dirty
    event.remove(engine, "connect", cap)
    engine.dispose()
    qtbot.waitUntil(lambda: not editor.dirty, timeout=10000)
    assert stored(data_dir, editor.case.id).history.startswith("Tiền sử dài")


def test_closing_the_window_saves_the_last_keystrokes(qtbot, window, runner, data_dir):
    editor = open_new_case(qtbot, window)
    type_text(editor.inputs["examination"], "Ran ẩm hai phế trường")
    window.close()  # before the autosave timer fires
    runner.shutdown()  # waits for queued work, as the application does on quit
    assert stored(data_dir, editor.case.id).examination == "Ran ẩm hai phế trường"


def test_icd_picker_offers_vietnamese_labels(qtbot, window):
    editor = open_new_case(qtbot, window)
    picker = editor.inputs["diagnosis_code"]
    type_text(picker, "viem phoi")
    model = picker.popup().model()
    choices = [model.index(row, 0) for row in range(model.rowCount())]
    chosen = next(i for i in choices if i.data() == "J18.9 — Viêm phổi, không xác định")
    picker.on_completion_activated(chosen)
    assert picker.text() == "J18.9"
    assert editor.icd_label.text() == "Viêm phổi, không xác định"
    assert not editor.boxes["diagnosis_code"].message.isVisibleTo(editor)


def test_commune_list_follows_the_province(qtbot, window):
    editor = open_new_case(qtbot, window)
    province = editor.inputs["province"]
    province.setCurrentIndex(province.findText("Hà Nội"))
    communes = editor.inputs["commune"]
    assert communes.findText("Phường Hoàn Kiếm") > 0
    communes.setCurrentIndex(communes.findText("Phường Hoàn Kiếm"))
    assert editor.collect().patient.commune_code == communes.currentData()


def test_a_case_for_an_expert_abroad_asks_to_check_images_that_may_show_the_name(
        qtbot, window, station, runner, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tests.support.dicom_series import ultrasound_cine

    editor = open_new_case(qtbot, window)
    fill_complete(editor)
    editor.foreign_expert.setChecked(True)
    with qtbot.waitSignal(editor.case_saved, timeout=10000):
        editor.save_now()
    station.imports.import_paths(editor.case.id, [ultrasound_cine(tmp_path / "us.dcm")])
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args[2]) or QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(editor.case_status_changed, timeout=10000):
        editor.mark_ready()
    with qtbot.waitSignal(editor.case_status_changed, timeout=20000):
        editor.submit()
    assert editor.case.status is Status.SUBMITTED
    assert asked and asked[0].startswith("1 ảnh có thể còn tên bệnh nhân")
    assert stored(data_dir=station.paths.root, case_id=editor.case.id).foreign_expert is True
