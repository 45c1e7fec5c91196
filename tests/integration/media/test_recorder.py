"""Clips with sound from a real camera stream and a real microphone, checked with PyAV."""

import time

import av

from app.media.audio import MicrophoneCapture
from app.media.camera import CameraCapture, CameraSource
from app.media.recorder import ClipRecorder


def wait(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def probe(path):
    with av.open(str(path)) as container:
        streams = {s.type: s.codec_context.name for s in container.streams}
        frames = sum(1 for _ in container.decode(video=0))
        duration = container.duration / 1e6 if container.duration else 0.0
    return streams, frames, duration


def test_a_clip_with_sound_is_h264_and_aac(mjpeg_camera, microphone_source, tmp_path):
    with CameraCapture(CameraSource(mjpeg_camera.url)) as camera, MicrophoneCapture(device="pulse") as mic:
        wait(lambda: camera.frames_delivered > 5 and mic.first_block.is_set())
        clip = ClipRecorder(tmp_path / "clip.mp4", *camera.size, fps=30)
        camera.add_listener(clip.add_frame)
        mic.add_listener(clip.add_audio)
        start = camera.frames_delivered
        wait(lambda: camera.frames_delivered >= start + 60)  # two seconds
        camera.remove_listener(clip.add_frame)
        mic.remove_listener(clip.add_audio)
        clip.finish()
    streams, frames, duration = probe(clip.path)
    assert streams == {"video": "h264", "audio": "aac"}
    assert 55 <= frames <= 66 and clip.dropped_frames == 0
    assert 1.7 < duration < 2.6


def test_a_camera_unplugged_mid_clip_leaves_a_playable_file(mjpeg_camera, tmp_path):
    camera = CameraCapture(CameraSource(mjpeg_camera.url), open_timeout_ms=500, read_timeout_ms=500).start()
    wait(lambda: camera.frames_delivered > 5)
    clip = ClipRecorder(tmp_path / "cut.mp4", *camera.size, fps=30, samplerate=None)
    camera.add_listener(clip.add_frame)
    start = camera.frames_delivered
    wait(lambda: camera.frames_delivered >= start + 45)
    mjpeg_camera.close()  # the camera goes away
    wait(lambda: camera.state.value == "reconnecting")
    camera.stop()
    clip.finish()
    streams, frames, _duration = probe(clip.path)
    assert streams == {"video": "h264"} and frames >= 45


def test_a_recording_cut_short_by_a_crash_still_plays(mjpeg_camera, tmp_path):
    """Fragmented MP4: the file on disk is playable up to the last fragment even if never closed."""
    import shutil

    with CameraCapture(CameraSource(mjpeg_camera.url)) as camera:
        wait(lambda: camera.frames_delivered > 5)
        clip = ClipRecorder(tmp_path / "crash.mp4", *camera.size, fps=30, samplerate=None)
        camera.add_listener(clip.add_frame)
        start = camera.frames_delivered
        wait(lambda: camera.frames_delivered >= start + 75)
        snapshot = tmp_path / "as-left-by-a-crash.mp4"
        shutil.copy(clip.path, snapshot)  # the bytes on disk at the moment of a crash
        camera.remove_listener(clip.add_frame)
        clip.finish()
    _streams, frames, _duration = probe(snapshot)
    assert frames >= 30


def test_a_frame_captured_just_before_the_start_is_not_a_negative_time(tmp_path):
    import numpy as np

    from app.media.camera import Frame

    clip = ClipRecorder(tmp_path / "early.mp4", 64, 48, fps=30, samplerate=None)
    image = np.zeros((48, 64, 3), np.uint8)
    clip.add_frame(Frame(image, clip.started - 0.005, 1))  # captured 5 ms before the recorder started
    for i in range(1, 30):
        clip.add_frame(Frame(image + i, clip.started + i / 30, i + 1))
    clip.finish()
    streams, frames, _duration = probe(clip.path)
    assert streams == {"video": "h264"} and frames == 30


def test_frames_bunched_by_a_busy_machine_keep_increasing_timestamps(tmp_path):
    import numpy as np

    from app.media.camera import Frame

    clip = ClipRecorder(tmp_path / "bunched.mp4", 64, 48, fps=30, samplerate=None, max_queued_frames=100)
    image = np.zeros((48, 64, 3), np.uint8)
    at = clip.started
    for i in range(60):  # pairs of frames 5 ms apart: same 1/30 s slot
        at += 0.005 if i % 2 else 0.061
        clip.add_frame(Frame(image + i, at, i + 1))
    clip.finish()
    streams, frames, _duration = probe(clip.path)
    assert streams == {"video": "h264"} and frames == 60 and clip.dropped_frames == 0
