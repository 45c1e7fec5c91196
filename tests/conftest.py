"""Shared fixtures: every test gets its own data folder and a fresh station."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import

from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# CI runs the same examples every time (a landing must not hang on a fresh draw); elsewhere each run
# explores new ones, and a failure found there is kept in .hypothesis/ and replayed.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")

from app.domain.icd10 import catalogue  # noqa: E402
from app.services.station import Station  # noqa: E402
from tests.support.pulse import PulseServer  # noqa: E402


@pytest.fixture(autouse=True)
def gui_thread_gc_anywhere(request):
    """Any test with Qt in it (tests/e2e, tests/integration/live, not only tests/ui) collects reference cycles
    on the GUI thread only, as the station does (app/ui/collector.py: issue 13's rare segfault)."""
    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        yield
        return
    from app.ui import collector

    if collector._installed is not None:  # tests/ui's package-wide one
        yield
        return
    collector.install(request.getfixturevalue("qapp"))
    yield
    collector.uninstall()  # later tests may run no event loop: the automatic collector again


@pytest.fixture(scope="session")
def icd():
    return catalogue()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "station-data"
    path.mkdir()
    return path


@pytest.fixture
def station(data_dir: Path):
    opened = Station(data_dir)
    yield opened
    opened.close()


@pytest.fixture
def cases(station):
    return station.cases


class FakeClock:
    """A clock the test moves by hand (timestamps, 'today')."""

    def __init__(self, start=datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def seed_cases(db, people):
    """Store one draft per (name, cccd, bhyt, urgency), through the repository."""
    from app.domain.case import ConsultationCase, Patient
    from app.storage.repository import CaseRepository

    repo, clock = CaseRepository(), FakeClock()
    with db.transaction() as session:
        return [repo.insert(session, ConsultationCase(patient=Patient(full_name=n, cccd=c, bhyt=b), urgency=u),
                            clock()) for n, c, b, u in people]


# -- real devices: a private sound server, generated video, an MJPEG camera --

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


@pytest.fixture
def live_hub(tmp_path: Path):
    """The real hub on SQLite with a Janus of its own (`serve --local-sfu`), as `make run` starts it."""
    from tests.support.hub import RunningHub

    running = RunningHub(tmp_path / "hub", local_sfu=True).start()
    yield running
    running.stop()


@pytest.fixture
def sqlite_hub(tmp_path: Path):
    """The real hub on SQLite, served from a thread on 127.0.0.1."""
    from tests.support.hub import RunningHub

    running = RunningHub(tmp_path / "hub").start()
    yield running
    running.stop()


@pytest.fixture
def hub(sqlite_hub):
    """The hub most tests use (tests/integration/hub runs on PostgreSQL as well)."""
    return sqlite_hub
