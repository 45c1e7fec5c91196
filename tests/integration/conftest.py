import os

import pytest

from tests.support.pulse import PulseServer


@pytest.fixture(scope="session")
def pulse(tmp_path_factory):
    saved = {k: os.environ.get(k) for k in ("HOME", "XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER")}
    server = PulseServer(tmp_path_factory.mktemp("pulse"))
    server.use_environment()
    from app.media.audio import rescan

    rescan()  # PortAudio lists devices only when it starts
    yield server
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    rescan()


@pytest.fixture
def microphone_source(pulse):
    """Each test starts on the 440 Hz tone source."""
    pulse.set_default_source("tone")
    return pulse


@pytest.fixture(scope="session")
def video_file(tmp_path_factory):
    """Three seconds of 640x480 at 30 fps, as a camera stand-in."""
    import shutil
    import subprocess

    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is missing: `make test` installs it (apt-get)")
    path = tmp_path_factory.mktemp("video") / "testsrc.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=30",
                    "-t", "3", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


@pytest.fixture
def mjpeg_camera():
    from tests.support.mjpeg import MjpegCamera

    camera = MjpegCamera()
    yield camera
    camera.close()
