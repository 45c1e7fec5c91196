"""Where a station keeps its data, and opening it."""

from dataclasses import dataclass
from pathlib import Path

from app import APP_NAME
from app.storage.db import Database, open_database

from .cases import CaseService
from .settings import Settings, load_settings, save_settings


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


@dataclass
class StationPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "station.db"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


class Station:
    """The services of one station, over its data directory."""

    def __init__(self, data_dir: Path):
        self.paths = StationPaths(Path(data_dir))
        self.paths.root.mkdir(parents=True, exist_ok=True)
        self.settings = load_settings(self.paths.settings)
        self.db: Database = open_database(self.paths.database)
        self.cases = CaseService(self.db)

    def warm_up(self) -> None:
        """Load the reference data the case editor needs (ICD-10, communes) ahead of use."""
        from app.domain import address

        _ = self.cases.icd
        address.communes(address.provinces()[0].code)

    def save_settings(self, settings: Settings) -> None:
        save_settings(self.paths.settings, settings)
        self.settings = settings

    def close(self) -> None:
        self.db.close()
