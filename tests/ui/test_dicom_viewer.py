"""The DICOM viewer on a generated CT and an ultrasound cine: scroll, window/level, presets, cine, key images."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from app.ui.dicom_viewer import DicomViewer
from tests.support.dicom_series import ct_series, ultrasound_cine


def pixels(viewer) -> np.ndarray:
    image = viewer.view.image
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())[:, :image.width()]


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
    qtbot.waitUntil(lambda: made.series_list.count() == 2 and made.view.image is not None, timeout=10000)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    return made


def test_first_series_opens_with_its_own_window_and_metadata(viewer):
    assert viewer.current.modality == "CT" and viewer.position.text() == "1/30"
    assert viewer.levels.text() == "C 40 / W 400"
    fields = {viewer.metadata.item(r, 0).text(): viewer.metadata.item(r, 1).text()
              for r in range(viewer.metadata.rowCount())}
    assert fields["Bệnh nhân"] == "NGUYEN^VAN^DUOC" and fields["Kích thước ảnh"] == "64×64"
    assert not viewer.series_list.item(0).icon().isNull()  # thumbnails


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
    qtbot.waitUntil(lambda: viewer.index >= 3, timeout=5000)
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
