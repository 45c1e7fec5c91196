"""Browser tests: Debian's Chromium under Playwright against the real hub with its real Orthanc."""

import pytest

from server.local_pacs import LocalOrthanc
from tests.support.browser import chromium
from tests.support.hub import RunningHub


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session; each test opens its own contexts (fresh profiles)."""
    with chromium() as opened:
        yield opened


@pytest.fixture
def orthanc(tmp_path):
    pacs = LocalOrthanc(tmp_path / "orthanc").start()
    yield pacs
    pacs.stop()


@pytest.fixture
def pacs_hub(tmp_path, orthanc):
    """The hub (SQLite) with its PACS, served on 127.0.0.1."""
    running = RunningHub(tmp_path / "hub", pacs_url=orthanc.dicomweb_url).start()
    yield running
    running.stop()
