"""The whole written consultation, end to end, with real parts only (issue 14, "Tests").

Two hub worker processes on one PostgreSQL database, with their Orthanc: the station talks to the
first, the experts' Chromium to the second, so every answer crosses workers through LISTEN/NOTIFY.
The station is the real one (services, sync engine, push listener, the main window and its Hội chẩn
tab, driven as a doctor would); the expert is a person made with the console's accounts module who
signs in through the login page of Debian's Chromium.

submit an urgent case with a CT → the expert's open inbox shows it (no reload) → the case page and
its CT in the web viewer → a question → the station's tab shows it, the doctor types a reply → the
case page shows the reply → a conclusion written (two issues), saved as a draft the station never
gets → the same pages in French and English → signed with the password → the station shows the
signed conclusion (the delay from the click is printed) → the minutes PDF printed from the tab, its
text read back with its diacritics and page 1 rendered → the doctor reports the outcome → the expert
sees it on the case page.
"""

import io
import time
import unicodedata
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer

from tests.support.browser import signed_in_page
from tests.support.cases import submitted_case
from tests.support.hub import HubProcess
from tests.ui.helpers import type_text

PASSWORD = "mật-khẩu-đủ-dài-2026"
PATIENT = "Phạm Thị Hương"
QUESTION = "Bệnh nhân có đau ngực khi gắng sức không? Xin gửi kết quả troponin lần hai."
REPLY = "Có, đau khi leo cầu thang. Troponin lần hai 0,8 ng/mL, tăng so với lần đầu."
ISSUES = [("Hội chứng vành cấp không ST chênh lên", "Nguy cơ cao (GRACE 152): cần can thiệp mạch vành trong 24 giờ."),
          ("Tăng huyết áp độ 2", "Chưa kiểm soát; thêm amlodipin 5 mg mỗi sáng.")]
TREATMENT = "Aspirin 81 mg, clopidogrel 75 mg, atorvastatin 40 mg; chuyển tuyến Bạch Mai bằng xe cấp cứu."
FOLLOW_UP = "Theo dõi đau ngực, điện tim mỗi 6 giờ; báo kết quả điều trị sau can thiệp."
OUTCOME_NOTE = "Hết đau ngực sau đặt stent, huyết áp 130/80."
PUSHED_WITHIN_S = 10.0


@pytest.fixture
def two_workers(tmp_path, orthanc):
    """Two `diemcau-hub serve` processes on one PostgreSQL database and one data folder, with Orthanc."""
    from tests.support.postgres import PostgresServer

    server = PostgresServer().start()
    url = server.new_database()
    workers = []
    try:
        for _ in range(2):  # one after the other: the first migrates the database
            workers.append(HubProcess(tmp_path / "hub", url, pacs_url=orthanc.dicomweb_url).start())
        yield workers
    finally:
        for worker in workers:
            worker.stop()
        server.stop()


@pytest.fixture
def translations(qapp):
    from app.ui.application import Translations

    chosen = Translations(qapp)
    chosen.use("vi")  # the station as district doctors run it
    yield chosen
    chosen.use("en")


@pytest.fixture
def runner(qtbot):
    from app.ui.runner import TaskRunner

    made = TaskRunner()
    yield made
    made.shutdown()


@dataclass(frozen=True)
class Person:
    login: str
    password: str = PASSWORD


def make_person(hub, login: str, language: str = "vi", name: str = "Trần Văn Tim") -> Person:
    """An expert of Bạch Mai's cardiology, as the administrator makes one (the case is routed there)."""
    from server.console import accounts

    accounts.ensure_person(hub.engine, login, password=PASSWORD, name=name, title="PGS.TS", role="expert",
                           hospital="bachmai", specialty="cardiology", language=language)
    return Person(login)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def until(qtbot, condition, what: str, timeout_s: float = 15.0) -> float:
    """Run the station's event loop until `condition()` (which may also look at the browser); seconds taken."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"after {timeout_s:.0f} s still not: {what}")
        qtbot.wait(25)
    return time.monotonic() - started


def entry_texts(tab) -> list[str]:
    return [frame.text_label.text() for frame in tab.entry_frames]


def sent(station, case_id: str, text: str) -> bool:
    """The doctor's message is on the hub (no longer waiting in the outbox)."""
    return any(e.direction == "out" and nfc(text) in nfc(e.text) and not e.waiting
               for e in station.consultation.view(case_id).entries)


def viewer_image(viewer) -> np.ndarray:
    png = viewer.locator("#layerGroup0").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.int16)


def test_the_written_consultation_from_submit_to_outcome(qtbot, browser, two_workers, station, translations, runner,
                                                         tmp_path):
    from app.ui.main_window import MainWindow
    from app.ui.sync_controller import SyncController

    started = time.monotonic()
    station_hub, console_hub = two_workers
    _, code = station_hub.register("station", facility="01234", name="TTYT huyện Mèo Vạc")
    station.sync.enroll(station_hub.url, code)

    window = MainWindow(station.cases, runner, str(station.paths.root), consultation=lambda: station.consultation)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    # No timer: every pass after the first is one the doctor's action or the hub's push asks for.
    controller = SyncController(lambda: station.sync, interval_ms=10**9, local_hub=False, parent=window)
    window.attach_sync(controller)
    try:
        with qtbot.waitSignal(controller.sync_finished, timeout=20_000):
            controller.start()
        until(qtbot, lambda: controller.push is not None and controller.push.connected.is_set(),
              "the station's push listener is connected")

        # -- the expert has the inbox open; the station sends an urgent case with a CT ---------------
        expert = make_person(console_hub, "bs.tim")
        page = signed_in_page(browser, console_hub, expert)
        page.goto(f"{console_hub.url}/console/inbox")
        assert page.locator("h1").inner_text() == "Hộp thư hội chẩn"

        case = submitted_case(station, tmp_path, name=PATIENT, slices=12, size=128)  # the CT through the import
        submitted_at = time.monotonic()
        window.on_case_saved(case)  # what the editor's "Gửi hội chẩn" signals: the window asks for a pass
        row = page.locator(f"#inbox-rows tr[data-case='{case.id}']")
        # The inbox refreshes its rows by itself (htmx: every 20 s, or at once on an `inbox-changed`
        # event from the console's push): the page is never reloaded here.
        until(qtbot, lambda: row.count() == 1, "the case in the expert's open inbox, without reloading",
                       timeout_s=45)
        print(f"\nsubmit → the case in the open inbox (no reload): {time.monotonic() - submitted_at:.1f} s")
        assert row.get_attribute("data-urgency") == "urgent"
        assert row.locator(".badge").first.inner_text() == "Khẩn"
        assert PATIENT in row.inner_text() and "Đau ngực, khó thở" in row.inner_text()  # the reason for consultation
        until(qtbot, lambda: not controller._busy and not station.sync.status().unsent_by_case,
              "the station sent everything (the CT too)", timeout_s=30)

        # -- the case page and its CT in the web viewer ------------------------------------------------
        with page.expect_navigation():
            row.locator("a").click()
        assert page.url.endswith(f"/console/cases/{case.id}")
        patient = page.locator("#patient").inner_text()
        assert PATIENT in patient and "Đau ngực, khó thở" in patient
        study = page.locator("#imaging a[href^='/console/viewer?study=']")
        assert study.count() == 1, page.locator("#imaging").inner_text()
        with page.context.expect_page() as opened:
            study.click()
        viewer = opened.value
        viewer.wait_for_selector("#viewer:not([data-state=starting]):not([data-state=loading])", timeout=20_000)
        assert viewer.get_attribute("#viewer", "data-state") == "ready"
        pixels = viewer_image(viewer)
        assert pixels.std() > 20 and len(np.unique(pixels)) >= 4, "the CT is blank or two-toned"
        viewer.close()

        # -- a question → the station's Hội chẩn tab, where the doctor replies ---------------------------
        window.open_consultation(case.id)  # the doctor has the sent case open on its Hội chẩn tab
        until(qtbot, lambda: window.editor is not None and window.editor.consultation._view is not None
              and window.editor.consultation._view.case.id == case.id, "the case open on its Hội chẩn tab")
        tab = window.editor.consultation
        page.check("input[name=kind][value=question]")
        page.fill("#thread textarea[name=text]", QUESTION)
        with page.expect_navigation():
            page.click("#thread form button[type=submit]")
        assert QUESTION in page.locator("#thread").inner_text()
        asked = time.monotonic()
        until(qtbot, lambda: any(QUESTION in nfc(t) for t in map(nfc, entry_texts(tab))),
              "the question on the station's Hội chẩn tab", timeout_s=PUSHED_WITHIN_S)
        print(f"question → on the station's tab: {time.monotonic() - asked:.1f} s")
        question = next(t for t in entry_texts(tab) if QUESTION in nfc(t))
        assert "Câu hỏi của chuyên gia" in question and "Trần Văn Tim" in question

        type_text(tab.reply_text, REPLY)
        with qtbot.waitSignal(tab.message_written, timeout=10_000):
            qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
        until(qtbot, lambda: sent(station, case.id, REPLY), "the doctor's reply sent to the hub", timeout_s=15)

        # The case page has no live thread: the expert reloads it.
        page.reload()
        thread = page.locator("#thread").inner_text()
        assert REPLY in thread, thread

        # -- the conclusion: written, saved as a draft the station never gets ----------------------------
        with page.expect_navigation():
            page.click(f"#actions a[href='/console/cases/{case.id}/conclusion']")
        editor = page.locator("#editor")
        editor.locator("input[name=issue_title]").nth(0).fill(ISSUES[0][0])
        editor.locator("textarea[name=issue_text]").nth(0).fill(ISSUES[0][1])
        editor.locator("button[name=action][value=add]").click()  # htmx: the form alone is swapped in place
        editor = page.locator("#editor")
        editor.locator("input[name=issue_title]").nth(1).wait_for(timeout=10_000)
        assert editor.locator("input[name=issue_title]").count() == 2
        assert editor.locator("input[name=issue_title]").nth(0).input_value() == ISSUES[0][0]
        editor.locator("input[name=issue_title]").nth(1).fill(ISSUES[1][0])
        editor.locator("textarea[name=issue_text]").nth(1).fill(ISSUES[1][1])
        editor.locator("textarea[name=treatment]").fill(TREATMENT)
        editor.locator("textarea[name=follow_up]").fill(FOLLOW_UP)
        with page.expect_navigation():
            editor.locator("button[name=action][value=save]").click()
        assert "Lưu nháp" in page.locator("#editor").inner_text()
        assert page.locator("[role=status]:visible").count() == 1  # "draft saved"
        assert page.locator("#draft-restored").is_hidden()  # the hub holds the text: nothing to put back
        page.reload()  # the draft is kept on the hub
        assert page.locator("#editor textarea[name=treatment]").input_value() == TREATMENT

        with qtbot.waitSignal(controller.sync_finished, timeout=20_000):
            controller.sync_now(force=True)
        assert station.consultation.view(case.id).conclusion is None
        from app.storage.consultation import Conclusions

        with station.db.transaction() as session:
            assert Conclusions().for_case(session, case.id) == [], "a draft conclusion reached the station"
        assert not tab.conclusion.isVisible()

        # -- the same pages for experts whose accounts are in French and in English -----------------------
        for login, language, words, editor_words in (
                ("dr.claire", "fr", ["Patient", "Échanges", "Imagerie", "Poser une question"],
                 ["Conclusion", "Signer", "Enregistrer le brouillon", "Conduite thérapeutique"]),
                ("dr.john", "en", ["Patient", "Thread", "Imaging", "Ask a question"],
                 ["Conclusion", "Sign", "Save draft", "Treatment direction"])):
            other = signed_in_page(browser, console_hub, make_person(console_hub, login, language, name=login))
            other.goto(f"{console_hub.url}/console/cases/{case.id}")
            assert other.locator("html").get_attribute("lang") == language
            text = other.locator("main").inner_text()
            for word in words:
                assert word in text, (language, word)
            assert "Đặt câu hỏi" not in text and "Người bệnh" not in text
            assert PATIENT in text and QUESTION in text  # the records stay as written
            other.goto(f"{console_hub.url}/console/cases/{case.id}/conclusion")
            assert other.locator("h1").inner_text() == "Conclusion"
            text = other.locator("main").inner_text()
            for word in editor_words:
                assert word in text, (language, word)
            assert other.locator("button[name=action][value=sign]").inner_text() == editor_words[1]
            assert TREATMENT not in text  # another expert's draft is not theirs to see
            other.context.close()

        # -- signed with the password: pushed to the station ----------------------------------------------
        page.fill("#editor input[name=password]", PASSWORD)
        clicked = time.monotonic()
        with page.expect_navigation():
            page.click("#editor button[name=action][value=sign]")
        answered = time.monotonic()
        signed = page.locator("#signed").inner_text()
        assert "Kết luận đã ký" in signed and "Trần Văn Tim" in signed and ISSUES[1][0] in signed
        until(qtbot, lambda: tab.conclusion.isVisible() and ISSUES[1][0] in nfc(tab.conclusion.body.text()),
              "the signed conclusion on the station's tab", timeout_s=PUSHED_WITHIN_S)
        shown = time.monotonic()
        print(f"sign → on the station's tab: {shown - clicked:.2f} s from the click "
              f"({shown - answered:.2f} s after the hub's answer to the signing)")
        body = nfc(tab.conclusion.body.text())
        for wanted in ("Trần Văn Tim", "PGS.TS", f"1. {ISSUES[0][0]}", f"2. {ISSUES[1][0]}", TREATMENT, FOLLOW_UP):
            assert nfc(wanted) in body, wanted
        assert "Kết luận hội chẩn (đã ký)" in tab.conclusion.heading.text()

        # -- "In biên bản": the minutes PDF ---------------------------------------------------------------
        until(qtbot, lambda: tab.print_button.isEnabled(), "the minutes ready to print", timeout_s=15)
        assert tab.print_button.text() == "In biên bản"
        target = tmp_path / "bien-ban.pdf"
        printed = []
        tab.choose_minutes_target = lambda suggested: str(target)  # the save dialog's answer
        tab.open_file = printed.append  # the desktop's PDF viewer
        qtbot.mouseClick(tab.print_button, Qt.MouseButton.LeftButton)
        until(qtbot, lambda: printed == [target], "the minutes saved and opened")
        import pypdfium2

        pdf = pypdfium2.PdfDocument(str(target))
        try:
            text = " ".join(nfc("\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))).split())
            pdf[0].render(scale=1.5).to_pil().save(tmp_path / "minutes-page-1.png")
        finally:
            pdf.close()
        for wanted in ("Biên bản hội chẩn", PATIENT, ISSUES[0][0], ISSUES[1][0], "amlodipin", "Trần Văn Tim",
                       "Mèo Vạc"):
            assert nfc(wanted).casefold() in text.casefold(), wanted  # the title is in capitals
        print(f"minutes page 1: {tmp_path / 'minutes-page-1.png'}")

        # -- the doctor reports the outcome (Cải thiện): the expert sees it ---------------------------------
        def fill_outcome():
            dialog = tab.outcome_dialog
            QTimer.singleShot(15_000, dialog.reject)  # never hang the suite on a dialog left open
            dialog.outcome.setCurrentIndex(dialog.outcome.findData("improved"))
            assert dialog.outcome.currentText() == "Cải thiện"
            type_text(dialog.note, OUTCOME_NOTE)
            dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        QTimer.singleShot(0, fill_outcome)
        with qtbot.waitSignal(tab.message_written, timeout=20_000):
            qtbot.mouseClick(tab.outcome_button, Qt.MouseButton.LeftButton)  # the dialog runs modal
        until(qtbot, lambda: sent(station, case.id, OUTCOME_NOTE), "the outcome sent to the hub", timeout_s=15)
        page.goto(f"{console_hub.url}/console/cases/{case.id}")
        outcome = page.locator("#outcome").inner_text()
        assert "Cải thiện" in outcome and OUTCOME_NOTE in outcome, outcome
        assert date.today().strftime("%d/%m/%Y") in outcome or date.today().isoformat() in outcome, outcome
        page.context.close()
    finally:
        until(qtbot, lambda: not controller._busy, "the last pass ended", timeout_s=20)
        controller.shutdown()
        window.close()
    took = time.monotonic() - started
    print(f"the written loop: {took:.0f} s")
    assert controller.push is None
