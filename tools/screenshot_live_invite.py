"""Screenshot of the live window's "Mời…" dialog with results (docs/screenshots/live-invite.png): a real hub
in this process with its own Janus, the sites and experts it knows, a live session on Mèo Vạc's case; the
doctor has ticked a Cần Thơ hospital found by "can tho" and searches "bach mai" (a site invited already,
experts of Bạch Mai). The dialog as it stands over the live window on a 1366x768 screen (grabbed alone:
under Xvfb there is no window manager to frame it, and it would not stand out from the window behind).

Run on its own: xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/screenshot_live_invite.py docs/screenshots
"""

import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SITES = [("92001", "Bệnh viện Đa khoa Trung ương Cần Thơ", ""), ("92002", "Bệnh viện Nhi đồng Cần Thơ", ""),
         ("92003", "TTYT quận Ninh Kiều, Cần Thơ", ""), ("01001", "Phòng hội chẩn từ xa", "bachmai"),
         ("01235", "TTYT huyện Đồng Văn", "")]
PEOPLE = [("bs.lan", "Nguyễn Thị Lan", "PGS.TS", "bachmai", "cardiology"),
          ("bs.hung", "Trần Văn Hùng", "TS", "bachmai", "respiratory"),
          ("bs.minh", "Lê Quang Minh", "BSCKII", "bachmai", "endocrinology"),
          ("bs.mai", "Phạm Thị Mai", "TS", "choray", "oncology")]


def pump(ms: int = 50) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("screenshot: timed out waiting for the dialog's results")
        pump()


def main(out_dir: Path) -> None:
    from app.services.station import Station
    from app.ui.application import Translations
    from app.ui.live_window import LiveWindow
    from server.console import accounts
    from tests.support.cases import submitted_case
    from tests.support.hub import RunningHub

    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="diemcau-invite-shot-"))
    app = QApplication(sys.argv)
    app.setStyleSheet((ROOT / "resources" / "style.qss").read_text(encoding="utf-8"))
    Translations(app).use("vi")
    hub = RunningHub(work / "hub", local_sfu=True).start()
    station = Station(work / "station")
    try:
        _, code = hub.register("station", facility="01234", name="TTYT huyện Mèo Vạc")
        station.sync.enroll(hub.url, code)
        for facility, name, hospital in SITES:
            hub.register("station", facility=facility, name=name, hospital=hospital)
        for login, name, title, hospital, specialty in PEOPLE:
            accounts.ensure_person(hub.engine, login, name=name, title=title, hospital=hospital, specialty=specialty)
        case = submitted_case(station, work, slices=0)
        station.sync.run_once()
        live = station.live.start(case.id, ["01001"])  # Bạch Mai's room invited when the session started

        details = SimpleNamespace(case={"code": "01234-2026-0042", "initials": "H.T.L.", "age": 65, "sex": "female"},
                                  site="TTYT huyện Mèo Vạc", display="TTYT huyện Mèo Vạc", recording={})
        window = LiveWindow(station.live, live.id, details)
        window.setGeometry(0, 0, 1366, 768)
        window.show()
        window.on_state("joined", "")  # in the room, nobody else yet (the screenshot is of the dialog)
        window.invite_button.click()
        dialog = window.invite_dialog
        dialog.move((1366 - dialog.width()) // 2, (768 - dialog.height()) // 2)
        for words, pick in (("can tho", "nhi dong"), ("bach mai", "lan")):
            dialog.search.setText(words)
            wait_for(lambda w=words: dialog.state == "found" and dialog.answered == w)
            dialog.row(pick).setCheckState(Qt.CheckState.Checked)
        for _ in range(10):
            pump()
        path = out_dir / "live-invite.png"
        dialog.grab().save(str(path))
        print(path)
        window.close()
    finally:
        station.close()
        hub.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
