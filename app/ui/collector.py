"""Python's cyclic garbage collector, run on the GUI thread only.

Python collects reference cycles on whichever thread happens to allocate past its threshold: here the task
worker, the camera thread, PortAudio's callback, the sync threads. A cycle that holds a Qt object
(a widget tree a closure still points at, a TaskRunner, pytest-qt's QEventLoop and QTimer) is then
finalised on that thread, and shiboken 6.11 either
- deletes a plain QObject right there, on a thread that does not own it: its timers stay registered with
  the GUI thread's event loop and fire later at freed memory (QTimerInfoList::activateTimers ->
  notifyInternal2 on a freed receiver), or
- queues a widget's deletion for the GUI thread, where it runs at whatever bytecode that thread has reached
  (Shiboken::BindingManager::runDeletionInMainThread from Python's pending calls); that queue is not safe
  against a second thread adding to it while it is drained (a call through a null pointer).
Both were seen as the rare segfault of issue 13. So automatic collection is switched off and a timer on the
GUI thread collects instead, with Python's own thresholds: every cycle is finalised on the thread that owns
its Qt objects, between two events. Objects freed by reference counting are not affected.
"""

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 100

_installed: "GuiThreadCollector | None" = None


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self.collections = 0
        gc.disable()
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        """What the automatic collector would have done by now: the oldest generation past its threshold."""
        first, second, third = gc.get_threshold()
        young, middle, old = gc.get_count()
        if young <= first:
            return
        generation = 2 if middle > second and old > third else 1 if middle > second else 0
        gc.collect(generation)
        self.collections += 1

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


def install(app: QCoreApplication | None = None) -> GuiThreadCollector:
    """Collect on the GUI thread from now on (once per process; call it on the GUI thread)."""
    global _installed
    if _installed is None:
        _installed = GuiThreadCollector(app or QCoreApplication.instance())
    return _installed


def uninstall() -> None:
    """Back to Python's automatic collection (the tests, after the UI ones)."""
    global _installed
    if _installed is not None:
        collector, _installed = _installed, None
        collector.stop()
        collector.deleteLater()
