"""The Hội chẩn tab against a real hub: the thread and the signed conclusion in Vietnamese, reading
clears the badge, the inbox filter, the outcome dialog, the minutes, the notification."""

import pytest
from PySide6.QtCore import Qt

from app.sync.hub_client import HubClient, enroll
from app.ui.main_window import MainWindow
from app.ui.sync_controller import SyncController
from app.wire import consultation as wire
from tests.support.cases import submitted_case
from tests.support.experts import post, sign_conclusion
from tests.ui.helpers import type_text


@pytest.fixture
def expert(hub):
    _, code = hub.register("expert", hospital="bachmai", specialty="cardiology", name="Bs. Trần Văn Tim")
    client = HubClient(enroll(hub.url, code))
    yield client
    client.close()


@pytest.fixture
def answered(station, hub, expert, tmp_path):
    """A sent case with a question, an acceptance and a signed, then amended, conclusion, all synced."""
    _, code = hub.register("station", facility="01234", name="TTYT Mèo Vạc")
    station.sync.enroll(hub.url, code)
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    post(expert, case, wire.STATUS, "", change=wire.ACCEPTED)
    post(expert, case, wire.QUESTION, "Bệnh nhân có đau ngực khi gắng sức không?")
    first = sign_conclusion(hub, case, [("Đau thắt ngực không ổn định", "Nguy cơ cao, cần chụp mạch vành.")],
                            "Aspirin 81 mg, atorvastatin 40 mg.", "Tái khám sau 2 tuần.")
    sign_conclusion(hub, case, [("Đau thắt ngực không ổn định", "Chuyển tuyến can thiệp trong 24 giờ."),
                                ("Tăng huyết áp", "Amlodipin 5 mg mỗi sáng.")],
                    "Aspirin, clopidogrel, atorvastatin.", "Báo kết quả sau can thiệp.", replaces=first["id"])
    report = station.sync.run_once()
    assert report.new_answers and station.consultation.view(case.id).minutes.available
    return case


@pytest.fixture
def window(qtbot, station, runner, translations):
    made = MainWindow(station.cases, runner, str(station.paths.root), consultation=lambda: station.consultation)
    qtbot.addWidget(made)
    made.resize(1280, 720)
    made.show()
    with qtbot.waitSignal(made.case_list_shown):
        made.case_list.refresh()
    yield made
    made.close()
    if not runner._closed:
        qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


@pytest.fixture
def synced_window(qtbot, window, station):
    controller = SyncController(lambda: station.sync, local_hub=False, parent=window)
    window.attach_sync(controller)
    with qtbot.waitSignal(controller.status_changed):
        controller.refresh_status()
    yield window
    controller.shutdown()


def open_on_consultation(qtbot, window, case):
    window.open_consultation(case.id)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None
                    and window.editor.case.id == case.id)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.tabs.currentWidget() is editor._consultation_page)
    tab = editor.consultation
    qtbot.waitUntil(lambda: tab._view is not None and tab._view.case.id == case.id)
    return tab


def status_text(window, case):
    model = window.case_list.model
    return model.data(model.index(model.row_of(case.id), model.COLUMNS.index("status")))


def test_the_tab_shows_the_thread_and_the_amended_conclusion_in_vietnamese(qtbot, window, answered):
    tab = open_on_consultation(qtbot, window, answered)
    editor = window.editor
    assert editor.tabs.tabText(editor.tabs.indexOf(editor._consultation_page)) == "Hội chẩn"
    assert tab.conclusion.isVisible()
    assert tab.conclusion.heading.text().find("Kết luận hội chẩn (đã ký)") > 0
    body = tab.conclusion.body.text()
    for wanted in ("Trần Văn Tim", "PGS.TS", "Bệnh viện Bạch Mai", "Tim mạch", "1. Đau thắt ngực không ổn định",
                   "Chuyển tuyến can thiệp trong 24 giờ.", "2. Tăng huyết áp", "Hướng điều trị",
                   "Aspirin, clopidogrel, atorvastatin.", "Theo dõi, dặn dò", "Báo kết quả sau can thiệp."):
        assert wanted in body, wanted
    assert tab.conclusion.amended.isVisible() and tab.conclusion.amended.text() == "Đã sửa đổi"
    # The version it replaced is one click away.
    assert not tab.conclusion.earlier_body.isVisible()
    assert tab.conclusion.earlier_button.text() == "Xem bản trước (1)"
    qtbot.mouseClick(tab.conclusion.earlier_button, Qt.MouseButton.LeftButton)
    assert tab.conclusion.earlier_body.isVisible()
    assert "Nguy cơ cao, cần chụp mạch vành." in tab.conclusion.earlier_body.text()
    # The thread, in time order, with who said what.
    texts = [f.text_label.text() for f in tab.entry_frames]
    assert len(texts) == 2
    assert "Bệnh viện tuyến trên đã nhận ca" in texts[0]
    assert "Câu hỏi của chuyên gia" in texts[1] and "Bs. Trần Văn Tim" in texts[1]
    assert "Bệnh nhân có đau ngực khi gắng sức không?" in texts[1]
    assert "Có chỉ định can thiệp mạch vành?" in tab.request.text()  # the request as sent
    assert tab.print_button.isEnabled() and not tab.minutes_note.isVisible()


def test_reading_the_tab_clears_the_badge_and_the_inbox_filter_keeps_unread_cases(qtbot, answered, synced_window,
                                                                                 station):
    window = synced_window
    other = station.cases.create_case()
    window.case_list.refresh()
    qtbot.waitUntil(lambda: window.case_list.model.row_of(other.id) is not None)
    assert "● 4 mới" in status_text(window, answered)  # accepted, the question, two signed conclusions

    window.case_list.unread_filter.setChecked(True)
    assert window.case_list.unread_filter.text() == "Có trả lời mới"
    model = window.case_list.model
    assert [model.case_id(r) for r in range(model.rowCount())] == [answered.id]

    open_on_consultation(qtbot, window, answered)
    # Read in front of the doctor: the service marks it, the status comes again without it.
    qtbot.waitUntil(lambda: window.sync.last_status is not None and not window.sync.last_status.unread_by_case)
    qtbot.waitUntil(lambda: model.rowCount() == 0)  # nothing unread any more: the inbox is empty
    window.case_list.unread_filter.setChecked(False)
    qtbot.waitUntil(lambda: model.row_of(answered.id) is not None)
    assert "mới" not in status_text(window, answered)
    assert station.sync.status().unread_by_case == {}


def test_a_reply_written_offline_shows_waiting(qtbot, window, hub, answered, tmp_path):
    tab = open_on_consultation(qtbot, window, answered)
    hub.stop()
    photo = tmp_path / "anh-vet-mo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 vet mo")
    type_text(tab.reply_text, "Đã làm điện tim lần hai, gửi kèm ảnh.")
    tab.add_files([photo])
    assert tab.attached.text() == "anh-vet-mo.jpg"
    with qtbot.waitSignal(tab.message_written):
        qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.entry_frames) == 3)
    last = tab.entry_frames[-1].text_label.text()
    assert "Trả lời của bạn" in last and "chờ gửi" in last and "Đã làm điện tim lần hai, gửi kèm ảnh." in last
    assert tab.reply_text.toPlainText() == "" and tab.attached.text() == ""


def test_the_outcome_dialog_wants_a_place_for_a_referral(qtbot, window, answered):
    tab = open_on_consultation(qtbot, window, answered)
    dialog = tab.make_outcome_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert [dialog.outcome.itemText(i) for i in range(dialog.outcome.count())] == [
        "Cải thiện", "Ổn định", "Nặng hơn", "Chuyển tuyến trên", "Tử vong", "Mất theo dõi"]
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("referred"))
    assert dialog.referred_to.isEnabled()
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    error = dialog.errors["referred_to"]
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "Hãy ghi nơi người bệnh được chuyển tới."
    assert dialog.isVisible()
    type_text(dialog.referred_to, "Bệnh viện Bạch Mai")
    type_text(dialog.note, "Đã đặt stent.")
    with qtbot.waitSignal(dialog.accepted):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    tab.reload()
    qtbot.waitUntil(lambda: len(tab.entry_frames) == 3)
    last = tab.entry_frames[-1].text_label.text()
    assert "Đã báo kết quả điều trị" in last and "Chuyển tuyến trên — Bệnh viện Bạch Mai" in last
    assert "Đã đặt stent." in last and "chờ gửi" in last


def test_print_the_minutes_saves_the_pdf_and_opens_it(qtbot, window, station, answered, tmp_path):
    tab = open_on_consultation(qtbot, window, answered)
    target = tmp_path / "in" / "bien-ban.pdf"
    target.parent.mkdir()
    opened = []
    tab.choose_minutes_target = lambda suggested: str(target)
    tab.open_file = opened.append
    qtbot.mouseClick(tab.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: opened == [target])
    assert target.read_bytes() == station.consultation.minutes_file(answered.id).read_bytes()
    assert target.read_bytes().startswith(b"%PDF")


def test_the_minutes_button_says_why_it_waits(qtbot, window, station, hub, expert, tmp_path):
    _, code = hub.register("station", facility="01234")
    station.sync.enroll(hub.url, code)
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    tab = open_on_consultation(qtbot, window, case)
    assert not tab.print_button.isEnabled() and tab.minutes_note.isVisible()
    assert "Biên bản hội chẩn in được khi chuyên gia đã ký kết luận" in tab.minutes_note.text()
    assert tab.print_button.toolTip() == tab.minutes_note.text()
    assert not tab.conclusion.isVisible() and tab.empty_thread.isVisible()


def test_the_notification_of_an_answer_opens_the_case_on_its_consultation_tab(qtbot, window, answered, station):
    draft = station.cases.create_case()
    window.open_case(draft.id)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None
                    and window.editor.case.id == draft.id)
    editor = window.editor
    assert not editor.tabs.isTabVisible(editor.tabs.indexOf(editor._consultation_page))  # a draft has none
    window.on_answers_arrived([answered.id])
    window.on_notification_clicked()
    qtbot.waitUntil(lambda: editor.case.id == answered.id)
    qtbot.waitUntil(lambda: editor.tabs.currentWidget() is editor._consultation_page)
    assert window.case_list.current_case_id() == answered.id


def test_the_tab_says_what_is_new_until_it_is_opened(qtbot, window, answered, station):
    window.open_case(answered.id)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None)
    editor = window.editor
    index = editor.tabs.indexOf(editor._consultation_page)
    qtbot.waitUntil(lambda: editor.tabs.tabText(index) == "Hội chẩn ● 4 mới")
    assert editor.tabs.currentIndex() == 0 and station.consultation.view(answered.id).unread == 4  # not read yet
    editor.tabs.setCurrentIndex(index)
    qtbot.waitUntil(lambda: editor.tabs.tabText(index) == "Hội chẩn")
    qtbot.waitUntil(lambda: station.consultation.view(answered.id).unread == 0)
