"""`diemcau` / `python -m app`: start the station, or run one of its commands."""

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="diemcau", description="Điểm Cầu telehealth consultation station")
    parser.add_argument("--data-dir", type=Path, help="where the station keeps its database, settings and logs "
                        "(default: the user data folder, e.g. ~/.local/share/diemcau)")
    parser.add_argument("--lang", choices=("vi", "en"), help="interface language (default: the saved choice, "
                        "Vietnamese at first)")
    parser.add_argument("--report-startup", action="store_true",
                        help="print how long the case list took to appear")
    parser.add_argument("--quit-after-startup", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    listing = commands.add_parser("devices", help="list cameras and audio devices")
    listing.add_argument("--json", action="store_true")
    checking = commands.add_parser("check", help="pre-session check of camera, microphone, speaker and link; "
                                   "exits 1 when something is unfit")
    checking.add_argument("--json", action="store_true")
    checking.add_argument("--only", nargs="+", choices=("camera", "microphone", "speaker", "link"),
                          help="check only these")
    checking.add_argument("--camera", help="camera to check instead of the configured one")
    checking.add_argument("--url", help="address to measure the link against instead of the configured one")
    configuring = commands.add_parser("configure", help="set the station's devices (headless stations)")
    configuring.add_argument("--camera", help="USB index, video file, or rtsp:// or http:// address")
    configuring.add_argument("--resolution", help="e.g. 1280x720")
    configuring.add_argument("--fps", type=int)
    configuring.add_argument("--microphone", help="audio device name (see `diemcau devices`); '' for the default")
    configuring.add_argument("--samplerate", type=int, choices=(16000, 44100, 48000), help="microphone sample rate")
    configuring.add_argument("--channels", type=int, choices=(1, 2), help="microphone channels")
    configuring.add_argument("--speaker", help="audio device name; '' for the default")
    configuring.add_argument("--check-url", help="address the link check measures against")
    exporting = commands.add_parser("export-checks", help="write the kept check reports to a JSON file")
    exporting.add_argument("path", type=Path)
    enrolling = commands.add_parser("enroll", help="enroll this station with a hub using the one-time code")
    enrolling.add_argument("hub_url")
    enrolling.add_argument("code")
    syncing = commands.add_parser("sync", help="send what is waiting and fetch the experts' answers, once")
    syncing.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from app.services.station import default_data_dir

    data_dir = args.data_dir or default_data_dir()
    if args.command == "devices":
        from app.cli import devices

        return devices(data_dir, args.json, args.lang)
    if args.command == "check":
        from app.cli import check

        return check(data_dir, args.json, args.only, args.camera, args.url, args.lang)
    if args.command == "configure":
        from app.cli import configure

        return configure(data_dir, args)
    if args.command == "export-checks":
        from app.cli import export_checks

        return export_checks(data_dir, args.path)
    if args.command == "enroll":
        from app.cli import enroll

        return enroll(data_dir, args.hub_url, args.code, args.lang)
    if args.command == "sync":
        from app.cli import sync

        return sync(data_dir, args.json, args.lang)
    from app.ui.application import run

    return run(data_dir, args.lang, args.report_startup, args.quit_after_startup)


if __name__ == "__main__":
    sys.exit(main())
