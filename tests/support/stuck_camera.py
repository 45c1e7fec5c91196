"""A USB camera stand-in at CameraCapture's boundary (`app.media.camera._open`): there is no camera on the
test machines, and a real one cannot be made to block in a read on demand. It counts the handles open at once
(a real USB camera refuses a second one), and its reads can be held, as a driver under load holds them."""

import threading
import time

import numpy as np


class StuckUsbCamera:
    """Counts how many handles of the device are open at once; a read can be made to block."""

    def __init__(self):
        self.lock = threading.Lock()
        self.open_now = 0
        self.most_open = 0
        self.reads_may_return = threading.Event()
        self.reads_may_return.set()
        self.blocked = threading.Event()  # a read is waiting for `reads_may_return`

    def open(self, *_args):
        with self.lock:
            self.open_now += 1
            self.most_open = max(self.most_open, self.open_now)
        return _Handle(self)


class _Handle:
    def __init__(self, device: StuckUsbCamera):
        self.device = device
        self.released = False

    def read(self):
        if not self.device.reads_may_return.is_set():
            self.device.blocked.set()
            self.device.reads_may_return.wait()
        time.sleep(0.01)
        return True, np.zeros((48, 64, 3), np.uint8)

    def get(self, _prop):
        return 0.0

    def release(self):
        if not self.released:
            self.released = True
            with self.device.lock:
                self.device.open_now -= 1


def install(monkeypatch) -> StuckUsbCamera:
    from app.media import camera

    device = StuckUsbCamera()
    monkeypatch.setattr(camera, "_open", device.open)
    return device
