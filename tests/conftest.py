"""Shared fixtures: every test gets its own data folder and a fresh station."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import

from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from app.domain.icd10 import catalogue  # noqa: E402
from app.services.station import Station  # noqa: E402


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
