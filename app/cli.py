"""Commands for headless stations and IT staff: `diemcau devices`, `check`, `enroll`, `sync`."""

import json
import sys
from dataclasses import replace
from pathlib import Path

from app.domain.check import ADVICE, Grade

GRADE_MARK = {Grade.GOOD: "OK", Grade.POOR: "POOR", Grade.UNFIT: "UNFIT"}
TRANSLATIONS = Path(__file__).resolve().parents[1] / "resources" / "translations"

# What the command line says, in English; translated under the context "Cli" (tools/translations.py).
CLI_TEXT = {
    "ready": "Station is ready for the session.",
    "not_ready": "Station is NOT ready: see UNFIT above.",
    "checked_fit": "Checked: {parts} — fit (only these were checked).",
    "checked_unfit": "Checked: {parts} — NOT fit: see UNFIT above.",
    "camera": "camera", "microphone": "microphone", "speaker": "speaker", "link": "link",
    "OK": "OK", "POOR": "POOR", "UNFIT": "UNFIT",
}


class Words:
    """The station's catalogue for `--lang` (English needs none); QTranslator alone, no application."""

    def __init__(self, language: str | None):
        self._translator = None
        if language and language != "en":
            from PySide6.QtCore import QTranslator

            translator = QTranslator()
            if translator.load(str(TRANSLATIONS / f"diemcau_{language}.qm")):
                self._translator = translator
            else:
                print(f"no {language} translation found; run `make translations`", file=sys.stderr)

    def __call__(self, context: str, text: str) -> str:
        if self._translator is None:
            return text
        return self._translator.translate(context, text) or text

    def cli(self, key: str) -> str:
        return self("Cli", CLI_TEXT[key])


def devices(data_dir: Path, as_json: bool) -> int:
    from app.media import audio
    from app.media.camera import probe_devices
    from app.services.settings import load_settings

    settings = load_settings(data_dir / "settings.json")
    try:
        sound = audio.list_devices()
        sound_error = ""
    except audio.AudioUnavailable as error:
        sound, sound_error = [], f"{error} ({error.fix})"
    cameras = probe_devices()
    if as_json:
        print(json.dumps({"cameras": cameras, "configured_camera": settings.camera,
                          "audio": [d.__dict__ for d in sound], "audio_error": sound_error}, ensure_ascii=False,
                         indent=2))
        return 0
    print(f"Cameras (USB): {', '.join(map(str, cameras)) or 'none found'}")
    print(f"Configured camera: {settings.camera}")
    if sound_error or not sound:
        print(f"Audio: {sound_error or 'no audio devices (is the sound system running?)'}")
    for d in sound:
        roles = [r for r, on in (("in", d.inputs), ("out", d.outputs)) if on]
        default = " (default)" if d.is_default_input or d.is_default_output else ""
        print(f"Audio {d.index:>2}: {d.name} [{'/'.join(roles)}] {d.default_samplerate:.0f} Hz{default}")
    return 0


def check(data_dir: Path, as_json: bool, parts: list[str] | None, camera: str | None, url: str | None,
          language: str | None = None) -> int:
    """Run the pre-session check; exit status 1 when something is unfit."""
    from app.services.station import Station

    words = Words(language)
    station = Station(data_dir)
    try:
        settings = station.settings
        if camera is not None:
            settings = replace(settings, camera=camera)
        if url is not None:
            settings = replace(settings, check_url=url)
        chosen = tuple(parts) if parts else station.checks.PARTS

        def progress(_fraction: float, part: str) -> None:
            if part and not as_json:
                print(f"checking {part}…", file=sys.stderr, flush=True)

        report = station.checks.run(settings, chosen, progress)
    finally:
        station.close()
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        marks = {grade: words.cli(mark) for grade, mark in GRADE_MARK.items()}
        width = max(len(m) for m in marks.values())
        for item in report.items:
            advice = words("Check", ADVICE[item.advice]).format(**item.measured)
            print(f"{marks[item.grade]:<{width}} {words.cli(item.part):<12} {advice}"
                  + (f" [{item.detail}]" if item.detail else ""))
        if set(chosen) == set(station.checks.PARTS):
            print(words.cli("ready") if report.fit else words.cli("not_ready"))
        else:  # part of the check says nothing of the rest
            names = ", ".join(words.cli(part) for part in chosen)
            print(words.cli("checked_fit" if report.fit else "checked_unfit").format(parts=names))
    return 0 if report.fit else 1


def configure(data_dir: Path, args) -> int:
    from app.services.settings import load_settings, save_settings

    path = data_dir / "settings.json"
    settings = load_settings(path)
    changes = {k: v for k, v in (("camera", args.camera), ("camera_fps", args.fps), ("microphone", args.microphone),
                                 ("speaker", args.speaker), ("check_url", args.check_url),
                                 ("microphone_samplerate", args.samplerate), ("microphone_channels", args.channels))
               if v is not None}
    if args.resolution:
        try:
            width, height = (int(x) for x in args.resolution.lower().split("x"))
        except ValueError:
            print(f"--resolution: expected WIDTHxHEIGHT such as 1280x720, got {args.resolution!r}", file=sys.stderr)
            return 2
        changes.update(camera_width=width, camera_height=height)
    if args.fps is not None and not 1 <= args.fps <= 120:
        print(f"--fps: expected 1 to 120, got {args.fps}", file=sys.stderr)
        return 2
    settings = replace(settings, **changes)
    save_settings(path, settings)
    print(f"camera {settings.camera} {settings.camera_width}x{settings.camera_height} @ {settings.camera_fps} fps; "
          f"microphone {settings.microphone or '(default)'}; speaker {settings.speaker or '(default)'}; "
          f"link check {settings.check_url or '(not set)'}")
    return 0


def export_checks(data_dir: Path, path: Path) -> int:
    from app.services.station import Station

    station = Station(data_dir)
    try:
        count = station.checks.export(path)
    finally:
        station.close()
    print(f"{count} check report(s) written to {path}")
    return 0


def enroll(data_dir: Path, hub_url: str, code: str) -> int:
    from app.services.station import Station
    from app.sync.hub_client import HubError

    station = Station(data_dir)
    try:
        credential = station.sync.enroll(hub_url, code)
    except HubError as error:
        print(f"Enrollment failed: {error}", file=sys.stderr)
        return 1
    finally:
        station.close()
    print(f"Enrolled with {credential.hub_url} as facility {credential.facility} (client {credential.client_id}).")
    return 0


def sync(data_dir: Path, as_json: bool) -> int:
    from app.services.logs import setup_logging
    from app.services.station import Station
    from app.services.sync import NotEnrolledError

    station = Station(data_dir)
    setup_logging(station.paths.logs)
    try:
        report = station.sync.run_once(force=True)
        status = station.sync.status()
    except NotEnrolledError:
        print("This station is not enrolled with a hub: run `diemcau enroll HUB_URL CODE` first.", file=sys.stderr)
        return 2
    finally:
        station.close()
    summary = {"online": report.online, "sent": report.sent_rows, "synced_cases": report.synced_cases,
               "new_answers": report.new_answers, "failed_cases": report.failed_cases,
               "unsent": status.unsent_rows, "error": report.error}
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(("online" if report.online else f"offline: {report.error}") +
              f"; sent {report.sent_rows}, {len(report.synced_cases)} case(s) now on the hub, "
              f"{len(report.new_answers)} new answer(s), {status.unsent_rows} waiting")
        for case_id, why in report.failed_cases.items():
            print(f"  case {case_id}: {why}")
    return 0 if report.online and not report.failed_cases else 1
