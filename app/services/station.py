"""Where a station keeps its data, and opening it."""

import logging
import time
from functools import cached_property

from dataclasses import dataclass
from pathlib import Path

from app import APP_NAME
from app.storage.db import Database, open_database

from .cases import CaseService
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
    def outgoing(self) -> Path:
        return self.root / "outgoing"

    @property
    def recordings(self) -> Path:
        return self.root / "recordings"

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
        self.cases = CaseService(self.db, prepare_foreign=self._deidentify_for_abroad,
                                 remove_blob=lambda sha256: self.attachments.blobs.remove(sha256))

    def _deidentify_for_abroad(self, case_id: str):
        """The imaging a case for a foreign expert sends: a de-identified copy (the sync sends this one)."""
        return self.deidentification.export(case_id, self.paths.outgoing / case_id / "imaging")

    # The services below load numpy, OpenCV and the like: built on first use, not at start-up.

    @cached_property
    def attachments(self):
        from app.storage.blobs import BlobStore

        from .attachments import AttachmentService

        blobs = BlobStore(self.paths.blobs)
        blobs.clean_incoming()
        return AttachmentService(self.db, blobs)

    @cached_property
    def capture(self):
        from .capture import CaptureService

        return CaptureService(self.attachments, self.paths.recordings)

    @cached_property
    def imports(self):
        from .importing import ImportService

        return ImportService(self.db, self.attachments, self.cases)

    @cached_property
    def imaging(self):
        from .imaging import ImagingService

        return ImagingService(self.db, self.attachments)

    @cached_property
    def deidentification(self):
        from .deidentify import DeidentificationService

        return DeidentificationService(self.attachments, self.imaging, self.db)

    @cached_property
    def sync(self):
        from .sync import SyncService

        return SyncService(self.db, self.paths.root, lambda a: self.attachments.path(a), self.paths.outgoing,
                           blobs=lambda: self.attachments.blobs)

    @cached_property
    def consultation(self):
        from .consultation import ConsultationService

        return ConsultationService(self.db, self.attachments.blobs)

    @cached_property
    def checks(self):
        from .precheck import PreSessionCheck

        return PreSessionCheck(self.db, credential=lambda: self.sync.credential())

    @cached_property
    def live(self):
        from .live import LiveService

        return LiveService(lambda: self.sync.credential(), checks=lambda: self.checks)

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

    def warm_up(self) -> int:
        """Off the GUI thread, once the case list shows: load what the editor needs (ICD-10,
        communes, the ORM), attach recordings a crash left unfinished (returns how many) and
        delete stored files a crash left unrecorded."""
        from app.domain import address

        address.communes(address.provinces()[0].code)
        self.cases.warm_up()
        recovered = len(self.capture.recover())
        self.attachments.collect_garbage()
        return recovered

    def save_settings(self, settings: Settings) -> None:
        save_settings(self.paths.settings, settings)
        self.settings = settings

    def close(self) -> None:
        if "sync" in self.__dict__:  # made on first use (cached_property)
            self.sync.close()
        if "live" in self.__dict__:
            self.live.close()
        self.db.close()
