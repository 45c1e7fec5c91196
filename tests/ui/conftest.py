import pytest

from app.ui.application import Translations
from app.ui.main_window import MainWindow
from app.ui.runner import TaskRunner


@pytest.fixture(scope="package", autouse=True)
def gui_thread_gc(qapp):
    """As in the station (app/ui/collector.py): reference cycles are collected on the GUI thread only, never on
    a camera, audio or worker thread that would finalise Qt objects there (issue 13's rare segfault)."""
    from app.ui import collector

    collector.install(qapp)
    yield
    collector.uninstall()


@pytest.fixture
def translations(qapp):
    chosen = Translations(qapp)
    chosen.use("vi")
    yield chosen
    chosen.use("en")


@pytest.fixture
def runner(qtbot):
    made = TaskRunner()
    yield made
    made.shutdown()


@pytest.fixture
def window(qtbot, station, runner, translations):
    made = MainWindow(station.cases, runner, str(station.paths.root))
    qtbot.addWidget(made)
    made.show()
    with qtbot.waitSignal(made.case_list_shown):
        made.case_list.refresh()
    yield made
    made.close()  # queues the last autosave
    if not runner._closed:
        qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


def open_new_case(qtbot, window):
    window.new_action.trigger()
    # The case is written on the task worker: on a loaded machine (a full run beside Chromium) that took over 5 s.
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None, timeout=15000)
    return window.editor
