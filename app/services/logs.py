"""The station's log file, set up alike by the window and the command line (no patient data goes in it)."""

import logging
from pathlib import Path


def setup_logging(log_dir: Path) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    target = str(log_dir / "station.log")
    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == target for h in root.handlers):
        return
    handler = logging.FileHandler(target, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # keep the migrations, not the setup
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the passes
