from app.services.settings import load_settings
from app.services.station import Station
from app.ui.application import StationApp


def test_language_choice_is_applied_and_remembered(qtbot, qapp, data_dir):
    shell = StationApp(qapp, Station(data_dir))
    qtbot.addWidget(shell.window)
    with qtbot.waitSignal(shell.window.case_list_shown):
        shell.start()
    assert shell.window.file_menu.title() == "&Tệp"
    shell.window.en_action.trigger()
    qtbot.waitUntil(lambda: shell.window.file_menu.title() == "&File")
    assert shell.window.case_list.search.placeholderText().startswith("Search by name")
    shell.window.close()
    qtbot.waitUntil(lambda: not shell.runner.busy)
    shell.shutdown()
    settings = load_settings(data_dir / "settings.json")
    assert settings.language == "en" and settings.window_geometry
    shell.translations.use("en")


def test_a_corrupt_database_is_refused_with_its_path(qapp, data_dir, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.ui import application

    (data_dir / "station.db").write_bytes(b"garbage" * 100)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    monkeypatch.setattr(application.crash, "install", lambda: None)
    assert application.run(data_dir, "en") == 1
    assert shown == [f"The database {data_dir / 'station.db'} is damaged and cannot be opened. It has been kept "
                     "as it is; ask IT staff to restore it from a backup."]
    assert (data_dir / "station.db").read_bytes() == b"garbage" * 100
