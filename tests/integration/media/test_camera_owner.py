"""One owner of a camera at a time, even when a stop cannot wait for the camera thread to end.

The USB camera itself is faked (there is none on the test machines): a device whose `read()` blocks until
the test lets it return, as a driver does under load. Everything above it is the real CameraCapture.
"""

import time

import pytest

from app.media.camera import CameraCapture, CameraSource, CameraState
from tests.support import stuck_camera


@pytest.fixture
def usb_camera(monkeypatch):
    device = stuck_camera.install(monkeypatch)
    yield device
    device.reads_may_return.set()


def wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_stop_that_times_out_keeps_the_thread_and_it_never_calls_its_owner_again(usb_camera):
    frames, states = [], []
    capture = CameraCapture(CameraSource("0"), on_frame=frames.append,
                            on_state=lambda state, _message: states.append(state)).start()
    wait(lambda: len(frames) >= 3)
    usb_camera.reads_may_return.clear()
    assert usb_camera.blocked.wait(5)
    assert capture.stop(timeout=0.2) is False  # the read is stuck: the thread is still there
    assert capture.running
    with pytest.raises(RuntimeError):
        capture.start()  # a second thread on the same capture would never be told to stop
    seen_frames, seen_states = len(frames), len(states)
    usb_camera.reads_may_return.set()  # the read comes back: the thread ends and lets go of the device
    wait(lambda: not capture.running)
    assert usb_camera.open_now == 0
    assert (len(frames), len(states)) == (seen_frames, seen_states)  # its owner may be gone by now
    assert capture.state is CameraState.STOPPED
    assert capture.stop() is True


def test_the_next_owner_waits_for_a_thread_still_releasing_the_device(usb_camera):
    first = CameraCapture(CameraSource("0")).start()
    wait(lambda: first.state is CameraState.LIVE)
    usb_camera.reads_may_return.clear()
    assert usb_camera.blocked.wait(5)
    assert first.stop(timeout=0.2) is False
    second = CameraCapture(CameraSource("0")).start()  # e.g. the check, or the preview opened again
    time.sleep(0.3)
    assert second.state is CameraState.OPENING and usb_camera.open_now == 1  # not opened beside the first
    usb_camera.reads_may_return.set()
    wait(lambda: second.state is CameraState.LIVE)
    assert usb_camera.most_open == 1
    assert second.stop() is True and not first.running


def test_a_capture_waiting_for_the_device_stops_at_once(usb_camera):
    first = CameraCapture(CameraSource("0")).start()
    wait(lambda: first.state is CameraState.LIVE)
    usb_camera.reads_may_return.clear()
    assert usb_camera.blocked.wait(5)
    first.stop(timeout=0.1)
    waiting = CameraCapture(CameraSource("0")).start()
    time.sleep(0.1)
    started = time.monotonic()
    assert waiting.stop(timeout=2) is True
    assert time.monotonic() - started < 1 and usb_camera.most_open == 1
