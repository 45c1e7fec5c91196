"""Browser tests: Debian's Chromium under Playwright against the real hub with its real Orthanc."""

import pytest

from server.local_pacs import LocalOrthanc
from tests.support.browser import chromium
from tests.support.hub import RunningHub


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per module; each test opens its own contexts (fresh profiles).

    Not for the whole session: while Playwright's sync API is open, the main thread has a running asyncio
    loop, and every later test that starts one of its own (fhirpy, the console's browser tests) fails."""
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


@pytest.fixture
def live_hub(tmp_path, orthanc):
    """The hub (SQLite) with its PACS and its own Janus (serve --local-sfu), for the live consultation tests."""
    running = RunningHub(tmp_path / "hub", pacs_url=orthanc.dicomweb_url, local_sfu=True).start()
    yield running
    running.stop()
