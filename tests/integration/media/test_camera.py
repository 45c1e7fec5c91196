"""The camera code against real sources: a video file and an HTTP MJPEG camera on 127.0.0.1."""

import threading
import time

import cv2
import numpy as np

from app.media.camera import CameraCapture, CameraSource, CameraState, CameraUnavailable


def wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_sources_are_told_apart():
    assert CameraSource("0").is_device and CameraSource(" 2 ").label() == "USB camera 2"
    assert CameraSource("rtsp://admin:secret@10.0.0.5/live").label() == "10.0.0.5/live"
    assert CameraSource("/tmp/x.mp4").is_file


def test_a_video_file_plays_at_its_own_rate_and_loops(video_file):
    with CameraCapture(CameraSource(str(video_file))) as camera:
        wait(lambda: camera.frames_delivered >= 100)  # more than the file's 90 frames: it looped
        assert camera.state is CameraState.LIVE and camera.size == (640, 480)
        assert 25 <= camera.measured_fps <= 35


def test_an_ip_camera_reports_its_real_rate_and_a_sharp_snapshot(mjpeg_camera):
    with CameraCapture(CameraSource(mjpeg_camera.url)) as camera:
        wait(lambda: camera.frames_delivered >= 45)
        assert 25 <= camera.measured_fps <= 35
        jpeg = camera.snapshot_jpeg()
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (480, 640, 3)


def test_a_slow_viewer_gets_the_latest_frame_not_a_queue(mjpeg_camera):
    with CameraCapture(CameraSource(mjpeg_camera.url)) as camera:
        wait(lambda: camera.frames_delivered >= 10)
        time.sleep(0.5)  # the viewer is busy for half a second
        latest = camera.latest()
        assert latest.number == camera.frames_delivered
        assert time.monotonic() - latest.captured_at < 0.2


def test_a_stalled_camera_is_noticed_and_picked_up_again(mjpeg_camera):
    states = []
    with CameraCapture(CameraSource(mjpeg_camera.url), read_timeout_ms=1000,
                       on_state=lambda state, _msg: states.append(state)) as camera:
        wait(lambda: camera.frames_delivered >= 10)
        mjpeg_camera.stalled.set()
        wait(lambda: camera.state is CameraState.RECONNECTING)
        mjpeg_camera.stalled.clear()
        before = camera.frames_delivered
        wait(lambda: camera.state is CameraState.LIVE and camera.frames_delivered > before + 10)
    assert states[-1] is CameraState.STOPPED


def test_a_camera_that_dies_is_reported_and_stopping_is_prompt(mjpeg_camera):
    messages = []
    camera = CameraCapture(CameraSource(mjpeg_camera.url), open_timeout_ms=1000, read_timeout_ms=1000,
                           on_state=lambda state, msg: messages.append((state, msg))).start()
    wait(lambda: camera.frames_delivered >= 10)
    mjpeg_camera.close()
    wait(lambda: camera.state is CameraState.RECONNECTING)
    started = time.monotonic()
    camera.stop()
    assert time.monotonic() - started < 3
    assert camera.state is CameraState.STOPPED
    assert any(state is CameraState.RECONNECTING for state, _ in messages)


def test_no_camera_at_a_usb_index_says_so_plainly():
    failed = threading.Event()
    camera = CameraCapture(CameraSource("7"), reconnect=False, on_state=lambda s, _m: s is CameraState.FAILED
                           and failed.set()).start()
    assert failed.wait(5)
    camera.stop()
    assert isinstance(camera.error, CameraUnavailable)
    assert str(camera.error) == "no camera at USB index 7" and "plug" in camera.error.fix


def test_an_address_that_never_answers_is_bounded_by_the_timeout():
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never says a word
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/video"
    started = time.monotonic()
    camera = CameraCapture(CameraSource(url), reconnect=False, open_timeout_ms=1000, read_timeout_ms=1000).start()
    wait(lambda: camera.state is CameraState.FAILED, timeout=15)
    camera.stop()
    listener.close()
    assert time.monotonic() - started < 8
    assert "does not answer" in str(camera.error)
