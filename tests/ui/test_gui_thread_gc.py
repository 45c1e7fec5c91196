"""Qt objects left in reference cycles die on the GUI thread, never on a camera, audio or worker thread.

Python's cyclic collector runs on whichever thread allocates past its threshold. Before app/ui/collector.py,
a QObject in a cycle was finalised on that thread, while its timer stayed registered with the GUI thread's
event loop: the timer then fired at freed memory. That, and shiboken's queue of widget deletions drained
at random points, was issue 13's rare segfault of the UI tests.
"""

import gc
import threading

from PySide6.QtCore import QObject, Qt, QTimer


def test_a_qt_object_left_in_a_cycle_dies_on_the_gui_thread_not_where_the_collector_ran(qtbot):
    died_on: list[str] = []

    def leave_a_cycle() -> None:
        owner = QObject()
        timer = QTimer(owner, interval=60000)
        timer.start()  # registered with the GUI thread's event loop
        owner.destroyed.connect(lambda *_: died_on.append(threading.current_thread().name),
                                Qt.ConnectionType.DirectConnection)
        owner.myself = owner  # only the cycle collector can free it

    kept: list[list] = []

    def allocate() -> None:  # what the camera thread does all day: enough to start the automatic collector
        kept.extend([] for _ in range(200_000))

    gc.collect()  # a known start: the cycle below is the youngest garbage
    leave_a_cycle()
    worker = threading.Thread(target=allocate, name="camera-like")
    worker.start()
    worker.join()
    assert died_on in ([], ["MainThread"])
    qtbot.waitUntil(lambda: bool(died_on), timeout=10000)
    assert died_on == ["MainThread"]
    kept.clear()


def test_the_station_collects_on_the_gui_thread_from_its_start(qapp, data_dir, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.ui import application

    (data_dir / "station.db").write_bytes(b"garbage" * 100)  # the shortest way through run()
    installed = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *_args: None)
    monkeypatch.setattr(application.crash, "install", lambda: None)
    monkeypatch.setattr(application.collector, "install", installed.append)
    assert application.run(data_dir, "en") == 1
    assert installed == [qapp]


def test_what_a_task_held_is_let_go_on_the_gui_thread_not_on_the_worker(qtbot, runner):
    """A task's closure (often a widget's `self`) and its result are let go where Qt objects may die."""
    let_go: list[str] = []

    class Held:
        def __del__(self) -> None:
            let_go.append(threading.current_thread().name)

    def task_holding_one():
        held = Held()
        return lambda: held is not None

    def result_holding_one():
        return Held()

    with qtbot.waitSignal(runner.idle, timeout=10000):
        runner.run(task_holding_one())
        runner.run(result_holding_one, lambda _result: None)
    qtbot.waitUntil(lambda: len(let_go) == 2, timeout=10000)
    assert let_go == ["MainThread", "MainThread"]
