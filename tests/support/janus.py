"""A real Janus on 127.0.0.1 for a test, configured in the test's folder (server/live/janus_process.py)."""

from pathlib import Path

import pytest

from server.live.janus_process import JanusProcess, JanusSettings


def start_janus(folder: Path, settings: JanusSettings | None = None, events_url: str = "") -> JanusProcess:
    return JanusProcess(folder, settings=settings, events_url=events_url).start()


@pytest.fixture
def janus(tmp_path):
    running = start_janus(tmp_path / "janus")
    yield running
    running.stop()
