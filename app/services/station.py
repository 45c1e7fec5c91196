"""Where a station keeps its data, and opening it."""

import logging
import time

from dataclasses import dataclass
from pathlib import Path

from app import APP_NAME
from app.storage.blobs import BlobStore
from app.storage.db import Database, open_database

from .attachments import AttachmentService
from .cases import CaseService
from .precheck import PreSessionCheck
from .settings import Settings, SettingsError, load_settings, save_settings

log = logging.getLogger(__name__)


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
    def blobs(self) -> Path:
        return self.root / "blobs"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


class Station:
    """The services of one station, over its data directory."""

    def __init__(self, data_dir: Path):
        self.paths = StationPaths(Path(data_dir))
        self.paths.root.mkdir(parents=True, exist_ok=True)
        self.warnings: list[str] = []  # for the user, in plain English; the UI words its own
        self.settings = self._load_settings()
        self.db: Database = open_database(self.paths.database)
        self.cases = CaseService(self.db)
        blobs = BlobStore(self.paths.blobs)
        blobs.clean_incoming()
        self.attachments = AttachmentService(self.db, blobs)
        self.checks = PreSessionCheck(self.db)

    def _load_settings(self) -> Settings:
        """A damaged settings file is set aside (kept) and defaults used; a newer one is refused."""
        try:
            return load_settings(self.paths.settings)
        except SettingsError as error:
            if "newer" in error.detail:
                raise
            kept = self.paths.settings.with_name(f"settings.damaged-{time.strftime('%Y%m%d-%H%M%S')}.json")
            self.paths.settings.rename(kept)
            log.warning("settings file unreadable (%s); kept as %s, using defaults", error.detail, kept)
            self.warnings.append(str(kept))
            return Settings()

    def warm_up(self) -> None:
        """Load the reference data the case editor needs (ICD-10, communes) ahead of use."""
        from app.domain import address

        address.communes(address.provinces()[0].code)
        self.cases.warm_up()

    def save_settings(self, settings: Settings) -> None:
        save_settings(self.paths.settings, settings)
        self.settings = settings

    def close(self) -> None:
        self.db.close()
