"""The DICOM viewer on a generated CT and an ultrasound cine (scroll, window/level, presets, cine, key images),
and on pydicom's own colour and overlay files."""

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_color_lut, pixel_array
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from app.ui.dicom_viewer import DicomViewer
from tests.support.dicom_series import ct_series, ultrasound_cine


def pixels(viewer) -> np.ndarray:
    """What the view shows: rows × columns (grey) or rows × columns × 3 (colour)."""
    image = viewer.view.image
    if not image.isGrayscale():
        image = image.convertToFormat(QImage.Format.Format_RGB888)
        rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
        return rows[:, :image.width() * 3].reshape(image.height(), image.width(), 3).copy()  # the converted image goes
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, :image.width()]


def details(viewer, technical: bool = False) -> dict[str, str]:
    rows = viewer.technical_rows if technical else viewer.detail_rows
    return {name.text(): value.text() for name, value in rows if value.isVisibleTo(viewer)}


def open_files(qtbot, station, runner, names, deidentification=None):
    case = station.cases.create_case()
    report = station.imports.import_paths(case.id, [Path(get_testdata_file(name)) for name in names])
    assert report.count("imported") == len(names)
    made = DicomViewer(station.imaging, runner, deidentification)
    qtbot.addWidget(made)
    made.resize(1100, 700)
    made.show()
    made.set_case(case.id)
    qtbot.waitUntil(lambda: made.series_list.count() == len(names) and made.view.image is not None, timeout=30000)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    return made


@pytest.fixture
def viewer(qtbot, station, runner, translations, tmp_path):
    case = station.cases.create_case()
    station.imports.import_paths(case.id, ct_series(tmp_path / "ct", slices=30) +
                                 [ultrasound_cine(tmp_path / "us.dcm", frames=8)])
    made = DicomViewer(station.imaging, runner)
    qtbot.addWidget(made)
    made.resize(1100, 700)
    made.show()
    made.set_case(case.id)
    qtbot.waitUntil(lambda: made.series_list.count() == 2 and made.view.image is not None, timeout=30000)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    return made


def test_first_series_opens_with_its_own_window_and_metadata(viewer):
    assert viewer.current.modality == "CT" and viewer.position.text() == "1/30"
    assert viewer.levels.text() == "C 40 / W 400"
    assert details(viewer)["Bệnh nhân"] == "NGUYEN VAN DUOC"
    assert not viewer.series_list.item(0).icon().isNull()  # thumbnails


def test_details_read_as_people_read_them_with_technical_ones_behind_an_expander(qtbot, viewer):
    viewer.resize(1280, 720)
    qtbot.waitUntil(lambda: viewer.width() == 1280)
    shown = details(viewer)
    assert shown["Ngày sinh"] == "12/03/1968" and shown["Giới tính"] == "Nam"
    assert shown["Tuổi"] == "58 tuổi" and shown["Ngày chụp"] == "20/11/2026"
    assert shown["Loại chụp"] == "CT (cắt lớp vi tính)"
    assert not any(value in ("M", "19680312", "20261120") for value in shown.values())  # no raw codes
    assert details(viewer, technical=True) == {}  # folded away
    assert viewer.technical_button.text() == "Chi tiết kỹ thuật"
    viewer.technical_button.click()
    technical = details(viewer, technical=True)
    assert technical["Kích thước ảnh"] == "64×64" and technical["Cửa sổ trong tệp"] == "C 40 / W 400"
    assert technical["Cách mã hoá tệp"] == "Explicit VR Little Endian"
    area = viewer.details_area
    qtbot.waitUntil(lambda: all(value.width() > 0 for _, value in viewer.technical_rows if value.text()))
    assert area.widget().width() <= area.viewport().width()
    for name, value in viewer.detail_rows + viewer.technical_rows:  # nothing cut off, nothing beyond the panel
        for label in (name, value) if value.text() else ():
            right = label.mapTo(area.widget(), QPoint(label.width(), 0)).x()
            assert right <= area.viewport().width(), label.text()
            assert label.heightForWidth(label.width()) <= label.height() or not label.wordWrap(), label.text()
            assert label.sizeHint().width() <= label.width() or label.wordWrap(), label.text()
    viewer.technical_button.click()
    assert details(viewer, technical=True) == {}


def test_sex_and_age_in_english_and_an_age_the_file_states(qtbot, station, runner):
    viewer = open_files(qtbot, station, runner, ["SC_rgb_rle.dcm"])  # sex F, age 024Y, no birth date
    shown = details(viewer)
    assert shown["Sex"] == "Female" and shown["Age"] == "24 years" and shown["Study date"] == "1 Jan 2017"
    assert "Birth date" not in shown  # an empty field is left out


def test_wheel_and_keys_scroll_through_slices(qtbot, viewer):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(viewer.view.width() / 2, viewer.view.height() / 2)
    event = QWheelEvent(centre, viewer.view.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120 * 3),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewer.view, event)
    assert viewer.position.text() == "4/30"
    viewer.view.setFocus()
    qtbot.keyClick(viewer.view, Qt.Key.Key_End)
    assert viewer.position.text() == "30/30"
    qtbot.keyClick(viewer.view, Qt.Key.Key_PageUp)
    assert viewer.position.text() == "20/30"


def test_dragging_changes_window_level_and_the_rendered_pixels(qtbot, viewer):
    before = pixels(viewer).copy()
    start = QPoint(200, 200)
    qtbot.mousePress(viewer.view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewer.view, start + QPoint(120, 60))
    qtbot.mouseRelease(viewer.view, Qt.MouseButton.LeftButton, pos=start + QPoint(120, 60))
    assert viewer.window.width > 400 and viewer.window.center > 40
    assert not np.array_equal(before, pixels(viewer))


def test_presets_lung_and_bone(viewer):
    viewer.preset.setCurrentIndex(viewer.preset.findData("lung"))
    viewer.on_preset(0)
    assert viewer.levels.text() == "C -600 / W 1500"
    lung = pixels(viewer).copy()
    viewer.preset.setCurrentIndex(viewer.preset.findData("bone"))
    viewer.on_preset(0)
    assert viewer.levels.text() == "C 400 / W 1800"
    assert not np.array_equal(lung, pixels(viewer))


def test_cine_plays_a_multiframe_ultrasound(qtbot, viewer):
    viewer.series_list.setCurrentRow(1)
    assert viewer.current.modality == "US" and viewer.cine_button.isEnabled()
    viewer.cine_button.click()
    qtbot.waitUntil(lambda: viewer.index >= 3, timeout=10000)
    viewer.cine_button.click()
    assert viewer.cine_button.text() == "Phát"


def test_key_images_are_marked_and_kept(qtbot, viewer, station, runner):
    viewer.go_to(5)
    viewer.key_button.click()
    qtbot.waitUntil(lambda: not runner.busy)
    image = viewer.current.images[5]
    assert station.imaging.key_images(viewer._case_id) == {(image.attachment_id, 0)}
    assert viewer.key_button.text() == "Ảnh chính ★"


def test_an_anonymised_copy_is_written_from_the_viewer(qtbot, station, runner, translations, tmp_path):
    case = station.cases.create_case()
    station.imports.import_paths(case.id, ct_series(tmp_path / "ct", slices=3) + [ultrasound_cine(tmp_path / "u.dcm")])
    viewer = DicomViewer(station.imaging, runner, station.deidentification)
    qtbot.addWidget(viewer)
    viewer.show()
    viewer.set_case(case.id)
    qtbot.waitUntil(lambda: viewer.series_list.count() == 2, timeout=10000)
    viewer.export_anonymised(str(tmp_path / "out"))
    qtbot.waitUntil(lambda: viewer.export_status.text().startswith("Đã ghi 4"), timeout=20000)
    assert "siêu âm" in viewer.export_status.text()
    assert len(list((tmp_path / "out").glob("*.dcm"))) == 4
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


@pytest.mark.parametrize("name", ["examples_ybr_color.dcm", "examples_palette.dcm", "SC_rgb_rle_16bit.dcm"])
def test_colour_images_are_shown_in_colour_and_the_window_leaves_them_alone(qtbot, station, runner, translations,
                                                                            name):
    viewer = open_files(qtbot, station, runner, [name])
    ds = pydicom.dcmread(get_testdata_file(name))
    expected = pixel_array(ds, index=0)
    if ds.PhotometricInterpretation == "PALETTE COLOR":
        expected = apply_color_lut(expected, ds) >> 8
    expected = (expected >> (int(ds.BitsStored) - 8) if ds.BitsStored > 8 else expected).astype(np.uint8)
    shown = pixels(viewer)
    assert shown.shape == expected.shape and np.array_equal(shown, expected)  # as pydicom decodes it: colour
    assert viewer.levels.text() == "" and not viewer.preset.isEnabled()
    start = QPoint(200, 200)
    qtbot.mousePress(viewer.view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewer.view, start + QPoint(120, 60))
    qtbot.mouseRelease(viewer.view, Qt.MouseButton.LeftButton, pos=start + QPoint(120, 60))
    assert np.array_equal(pixels(viewer), expected)  # dragging does not window a colour image
    icon = viewer.series_list.item(0).icon().pixmap(96, 96).toImage().convertToFormat(QImage.Format.Format_RGB888)
    thumb = np.frombuffer(icon.constBits(), np.uint8).reshape(icon.height(), icon.bytesPerLine())
    thumb = thumb[:, :icon.width() * 3].reshape(icon.height(), icon.width(), 3).astype(int)
    assert (thumb.max(axis=-1) - thumb.min(axis=-1)).max() > 20  # the thumbnail is in colour too, not grey


def test_a_grey_series_after_a_colour_one_gets_its_window_back(qtbot, station, runner, translations):
    viewer = open_files(qtbot, station, runner, ["examples_ybr_color.dcm", "examples_overlay.dcm"])
    rows = {viewer.series[r].modality: r for r in range(len(viewer.series))}
    viewer.series_list.setCurrentRow(rows["US"])
    assert viewer.levels.text() == "" and not viewer.preset.isEnabled()
    viewer.series_list.setCurrentRow(rows["MR"])
    assert viewer.levels.text().startswith("C ") and viewer.preset.isEnabled()


def grab(viewer) -> np.ndarray:
    image = viewer.view.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, :image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def test_overlays_are_drawn_and_can_be_hidden(qtbot, station, runner, translations):
    viewer = open_files(qtbot, station, runner, ["examples_overlay.dcm"])
    assert viewer.overlay_button.isVisible() and viewer.overlay_button.isChecked()
    assert viewer.overlay_button.text() == "Chú thích trên ảnh"
    drawn = grab(viewer)
    viewer.overlay_button.click()
    hidden = grab(viewer)
    changed = np.argwhere((drawn != hidden).any(axis=-1))
    assert len(changed) > 100  # the overlay's marks (222 pixels of the file, scaled to the view) went away
    assert (drawn[tuple(changed.T)][:, 2] < drawn[tuple(changed.T)][:, 0]).all()  # drawn in yellow, not grey
    viewer.overlay_button.click()
    assert np.array_equal(grab(viewer), drawn)


def test_a_series_without_overlays_has_no_overlay_button(viewer):
    assert not viewer.overlay_button.isVisible()


def test_the_anonymised_copy_leaves_the_overlays_out(qtbot, station, runner, translations, tmp_path):
    source = pydicom.dcmread(get_testdata_file("examples_overlay.dcm"))
    assert any(element.tag.group & 0xFF00 == 0x6000 for element in source)
    viewer = open_files(qtbot, station, runner, ["examples_overlay.dcm"], station.deidentification)
    viewer.export_anonymised(str(tmp_path / "out"))
    qtbot.waitUntil(lambda: viewer.export_status.text().startswith("Đã ghi 1"), timeout=20000)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    (written,) = (tmp_path / "out").glob("*.dcm")
    copy = pydicom.dcmread(written)
    assert not [element.tag for element in copy if element.tag.group & 0xFF00 == 0x6000]
    assert np.array_equal(copy.pixel_array, source.pixel_array)  # the image itself is kept


def test_the_viewer_fits_the_imaging_tab_of_a_1280_by_720_window(qtbot, viewer):
    """Beside the case list, the imaging tab of a 1280×720 window is about 700 pixels wide: the image and the
    details panel both stay in view (the tools that do not fit fold into the tool bar's » menu)."""
    assert viewer.minimumSizeHint().width() <= 640
    viewer.resize(700, 560)
    qtbot.waitUntil(lambda: viewer.width() == 700)
    assert viewer.details_area.isVisible() and viewer.details_area.geometry().right() < viewer.width()
    assert viewer.view.width() >= 240
    assert viewer.levels.text() == "C 40 / W 400" and viewer.levels.isVisible()


def test_the_export_button_speaks_without_standards_jargon(qtbot, station, runner, translations):
    viewer = DicomViewer(station.imaging, runner, station.deidentification)
    qtbot.addWidget(viewer)
    assert "PS3.15" not in viewer.export_button.toolTip()
    assert viewer.export_button.toolTip() == "Bản sao không còn thông tin nhận dạng bệnh nhân, dành cho chuyên gia " \
        "nước ngoài"
