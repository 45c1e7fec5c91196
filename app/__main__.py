"""`diemcau` / `python -m app`: start the station."""

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
    args = parser.parse_args(argv)

    from app.services.station import default_data_dir
    from app.ui.application import run

    return run(args.data_dir or default_data_dir(), args.lang, args.report_startup, args.quit_after_startup)


if __name__ == "__main__":
    sys.exit(main())
