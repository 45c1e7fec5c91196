"""The camera's Qt face outlives nothing: a feed deleted while its camera thread is stuck in a read is never
called back (the crash this guards against: a late frame or state emitted into a deleted QObject)."""

import time

import pytest
import shiboken6

from app.media.camera import CameraSource, CameraState
from app.ui.camera_view import CameraFeed
from tests.support import stuck_camera


@pytest.fixture
def usb_camera(monkeypatch):
    device = stuck_camera.install(monkeypatch)
    yield device
    device.reads_may_return.set()


def test_a_feed_deleted_while_its_camera_is_stuck_is_never_called_back(qtbot, usb_camera):
    feed = CameraFeed()
    states = []
    feed.state_changed.connect(lambda state, _message: states.append(state))
    feed.start(CameraSource("0"))
    qtbot.waitUntil(lambda: feed.live, timeout=10000)
    capture = feed.capture
    usb_camera.reads_may_return.clear()
    assert usb_camera.blocked.wait(5)
    feed.stop(timeout=0.2)  # the thread is stuck in its read
    assert capture.running and feed.capture is None
    shiboken6.delete(feed)  # the tab (and its feed) closed meanwhile
    usb_camera.reads_may_return.set()  # the read returns: one more frame, then "stopped", to nobody
    deadline = time.monotonic() + 5
    while capture.running and time.monotonic() < deadline:
        time.sleep(0.01)  # not qtbot.wait: nothing of Qt may run before the thread is done
    assert not capture.running
    assert capture.state is CameraState.STOPPED and usb_camera.open_now == 0
    qtbot.wait(50)
    assert CameraState.STOPPED.value not in states
