"""Screenshots of the experts' web console (part of `make screenshots`; runnable alone:
`.venv/bin/python tools/screenshot_console.py docs/screenshots`).

A hub of its own (SQLite) with its Orthanc, a station that sends an urgent case with a CT through its
real sync, other district stations' cases of every urgency, experts made with the console's accounts
module; Debian's Chromium (headless, under Playwright) signs in through the login page at 1366x768.

console-inbox.png          the inbox: emergency, urgent and routine requests, the longest waiting first
console-case.png           the case page of the urgent case (patient, request, imaging, thread)
console-case-ct.png        its CT, opened from the case page in the web viewer
console-conclusion-vi.png  the conclusion editor with a draft of two issues, in Vietnamese
console-conclusion-fr.png  the same editor for an expert whose account is in French
console-signed.png         the signed conclusion, after signing with the password
console-case-signed.png    the case page once signed: the conclusion itself, its minutes and hash
"""

import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VIEWPORT = {"width": 1366, "height": 768}
PASSWORD = "mật-khẩu-đủ-dài-2026"
QUESTION = "Bệnh nhân có đau ngực khi gắng sức không? Xin gửi kết quả troponin lần hai."
REPLY = "Có, đau khi leo cầu thang. Troponin lần hai 0,8 ng/mL, tăng so với lần đầu."
ISSUES = [("Hội chứng vành cấp không ST chênh lên",
           "Nguy cơ cao (GRACE 152): chuyển tuyến can thiệp mạch vành qua da trong 24 giờ."),
          ("Tăng huyết áp độ 2", "Chưa kiểm soát; thêm amlodipin 5 mg mỗi sáng.")]
TREATMENT = ("Aspirin 81 mg, clopidogrel 75 mg, atorvastatin 40 mg; enoxaparin 1 mg/kg mỗi 12 giờ đến khi "
             "chuyển tuyến. Chuyển Bệnh viện Bạch Mai bằng xe cấp cứu có bác sĩ đi kèm.")
FOLLOW_UP = "Theo dõi đau ngực, điện tim mỗi 6 giờ; báo kết quả điều trị sau can thiệp."
FR_ISSUES = [("Syndrome coronarien aigu sans sus-décalage du ST",
              "Risque élevé (GRACE 152) : coronarographie avec angioplastie dans les 24 heures."),
             ("Hypertension artérielle de grade 2", "Non contrôlée ; ajouter amlodipine 5 mg le matin.")]
FR_TREATMENT = "Aspirine 81 mg, clopidogrel 75 mg, atorvastatine 40 mg ; énoxaparine 1 mg/kg toutes les 12 h."


def hub_with_cases(work: Path):
    """(orthanc, hub, station, the urgent case with a CT): the case sent through the station's own sync."""
    from app.domain.lifecycle import Urgency
    from app.services.station import Station
    from app.sync.hub_client import HubClient, enroll
    from server.local_pacs import LocalOrthanc
    from tests.integration.hub.console.support import make_case, submit
    from tests.support.hub import RunningHub

    orthanc = LocalOrthanc(work / "orthanc").start()
    hub = RunningHub(work / "hub", pacs_url=orthanc.dicomweb_url).start()
    # Other district stations' requests to Bạch Mai's cardiology, of every urgency and age.
    now = datetime.now(timezone.utc)
    others = [
        ("0100A", "TTYT huyện Ba Vì", Urgency.EMERGENCY, "Lê Văn Hùng", "male", 1.2,
         "Đau ngực dữ dội 2 giờ, ST chênh lên V1-V4: có chuyển tuyến can thiệp ngay không?"),
        ("0100A", "TTYT huyện Ba Vì", Urgency.ROUTINE, "Đỗ Thị Mai", "female", 30,
         "Rung nhĩ mới phát hiện, xin ý kiến chống đông."),
        ("26011", "BVĐK huyện Tam Đảo", Urgency.URGENT, "Vũ Đức Thắng", "male", 3.5,
         "Khó thở tăng, phù hai chân, BNP 1 800 pg/mL: xin hướng điều chỉnh lợi tiểu."),
        ("26011", "BVĐK huyện Tam Đảo", Urgency.ROUTINE, "Ngô Thị Hạnh", "female", 52,
         "Tiếng thổi tâm thu ở mỏm, siêu âm tim có hở van hai lá vừa: theo dõi hay phẫu thuật?"),
    ]
    clients = {}
    for number, (facility, place, urgency, name, sex, hours, question) in enumerate(others, start=1):
        if facility not in clients:
            clients[facility] = HubClient(enroll(hub.url, hub.register("station", facility=facility, name=place)[1]))
        from dataclasses import replace

        case = replace(make_case(urgency=urgency, name=name, question=question, number=number,
                                 created=now - timedelta(hours=hours)),
                       patient=replace(make_case().patient, full_name=name, sex=sex))
        submit(clients[facility], case, facility)
    for client in clients.values():
        client.close()

    station = Station(work / "station")
    station.sync.enroll(hub.url, hub.register("station", facility="01234", name="TTYT huyện Mèo Vạc")[1])
    case = send_case(station, work)
    for _ in range(10):  # the record first, then the CT slice by slice
        station.sync.run_once()
        if not station.sync.status().unsent_by_case:
            break
    return orthanc, hub, station, case


def ecg_photo() -> bytes:
    """A photo of a 12-lead ECG strip as a station's camera would take it (drawn here: no real patient)."""
    import io

    import numpy as np
    from PIL import Image, ImageDraw

    width, height = 960, 420
    image = Image.new("RGB", (width, height), (255, 246, 246))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 8):
        draw.line([(x, 0), (x, height)], fill=(250, 200, 200) if x % 40 else (235, 150, 150))
    for y in range(0, height, 8):
        draw.line([(0, y), (width, y)], fill=(250, 200, 200) if y % 40 else (235, 150, 150))
    t = np.arange(width)
    for row, base in enumerate((90, 210, 330)):
        beat = (t + 37 * row) % 160
        wave = (8 * np.exp(-((beat - 30) / 8) ** 2) - 10 * np.exp(-((beat - 58) / 2) ** 2)
                + 70 * np.exp(-((beat - 62) / 2.2) ** 2) - 18 * np.exp(-((beat - 67) / 2) ** 2)
                + (14 - 10 * row) * np.exp(-((beat - 100) / 12) ** 2))
        draw.line(list(zip(t.tolist(), (base - wave).tolist())), fill=(20, 20, 20), width=2)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def heart_sounds() -> bytes:
    """Four seconds of 'lub-dub' at 96 beats a minute, as FLAC (the station's stethoscope recording)."""
    import io

    import numpy as np
    import soundfile

    rate = 16_000
    t = np.arange(4 * rate) / rate
    sound = np.zeros_like(t)
    for start in np.arange(0, 4, 60 / 96):
        for offset, pitch, gain in ((0.0, 55, 1.0), (0.3, 75, 0.7)):
            near = np.abs(t - start - offset) < 0.08
            sound[near] += gain * np.sin(2 * np.pi * pitch * t[near]) * np.hanning(near.sum())
    out = io.BytesIO()
    soundfile.write(out, (0.6 * sound).astype("float32"), rate, format="FLAC")
    return out.getvalue()


def send_case(station, work: Path):
    """The urgent case a district doctor sends: the record, an ECG photo, heart sounds and a 40-slice CT."""
    from dataclasses import replace

    from app.domain.attachment import AttachmentKind
    from app.domain.lifecycle import Urgency
    from app.domain.vitals import Vitals
    from tests.support.dicom_series import ct_series

    cases = station.cases
    case = cases.create_case()
    case = cases.save_draft(replace(
        case, patient=replace(case.patient, full_name="Phạm Thị Hương", birth="12/03/1961", sex="female",
                              cccd="001161012345", bhyt="DN4010123456789", phone="0912345678"),
        urgency=Urgency.URGENT, reason="Đau ngực trái lan lên vai, khó thở từ 3 giờ sáng",
        question="Có chỉ định chuyển tuyến can thiệp mạch vành không? Điều trị gì trong khi chờ chuyển?",
        history="Tăng huyết áp 10 năm, điều trị không đều.", examination="Tim nhịp đều 96 lần/phút, phổi ran ẩm đáy.",
        treatment="Aspirin 300 mg, nitroglycerin ngậm dưới lưỡi.", specialty="cardiology", hospital="bachmai",
        diagnosis_code="I20.0", diagnosis_text="Đau thắt ngực không ổn định",
        vitals=Vitals(pulse="96", blood_pressure="150/90", spo2="94", temperature="37.2", resp_rate="22",
                      weight="58")))
    station.attachments.add_bytes(case.id, ecg_photo(), "dien-tim-12-chuyen-dao.jpg", AttachmentKind.PHOTO)
    station.attachments.add_bytes(case.id, heart_sounds(), "nghe-tim.flac", AttachmentKind.AUDIO)
    station.imports.import_paths(case.id, ct_series(work / "ct", slices=40, size=256))
    cases.mark_ready(case.id)
    return cases.submit(case.id)


def person(hub, login: str, name: str, title: str, language: str) -> None:
    from server.console import accounts

    accounts.ensure_person(hub.engine, login, password=PASSWORD, name=name, title=title, role="expert",
                           hospital="bachmai", specialty="cardiology", language=language)


def page_for(browser, hub, login: str, locale: str = "vi-VN"):
    from tests.support.browser import sign_in

    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    page = context.new_page()
    sign_in(page, hub.url, login, PASSWORD)
    return page


def save(page, path: Path, **options) -> None:
    page.screenshot(path=str(path), **options)
    print(path)


def write_draft(page, issues, treatment: str, follow_up: str) -> None:
    """As an expert writes it: the first issue, "add an issue" (htmx swaps the form in place), the second, then
    save the draft."""
    editor = page.locator("#editor")
    editor.locator("input[name=issue_title]").nth(0).fill(issues[0][0])
    editor.locator("textarea[name=issue_text]").nth(0).fill(issues[0][1])
    editor.locator("button[name=action][value=add]").click()
    page.locator("#editor input[name=issue_title]").nth(1).wait_for()
    editor = page.locator("#editor")
    editor.locator("input[name=issue_title]").nth(1).fill(issues[1][0])
    editor.locator("textarea[name=issue_text]").nth(1).fill(issues[1][1])
    editor.locator("textarea[name=treatment]").fill(treatment)
    editor.locator("textarea[name=follow_up]").fill(follow_up)
    with page.expect_navigation():
        editor.locator("button[name=action][value=save]").click()


def console_shots(out_dir: Path) -> None:
    from tests.support.browser import chromium

    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="diemcau-console-shots-"))
    orthanc, hub, station, case = hub_with_cases(work)
    try:
        person(hub, "bs.tim", "Trần Văn Tim", "PGS.TS", "vi")
        person(hub, "dr.martin", "Claire Martin", "Pr", "fr")
        with chromium() as browser:
            page = page_for(browser, hub, "bs.tim")
            page.goto(f"{hub.url}/console/inbox")
            page.wait_for_selector(f"#inbox-rows tr[data-case='{case.id}']")
            save(page, out_dir / "console-inbox.png")

            # The case page, with a question asked and the doctor's reply.
            page.goto(f"{hub.url}/console/cases/{case.id}")
            page.check("input[name=kind][value=question]")
            page.fill("#thread textarea[name=text]", QUESTION)
            with page.expect_navigation():
                page.click("#thread form button[type=submit]")
            station.sync.run_once()
            station.consultation.reply(case.id, REPLY)
            station.sync.run_once()
            page.goto(f"{hub.url}/console/cases/{case.id}")
            save(page, out_dir / "console-case.png", full_page=True)

            with page.context.expect_page() as opened:
                page.locator("#imaging a[href^='/console/viewer?study=']").first.click()
            viewer = opened.value
            viewer.set_viewport_size(VIEWPORT)
            viewer.wait_for_selector("#viewer:not([data-state=starting]):not([data-state=loading])", timeout=60_000)
            viewer.wait_for_timeout(300)  # the canvas is drawn just after the state says ready
            save(viewer, out_dir / "console-case-ct.png")
            viewer.close()

            page.goto(f"{hub.url}/console/cases/{case.id}/conclusion")
            write_draft(page, ISSUES, TREATMENT, FOLLOW_UP)
            save(page, out_dir / "console-conclusion-vi.png", full_page=True)

            french = page_for(browser, hub, "dr.martin", "fr-FR")
            french.goto(f"{hub.url}/console/cases/{case.id}/conclusion")
            write_draft(french, FR_ISSUES, FR_TREATMENT, "Revoir après l'angioplastie ; ECG toutes les 6 heures.")
            save(french, out_dir / "console-conclusion-fr.png", full_page=True)
            french.context.close()

            page.fill("#editor input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("#editor button[name=action][value=sign]")
            if "signed=1" not in page.url:
                raise SystemExit(f"screenshots: signing did not go through ({page.url})")
            save(page, out_dir / "console-signed.png", full_page=True)
            page.goto(f"{hub.url}/console/cases/{case.id}")
            save(page, out_dir / "console-case-signed.png", full_page=True)
            page.context.close()
    finally:
        station.close()
        hub.stop()
        orthanc.stop()


if __name__ == "__main__":
    console_shots(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
