import json

import pytest

from app.services.settings import SETTINGS_VERSION, Settings, SettingsError, load_settings, save_settings


def test_defaults_when_no_file(tmp_path):
    assert load_settings(tmp_path / "settings.json") == Settings()
    assert Settings().language == "vi"


def test_round_trip(tmp_path):
    path = tmp_path / "settings.json"
    wanted = Settings(language="en", station_name="BVĐK huyện Mường Tè", facility_code="12345")
    save_settings(path, wanted)
    assert load_settings(path) == wanted
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == SETTINGS_VERSION


def test_a_newer_settings_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": SETTINGS_VERSION + 1, "language": "en"}))
    before = path.read_bytes()
    with pytest.raises(SettingsError, match="newer"):
        load_settings(path)
    assert path.read_bytes() == before


def test_a_damaged_settings_file_names_the_file(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    assert raised.value.path == path


def test_unknown_keys_and_languages_fall_back(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 2, "language": "fr", "something_old": 1}))
    assert load_settings(path) == Settings(language="vi")


def test_the_station_sets_a_damaged_settings_file_aside_and_goes_on(data_dir):
    from app.services.station import Station

    (data_dir / "settings.json").write_text("{broken")
    station = Station(data_dir)
    try:
        assert station.settings == Settings()
        kept = list(data_dir.glob("settings.damaged-*.json"))
        assert [p.read_text() for p in kept] == ["{broken"] and station.warnings == [str(kept[0])]
    finally:
        station.close()


def test_version_1_files_are_migrated_keeping_their_values(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 1, "language": "en", "station_name": "TTYT Mường Lát"}))
    settings = load_settings(path)
    assert settings.version == SETTINGS_VERSION == 2
    assert settings.language == "en" and settings.station_name == "TTYT Mường Lát"
    assert settings.camera == "0" and settings.camera_fps == 30
