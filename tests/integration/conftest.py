"""Integration tests use the real-device fixtures of tests/conftest.py."""

import pytest

from server.local_pacs import LocalOrthanc


@pytest.fixture
def orthanc(tmp_path):
    """A real Orthanc with its DICOMweb plugin on 127.0.0.1, its own storage, a generated password."""
    pacs = LocalOrthanc(tmp_path / "orthanc").start()
    yield pacs
    pacs.stop()
