"""Screenshots of the Hội chẩn tab (part of `make screenshots`): a case sent to a real hub running in
this process, an expert's question, the doctor's reply, a signed conclusion amended once, the outcome."""

import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.services.station import Station
from app.sync.hub_client import HubClient, enroll
from app.ui.application import StationApp
from app.wire import consultation as wire
from tests.support.cases import submitted_case
from tests.support.experts import post, sign_conclusion
from tests.support.hub import RunningHub


def answered_station(work: Path):
    """(hub, station, case): the whole written consultation so far, synced."""
    hub = RunningHub(work / "hub").start()
    station = Station(work / "station")
    _, code = hub.register("station", facility="01234", name="TTYT huyện Mèo Vạc")
    station.sync.enroll(hub.url, code)
    _, expert_code = hub.register("expert", hospital="bachmai", specialty="cardiology", name="Bs. Trần Văn Tim")
    expert = HubClient(enroll(hub.url, expert_code))
    case = submitted_case(station, work, slices=0)
    station.sync.run_once()
    post(expert, case, wire.STATUS, "", change=wire.ACCEPTED)
    post(expert, case, wire.QUESTION, "Bệnh nhân có đau ngực khi gắng sức không? Xin gửi thêm điện tim sau 6 giờ "
                                      "và kết quả troponin lần hai.")
    station.sync.run_once()
    lab = work / "troponin-lan-2.pdf"
    lab.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    station.consultation.reply(case.id, "Có, đau khi leo cầu thang. Troponin lần hai 0,8 ng/mL, gửi kèm.", [lab])
    station.sync.run_once()
    first = sign_conclusion(hub, case, [("Đau thắt ngực không ổn định", "Nguy cơ cao, cần chụp mạch vành.")],
                            "Aspirin 81 mg, atorvastatin 40 mg.", "Tái khám sau 2 tuần.")
    sign_conclusion(hub, case, [
        ("Hội chứng vành cấp không ST chênh lên", "Nguy cơ cao (GRACE 152): chuyển tuyến can thiệp mạch vành qua da "
                                                  "trong 24 giờ."),
        ("Tăng huyết áp độ 2", "Chưa kiểm soát; thêm amlodipin 5 mg mỗi sáng.")],
        "Aspirin 81 mg, clopidogrel 75 mg, atorvastatin 40 mg; enoxaparin 1 mg/kg mỗi 12 giờ đến khi chuyển.",
        "Theo dõi đau ngực, điện tim mỗi 6 giờ; báo kết quả điều trị sau can thiệp.", replaces=first["id"])
    post(expert, case, wire.NOTE, "Đã liên hệ khoa Tim mạch can thiệp, sẵn sàng nhận bệnh nhân.")
    station.sync.run_once()
    station.consultation.report_outcome(case.id, "referred", date.today(), "Bệnh viện Bạch Mai",
                                        "Chuyển bằng xe cấp cứu lúc 15:30.")
    expert.close()
    return hub, station, case


def thread_shots(app: QApplication, out_dir: Path, settle, wait_for) -> None:
    work = Path(tempfile.mkdtemp(prefix="diemcau-thread-shots-"))
    hub, station, case = answered_station(work)
    shell = StationApp(app, station, "vi")
    window, runner = shell.window, shell.runner
    shell.start()
    try:
        wait_for(app, lambda: shell.sync is not None and shell.sync.last_status is not None)
        window.open_consultation(case.id)
        wait_for(app, lambda: window.editor is not None and window.editor.consultation._view is not None)

        def shot(name: str) -> None:
            settle(app, runner)
            path = out_dir / f"{name}.png"
            window.grab().save(str(path))
            print(path)
        shot("consultation-conclusion")
        area = window.editor._consultation_page
        area.verticalScrollBar().setValue(area.verticalScrollBar().maximum() // 2)
        shot("consultation-thread")
    finally:
        window.close()
        shell.shutdown()
        station.close()
        hub.stop()
