"""The main window fits the laptops of district hospitals, and nothing a doctor does resizes it."""

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt

from app.domain.attachment import AttachmentKind
from app.ui.main_window import MainWindow
from app.ui.media_services import MediaServices

TITLE_BAR = 30  # what a window manager takes above a maximised window, at most


def full_window(qtbot, station, runner) -> MainWindow:
    media = MediaServices(lambda: station.capture, lambda: station.attachments, lambda: station.settings,
                          lambda: station.checks, station.save_settings, lambda: station.imports,
                          lambda: station.imaging, lambda: station.deidentification)
    window = MainWindow(station.cases, runner, str(station.paths.root), media)
    qtbot.addWidget(window)
    return window


@pytest.mark.parametrize("screen", [QRect(0, 0, 1280, 720), QRect(0, 0, 1366, 768), QRect(0, 0, 1920, 1080)])
def test_first_start_fits_the_screen(qtbot, station, runner, translations, screen):
    window = full_window(qtbot, station, runner)
    window.restore_geometry_state("", screen)
    if screen.height() <= 800:
        assert window.windowState() & Qt.WindowState.WindowMaximized
    else:
        assert not window.windowState() & Qt.WindowState.WindowMaximized
        assert screen.contains(window.frameGeometry())


def test_a_remembered_geometry_larger_than_the_screen_is_brought_back_inside(qtbot, station, runner, translations):
    window = full_window(qtbot, station, runner)
    window.setGeometry(0, 0, 1280, 1000)
    state = window.geometry_state()
    other = full_window(qtbot, station, runner)
    other.restore_geometry_state(state, QRect(0, 0, 1366, 768))
    assert other.height() <= 768 and other.width() <= 1366


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_every_tab_fits_and_nothing_resizes_the_window(qtbot, station, runner, translations, size):
    window = full_window(qtbot, station, runner)
    window.resize(size[0], size[1] - TITLE_BAR)
    window.show()
    with qtbot.waitSignal(window.case_list_shown):
        window.case_list.refresh()
    first = window.size()
    assert window.minimumSizeHint().height() <= first.height()
    case = station.cases.create_case()
    ok, png = cv2.imencode(".png", np.full((3000, 2000, 3), 200, np.uint8))
    station.attachments.add_bytes(case.id, png.tobytes(), "phim-phoi.png", AttachmentKind.PHOTO)
    window.case_list.refresh()
    window.open_case(case.id)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None)
    editor = window.editor

    def fits() -> None:
        qtbot.wait(50)  # let layouts settle (no signal marks the end of a relayout)
        assert window.size() == first
        bottom = window.statusBar().mapTo(window, window.statusBar().rect().bottomLeft()).y()
        assert bottom < window.height()
        page = editor.tabs.currentWidget()
        corner = page.mapTo(window, page.rect().bottomRight())
        assert window.rect().contains(corner)

    for index in range(editor.tabs.count()):
        editor.tabs.setCurrentIndex(index)
        fits()
    editor.tabs.setCurrentIndex(1)
    panel = editor.capture_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    panel.table.selectRow(0)
    qtbot.wait(300)
    fits()
    editor.tabs.setCurrentIndex(0)
    fits()
    window.close()
    panel.shutdown()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
