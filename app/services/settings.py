"""The station's settings: one typed schema, versioned, migrated on load.

Stored as JSON beside the database. A file from a newer version is refused (and
left alone) rather than silently dropping what this version does not know.
"""

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

SETTINGS_VERSION = 2
LANGUAGES = ("vi", "en")


class SettingsError(Exception):
    def __init__(self, path: Path, detail: str):
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


@dataclass(frozen=True)
class Settings:
    version: int = SETTINGS_VERSION
    language: str = "vi"
    station_name: str = ""
    facility_code: str = ""  # mã cơ sở KCB, 5 characters
    window_geometry: str = ""  # base64 of QWidget.saveGeometry()
    # Devices (version 2): set by IT staff in the device settings or `diemcau devices`.
    camera: str = "0"           # USB index, video file, or rtsp:// / http:// URL
    camera_width: int = 1280
    camera_height: int = 720
    camera_fps: int = 30
    microphone: str = ""        # PortAudio device name; "" = the system default
    microphone_samplerate: int = 48000
    microphone_channels: int = 1  # 2 for a stereo stethoscope or two microphones
    speaker: str = ""
    check_url: str = ""         # where the link check measures (the hub, once enrolled)


def _v1_to_v2(raw: dict) -> dict:
    return raw | {"version": 2}  # new device fields take their defaults


# Each function takes version N's dict and returns version N+1's.
_MIGRATIONS: dict[int, callable] = {1: _v1_to_v2}


def load_settings(path: Path) -> Settings:
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SettingsError(path, f"unreadable ({error})") from error
    if not isinstance(raw, dict):
        raise SettingsError(path, "not a JSON object")
    version = raw.get("version", 1)
    if not isinstance(version, int) or version > SETTINGS_VERSION:
        raise SettingsError(path, f"written by a newer version (settings version {version})")
    while version < SETTINGS_VERSION:
        raw = _MIGRATIONS[version](raw)
        version += 1
    known = {f.name for f in fields(Settings)}
    settings = Settings(**{k: v for k, v in raw.items() if k in known} | {"version": SETTINGS_VERSION})
    if settings.language not in LANGUAGES:
        settings = Settings(**(asdict(settings) | {"language": "vi"}))
    return settings


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically: a crash leaves either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(asdict(settings), f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
