"""Runs blocking work off the GUI thread and delivers the outcome back on it.

One worker thread: every database read and write goes through it in order, so
the database has one writer and a save queued before a load lands first.
"""

import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import shiboken6
from PySide6.QtCore import QObject, Signal

Progress = Callable[[float, str], None]


class TaskRunner(QObject):
    progressed = Signal(float, str)   # fraction 0..1, what is being done
    idle = Signal()                   # nothing queued or running any more
    _delivered = Signal(object)  # [task, on_done, on_error, owner, result, error], emptied on the GUI thread

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="station-worker")
        self._pending = 0
        self._closed = False
        # Emitted from the worker thread, so Qt queues it onto the GUI thread.
        self._delivered.connect(self._deliver)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(self, task: Callable[[], object], on_done: Callable[[object], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, owner: QObject | None = None) -> None:
        """Run `task` on the worker; `on_done`/`on_error` run on the GUI thread, unless
        `owner` (the widget the callbacks touch) has been deleted meanwhile."""
        if self._closed:
            return  # quitting: what was queued before shutdown() has been done
        self._pending += 1
        # Everything the task and its callbacks hold goes to the GUI thread in one list, which the GUI
        # thread empties: the worker never drops the last reference to a Qt object (a wrapper let go on
        # another thread deletes its QObject there, or queues a widget's deletion; see collector.py).
        parts: list = [task, on_done, on_error, owner]

        def job() -> None:
            try:
                parts.extend((parts[0](), None))
            except BaseException as error:  # delivered to on_error or the global hook
                parts.extend((None, error))
            self._delivered.emit(parts)  # after the except block: `error` is no longer held here

        self._pool.submit(job)

    def report(self, fraction: float, text: str = "") -> None:
        """For tasks: call from the worker thread to move the progress bar."""
        self.progressed.emit(fraction, text)

    def _deliver(self, parts: list) -> None:
        _task, on_done, on_error, owner, result, error = parts
        parts.clear()
        callback = on_error if error is not None else on_done
        self._pending -= 1
        try:
            if owner is not None and not shiboken6.isValid(owner):
                return  # the widget is gone; the work itself (a save) is done
            if error is not None:
                if callback is None:
                    sys.excepthook(type(error), error, error.__traceback__)
                else:
                    callback(error)
            elif callback is not None:
                callback(result)
        finally:
            if self._pending == 0:
                self.idle.emit()

    def shutdown(self) -> None:
        """Finish what is queued (the last autosave among it), then stop."""
        self._closed = True
        self._pool.shutdown(wait=True)
