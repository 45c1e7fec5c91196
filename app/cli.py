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
    "cameras": "Cameras (USB): {cameras}", "no_cameras": "none found",
    "configured_camera": "Configured camera: {camera}",
    "audio_problem": "Audio: {problem}", "no_audio": "no audio devices (is the sound system running?)",
    "audio_device": "Audio {index:>2}: {name} [{roles}] {rate:.0f} Hz{default}", "default": " (default)",
    "enroll_failed": "Enrollment failed: {error}",
    "enrolled": "Enrolled with {hub} as facility {facility} (client {client}).",
    "not_enrolled": "This station is not enrolled with a hub: run `diemcau enroll HUB_URL CODE` first.",
    "online": "online", "offline": "offline: {error}",
    "sync_summary": "{state}; sent {sent}, {cases} case(s) now on the hub, {answers} new answer(s), {waiting} waiting",
    "failed_case": "  case {case}: {why}",
}


class Words:
    """The station's catalogue for `--lang` (English needs none); QTranslator alone, no application."""

    def __init__(self, language: str | None):
        self._translator = None
        if language and language != "en":
            from PySide6.QtCore import QTranslator

            from app.ui.catalogues import load_catalogue  # from a copy in memory, not mapped from the file

            translator = QTranslator()
            if load_catalogue(translator, TRANSLATIONS / f"diemcau_{language}.qm"):
                self._translator = translator
            else:
                print(f"no {language} translation found; run `make translations`", file=sys.stderr)

    def __call__(self, context: str, text: str) -> str:
        if self._translator is None:
            return text
        return self._translator.translate(context, text) or text

    def cli(self, key: str) -> str:
        return self("Cli", CLI_TEXT[key])


def devices(data_dir: Path, as_json: bool, language: str | None = None) -> int:
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
    words = Words(language)
    print(words.cli("cameras").format(cameras=", ".join(map(str, cameras)) or words.cli("no_cameras")))
    print(words.cli("configured_camera").format(camera=settings.camera))
    if sound_error or not sound:
        print(words.cli("audio_problem").format(problem=sound_error or words.cli("no_audio")))
    for d in sound:
        roles = [r for r, on in (("in", d.inputs), ("out", d.outputs)) if on]
        default = words.cli("default") if d.is_default_input or d.is_default_output else ""
        print(words.cli("audio_device").format(index=d.index, name=d.name, roles="/".join(roles),
                                               rate=d.default_samplerate, default=default))
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


def enroll(data_dir: Path, hub_url: str, code: str, language: str | None = None) -> int:
    from app.services.station import Station
    from app.sync.hub_client import HubError

    words = Words(language)
    station = Station(data_dir)
    try:
        credential = station.sync.enroll(hub_url, code)
    except HubError as error:
        print(words.cli("enroll_failed").format(error=error), file=sys.stderr)
        return 1
    finally:
        station.close()
    print(words.cli("enrolled").format(hub=credential.hub_url, facility=credential.facility,
                                       client=credential.client_id))
    return 0


def sync(data_dir: Path, as_json: bool, language: str | None = None) -> int:
    from app.services.logs import setup_logging
    from app.services.station import Station
    from app.services.sync import NotEnrolledError

    words = Words(language)
    station = Station(data_dir)
    setup_logging(station.paths.logs)
    try:
        report = station.sync.run_once(force=True)
        status = station.sync.status()
    except NotEnrolledError:
        print(words.cli("not_enrolled"), file=sys.stderr)
        return 2
    finally:
        station.close()
    summary = {"online": report.online, "sent": report.sent_rows, "synced_cases": report.synced_cases,
               "new_answers": report.new_answers, "failed_cases": report.failed_cases,
               "unsent": status.unsent_rows, "error": report.error}
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        state = words.cli("online") if report.online else words.cli("offline").format(error=report.error)
        print(words.cli("sync_summary").format(state=state, sent=report.sent_rows, cases=len(report.synced_cases),
                                               answers=len(report.new_answers), waiting=status.unsent_rows))
        for case_id, why in report.failed_cases.items():
            print(words.cli("failed_case").format(case=case_id, why=why))
    return 0 if report.online and not report.failed_cases else 1
