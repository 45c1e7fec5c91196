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
    qtbot.waitUntil(lambda: not editor.banner.isVisibleTo(editor), timeout=10000)


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
    with qtbot.waitSignal(editor.case_saved, timeout=10000):
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


def _preview_in_window(qtbot, station, runner, tmp_path, files):
    """The main window at 1280×720 on a case holding `files`, its capture tab open; (window, panel, rows)."""
    case = station.cases.create_case()
    station.imports.import_paths(case.id, files)
    window = full_window(qtbot, station, runner)
    window.resize(1280, 720)
    window.show()
    window.open_case(case.id)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None)
    window.editor.tabs.setCurrentIndex(1)
    panel = window.editor.capture_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == len(files))
    rows = {panel.model.attachment(r).original_name: r for r in range(len(files))}
    return window, panel, rows


def _close(qtbot, window, panel, runner):
    window.close()
    panel.shutdown()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


def _box(mask):
    import numpy as np

    ys, xs = np.nonzero(mask)
    return (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) if len(xs) else None


def _grabbed(widget):
    import numpy as np

    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return pixels[:, :image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)


def test_a_photo_preview_shows_the_whole_photo_fitted(qtbot, station, runner, translations, tmp_path):
    import cv2
    import numpy as np

    photo = tmp_path / "ban-tay.jpg"
    image = np.full((1200, 900, 3), (200, 60, 30), np.uint8)  # BGR: blue, upright 3:4
    image[:120] = (30, 30, 220)   # a red band along the top
    image[-120:] = (30, 200, 30)  # a green band along the bottom
    cv2.imwrite(str(photo), image)
    window, panel, _rows = _preview_in_window(qtbot, station, runner, tmp_path, [photo])
    shown = panel.table.parentWidget().widget(1)  # what stands beside the list
    panel.table.selectRow(0)

    def colours():
        pixels = _grabbed(shown)
        r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
        return (r > 150) & (g < 100) & (b < 100), (g > 150) & (r < 100) & (b < 100), (b > 150) & (r < 100)

    qtbot.waitUntil(lambda: colours()[2].any(), timeout=10000)
    red, green, blue = colours()
    assert red.any() and green.any(), "the top and the bottom of the photo are both on screen"
    left, top, right, bottom = _box(red | green | blue)
    assert abs((right - left) / (bottom - top) - 900 / 1200) < 0.03  # its proportions kept
    assert right - left <= shown.width() and bottom - top <= shown.height()
    _close(qtbot, window, panel, runner)


def test_a_pdf_preview_is_rendered_readable_at_the_size_it_is_shown(qtbot, station, runner, translations,
                                                                     tmp_path):
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    document.new_page(595, 842)  # A4
    document.save(str(tmp_path / "giay-chuyen-vien.pdf"))
    document.close()
    window, panel, _rows = _preview_in_window(qtbot, station, runner, tmp_path, [tmp_path / "giay-chuyen-vien.pdf"])
    shown = panel.table.parentWidget().widget(1)
    panel.table.selectRow(0)
    room = shown.width() - panel.picture.scroll.sizeHint().width()
    across = lambda: panel.picture.image() is not None and abs(panel.picture.picture_rect().width() - room) <= 1  # noqa: E731
    qtbot.waitUntil(across, timeout=10000)  # the page across the whole width, to be read
    page, image, ratio = panel.picture.picture_rect(), panel.picture.image(), shown.devicePixelRatioF()
    assert abs(page.width() / page.height() - 595 / 842) < 0.02
    assert room >= 250 and page.width() >= 250  # about half the size printed, at least: a line of text reads
    # Made at the size shown, pixel for pixel: not a small picture blown up.
    assert abs(image.width() - page.width() * ratio) <= 2 and abs(image.height() - page.height() * ratio) <= 2
    assert page.top() == 0 and page.bottom() > shown.height() and panel.picture.scroll.isVisible()
    panel.picture.scroll.setValue(panel.picture.scroll.maximum())  # the rest of the page, scrolled to
    assert abs(panel.picture.picture_rect().bottom() - shown.height()) <= 1
    _close(qtbot, window, panel, runner)
