"""Starting the station's interface: Qt application, language, style, main window."""

import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from app.services.logs import setup_logging
from app.services.settings import SettingsError
from app.services.station import Station, StationPaths
from app.storage.errors import StorageError

from . import collector, crash
from .catalogues import load_catalogue
from .media_services import MediaServices
from .main_window import MainWindow
from .runner import TaskRunner
from .storage_messages import storage_message

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
log = logging.getLogger("diemcau")


class Translations:
    """Installs our .qm and Qt's own for the chosen language; English needs none."""

    def __init__(self, app: QApplication):
        self._app = app
        self._installed: list[QTranslator] = []

    def use(self, language: str) -> None:
        for translator in self._installed:
            self._app.removeTranslator(translator)
            translator.deleteLater()  # with the copy of its catalogue (catalogues.py)
        self._installed = []
        if language != "en":
            # Our catalogues are read into memory: a .qm rewritten in place while the station runs
            # (lrelease, an update) must not change under it (catalogues.py).
            ours = QTranslator(self._app)
            if load_catalogue(ours, RESOURCES / "translations" / f"diemcau_{language}.qm"):
                self._installed.append(ours)
            else:
                log.warning("translation for %s not found; run `make translations`", language)
            # Qt's own dialogs and buttons: Qt's catalogue when it ships one for the language (it has
            # none for Vietnamese), else ours.
            qt = QTranslator(self._app)
            if qt.load(QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)) \
                    or load_catalogue(qt, RESOURCES / "translations" / f"qtbase_{language}.qm"):
                self._installed.append(qt)
        for translator in self._installed:
            self._app.installTranslator(translator)
        QLocale.setDefault(QLocale("vi_VN" if language == "vi" else "en_GB"))


class StationApp:
    """The running station: its services, the worker, the translations and the window."""

    def __init__(self, app: QApplication, station: Station, language: str | None = None, start_hub: bool = True):
        self.app = app
        self.start_hub = start_hub
        self.station = station
        self.translations = Translations(app)
        self.language = language or station.settings.language
        self.translations.use(self.language)
        self.runner = TaskRunner()
        media = MediaServices(lambda: station.capture, lambda: station.attachments, lambda: station.settings,
                              lambda: station.checks, station.save_settings, lambda: station.imports,
                              lambda: station.imaging, lambda: station.deidentification)
        self.window = MainWindow(station.cases, self.runner, str(station.paths.root), media,
                                 consultation=lambda: station.consultation, live=lambda: station.live)
        self.window.set_language(self.language)
        self.window.restore_geometry_state(station.settings.window_geometry)
        self.window.language_requested.connect(self.on_language_requested)
        self.window.case_list_shown.connect(lambda: self.runner.run(station.warm_up, self.on_warmed_up))
        self.sync = None

    def start_sync(self) -> None:
        """After warm-up: the local hub (unless a real one is enrolled), then sync every minute."""
        from .sync_controller import SyncController

        self.sync = SyncController(lambda: self.station.sync, parent=self.window)
        self.window.attach_sync(self.sync)
        self.sync.start()

    def on_warmed_up(self, recovered: int) -> None:
        if self.start_hub:
            self.start_sync()
        if recovered:
            self.window.statusBar().showMessage(
                QCoreApplication.translate("StationApp",
                                           "%1 recording(s) left unfinished by a crash were attached to their cases.")
                .replace("%1", str(recovered)), 20000)

    def start(self) -> None:
        self.window.show()
        self.window.case_list.refresh()

    def on_language_requested(self, language: str) -> None:
        self.language = language
        self.translations.use(language)
        self._save_settings(language=language)

    def _save_settings(self, **changes) -> None:
        try:
            self.station.save_settings(replace(self.station.settings, **changes))
        except OSError as error:
            log.warning("could not save settings: %s", error)

    def shutdown(self) -> None:
        """After the window closed: keep its geometry, finish queued saves, close the database."""
        self._save_settings(window_geometry=self.window.geometry_state())
        if self.sync is not None:
            self.sync.shutdown()
        self.runner.shutdown()
        self.station.close()


def run(data_dir: Path, language: str | None = None, report_startup: bool = False,
        quit_after_startup: bool = False) -> int:
    started = time.perf_counter()
    # argv[0] names the window class the desktop shows (not "__main__.py").
    app = QApplication.instance() or QApplication(["diemcau", *sys.argv[1:]])
    collector.install(app)  # reference cycles collected on this thread only: a Qt object dies where it lives
    app.setApplicationName("Điểm Cầu")
    app.setOrganizationName("diemcau")
    app.setStyleSheet((RESOURCES / "style.qss").read_text(encoding="utf-8"))
    setup_logging(StationPaths(data_dir).logs)
    crash.install()
    try:
        station = Station(data_dir)
    except (StorageError, SettingsError) as error:
        log.error("cannot open the station data: %s", error)
        Translations(app).use(language or "vi")
        text = storage_message(error) if isinstance(error, StorageError) else str(error)
        QMessageBox.critical(None, "Điểm Cầu", text)
        return 1
    shell = StationApp(app, station, language, start_hub=not quit_after_startup)

    def on_shown() -> None:
        if report_startup:
            print(f"case-list-shown {1000 * (time.perf_counter() - started):.0f} ms", flush=True)
        if quit_after_startup:
            QTimer.singleShot(0, shell.window.close)

    shell.window.case_list_shown.connect(on_shown)
    shell.start()
    code = app.exec()
    shell.shutdown()
    return code
