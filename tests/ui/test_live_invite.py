"""The live window's "Mời…" with the real hub (and its own Janus, which live sessions need): the doctor types
words, not codes ("can tho", "bach mai"), ticks a site and an expert, and invites them; those invited are
then shown so; the hub out of reach is said plainly. The station reaches the hub through the fault proxy."""

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from app.services.station import Station
from app.ui.live_window import LiveWindow
from server.console import accounts
from server.live import service as hub_live
from tests.support.cases import submitted_case
from tests.support.faulty_proxy import FaultyProxy

pytestmark = pytest.mark.timeout(180)

CAN_THO = "Bệnh viện Đa khoa Trung ương Cần Thơ"


@pytest.fixture
def proxy(live_hub):
    made = FaultyProxy(live_hub.port)
    yield made
    made.close()


def enrolled_meo_vac(hub, folder, url: str) -> Station:
    station = Station(folder)
    _, code = hub.register("station", facility="01234", name="TTYT huyện Mèo Vạc")
    station.sync.enroll(url, code)
    return station


@pytest.fixture
def meo_vac(tmp_path, live_hub, proxy):
    """Mèo Vạc's station (enrolled through the proxy), with a submitted case; the hub knows other sites and experts."""
    station = enrolled_meo_vac(live_hub, tmp_path / "01234", proxy.url)
    live_hub.register("station", facility="92001", name=CAN_THO)
    live_hub.register("station", facility="01235", name="TTYT huyện Đồng Văn")
    accounts.ensure_person(live_hub.engine, "bs.lan", name="Lan", title="PGS.TS", hospital="bachmai",
                           specialty="cardiology")
    accounts.ensure_person(live_hub.engine, "bs.an", name="An", title="BS", hospital="choray", specialty="oncology")
    yield station
    station.close()


def live_window(qtbot, station, live_id) -> LiveWindow:
    """The window as the station opens it, without joining the room: inviting needs only the hub."""
    details = SimpleNamespace(case={"code": "01234-2026-0001", "initials": "H.T.L.", "age": 65, "sex": "female"},
                              site="TTYT huyện Mèo Vạc", display="TTYT huyện Mèo Vạc", recording={})
    window = LiveWindow(station.live, live_id, details)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    return window


def type_search(qtbot, dialog, words: str) -> None:
    """Typed as a doctor types: keys for plain letters; accented words as a Vietnamese input method
    (Telex, ibus-unikey) delivers them, committed text (QTest cannot press a key for "ầ")."""
    dialog.search.clear()
    if words.isascii():
        qtbot.keyClicks(dialog.search, words)
        return
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QInputMethodEvent

    event = QInputMethodEvent()
    event.setCommitString(words)
    QCoreApplication.sendEvent(dialog.search, event)


def choose(qtbot, window, *picks):
    """The invite dialog opened and, for each (words, row) of `picks`, the words typed and that row ticked."""
    window.invite_button.click()
    dialog = window.invite_dialog
    for words, pick in picks:
        type_search(qtbot, dialog, words)
        qtbot.waitUntil(lambda w=words: dialog.state == "found" and dialog.answered == w, timeout=15000)
        dialog.row(pick).setCheckState(Qt.CheckState.Checked)
    return dialog


def test_sites_and_experts_found_by_words_and_invited(qtbot, tmp_path, live_hub, proxy, meo_vac, translations):
    case = submitted_case(meo_vac, tmp_path, slices=0)
    meo_vac.sync.run_once()
    live = meo_vac.live.start(case.id)
    window = live_window(qtbot, meo_vac, live.id)
    assert window.invite_button.text() == "Mời…"

    window.invite_button.click()
    dialog = window.invite_dialog
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "Mời tham gia hội chẩn trực tuyến"
    assert not dialog.invite_button.isEnabled()  # nothing chosen yet
    # It fits a 1280x720 screen beside the window.
    assert dialog.width() <= 1280 and dialog.height() <= 720

    type_search(qtbot, dialog, "can tho")
    qtbot.waitUntil(lambda: dialog.state == "found" and dialog.answered == "can tho", timeout=15000)
    assert [dialog.results.item(i).text() for i in range(dialog.results.count())] == [f"{CAN_THO} — trạm"]
    dialog.row("can tho").setCheckState(Qt.CheckState.Checked)

    # Typing on: the list follows the words typed last, and Cần Thơ stays chosen.
    type_search(qtbot, dialog, "bach")
    qtbot.keyClicks(dialog.search, " mai")
    qtbot.waitUntil(lambda: dialog.state == "found" and dialog.answered == "bach mai", timeout=15000)
    texts = [dialog.results.item(i).text() for i in range(dialog.results.count())]
    assert texts == ["PGS.TS Lan — Bệnh viện Bạch Mai, Tim mạch"]
    dialog.row("lan").setCheckState(Qt.CheckState.Checked)
    assert dialog.summary.text() == f"Sẽ mời: {CAN_THO}; PGS.TS Lan"
    assert dialog.invite_button.isEnabled() and dialog.invite_button.text() == "Mời"

    type_search(qtbot, dialog, "xyz khong co")
    qtbot.waitUntil(lambda: dialog.state == "empty", timeout=15000)
    assert dialog.status.text().startswith("Không có điểm cầu hay chuyên gia nào khớp với “xyz khong co”.")
    assert dialog.results.count() == 0

    dialog.invite_button.click()
    qtbot.waitUntil(lambda: window.note.text() == f"Đã mời: {CAN_THO}; PGS.TS Lan", timeout=15000)
    assert window.invite_dialog is None
    with live_hub.engine.begin() as conn:
        invited = hub_live.session_json(conn, live.id)["invited"]
        lan = accounts.by_login(conn, "bs.lan")
    assert invited == {"facilities": ["92001"], "people": [lan.id]}

    # Asked again: those invited are shown so, ticked and not to be chosen again.
    window.invite_button.click()
    dialog = window.invite_dialog
    type_search(qtbot, dialog, "Cần Thơ")
    qtbot.waitUntil(lambda: dialog.state == "found" and dialog.answered == "Cần Thơ", timeout=15000)
    row = dialog.row("can tho")
    assert row.text() == f"{CAN_THO} — trạm · đã mời"
    assert row.checkState() == Qt.CheckState.Checked and not row.flags() & Qt.ItemFlag.ItemIsUserCheckable
    type_search(qtbot, dialog, "dong van")
    qtbot.waitUntil(lambda: dialog.state == "found" and dialog.answered == "dong van", timeout=15000)
    assert dialog.row("dong van").flags() & Qt.ItemFlag.ItemIsUserCheckable

    # The hub out of reach: said plainly, in the dialog; the window and the session go on.
    proxy.down = True
    proxy.cut()
    type_search(qtbot, dialog, "chợ rẫy")
    qtbot.waitUntil(lambda: dialog.state == "failed", timeout=30000)
    assert dialog.status.text().startswith("Không kết nối được máy chủ trung tâm")
    assert dialog.status.isVisible()
    # Back: typing again finds.
    proxy.down = False
    type_search(qtbot, dialog, "cho ray")
    qtbot.waitUntil(lambda: dialog.state == "found" and dialog.answered == "cho ray", timeout=30000)
    assert [dialog.results.item(i).text() for i in range(dialog.results.count())] == [
        "BS An — Bệnh viện Chợ Rẫy, Ung bướu"]
    dialog.reject()
    assert window.invite_dialog is None
    window.close()


REGISTER_HINT = ("Điểm cầu và chuyên gia chỉ hiện ở đây khi quản trị viên máy chủ trung tâm đã đăng ký họ "
                 "(máy trạm: lệnh diemcau-hub add-station).")


def test_a_hub_without_other_sites_says_how_sites_get_into_the_list(qtbot, tmp_path, live_hub, translations):
    """A fresh local hub knows only this station: "no match" alone left the doctor guessing (an outsider's
    finding); the dialog says that sites are there once the hub's administrator registers them, and how."""
    station = enrolled_meo_vac(live_hub, tmp_path / "01234", live_hub.url)  # the only site the hub knows
    try:
        case = submitted_case(station, tmp_path, slices=0)
        station.sync.run_once()
        window = live_window(qtbot, station, station.live.start(case.id).id)
        window.invite_button.click()
        dialog = window.invite_dialog
        type_search(qtbot, dialog, "Cần Thơ")
        qtbot.waitUntil(lambda: dialog.state == "empty", timeout=15000)
        assert dialog.status.text() == "Không có điểm cầu hay chuyên gia nào khớp với “Cần Thơ”. " + REGISTER_HINT
        assert dialog.status.isVisible() and dialog.results.count() == 0

        # The administrator registers Cần Thơ meanwhile; the same words typed again (or Enter) find it. The
        # dialog skipped a question it had answered before, so the old "no match" stayed (an outsider's finding).
        live_hub.register("station", facility="92001", name=CAN_THO)
        type_search(qtbot, dialog, "Cần Thơ")
        qtbot.waitUntil(lambda: dialog.state == "found", timeout=15000)
        assert dialog.results.item(0).text().startswith(CAN_THO)
        live_hub.register("station", facility="92002", name="Bệnh viện Nhi đồng Cần Thơ")
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.results.count() == 2, timeout=15000)
        dialog.reject()
        window.close()
    finally:
        station.close()


def test_whom_the_session_invited_is_shown_again_after_the_station_restarts(qtbot, tmp_path, live_hub, proxy,
                                                                             meo_vac, translations):
    """"Đã mời" was only what the window remembered of its own invitations: after a restart the window and the
    dialog said nothing of them (an outsider's finding). Both now say it from the hub's answer."""
    case = submitted_case(meo_vac, tmp_path, slices=0)
    meo_vac.sync.run_once()
    live = meo_vac.live.start(case.id)
    window = live_window(qtbot, meo_vac, live.id)
    choose(qtbot, window, ("can tho", "can tho"), ("bach mai", "lan")).invite_button.click()
    qtbot.waitUntil(lambda: window.note.text() == f"Đã mời: {CAN_THO}; PGS.TS Lan", timeout=15000)
    window.close()
    folder = meo_vac.paths.root
    meo_vac.close()

    again = Station(folder)  # the station restarted: nothing of the window is left but the hub's word
    try:
        window = live_window(qtbot, again, live.id)
        # Both named from the hub's answer: the site and the expert (once counted, '1 chuyên gia': the station
        # asked the directory by code, and an expert's id is no word it finds).
        qtbot.waitUntil(lambda: window.note.text() == f"Đã mời: {CAN_THO}; PGS.TS Lan", timeout=15000)
        window.invite_button.click()
        dialog = window.invite_dialog
        qtbot.waitUntil(lambda: dialog.invited.isVisible(), timeout=15000)
        assert dialog.invited.text() == f"Đã mời: {CAN_THO}; PGS.TS Lan"
        type_search(qtbot, dialog, "bach mai")
        qtbot.waitUntil(lambda: dialog.state == "found" and dialog.answered == "bach mai", timeout=15000)
        assert dialog.row("lan").text() == "PGS.TS Lan — Bệnh viện Bạch Mai, Tim mạch · đã mời"
        dialog.reject()
        assert window.note.text() == f"Đã mời: {CAN_THO}; PGS.TS Lan"
        window.close()
    finally:
        again.close()


def test_the_hub_s_refusals_of_invitations_are_said_in_words(qtbot, tmp_path, live_hub, proxy, meo_vac,
                                                                translations, monkeypatch):
    """The hub refuses an expert disabled between the search and "Mời" (422), and invitations past the session's
    limit (409 too-many-invited): the window read the hub's English words for the one and "this live consultation
    has ended" for the other (any 409 was taken for the end). Each now says what happened and what to do."""
    case = submitted_case(meo_vac, tmp_path, slices=0)
    meo_vac.sync.run_once()
    live = meo_vac.live.start(case.id)
    window = live_window(qtbot, meo_vac, live.id)

    dialog = choose(qtbot, window, ("can tho", "can tho"), ("bach mai", "lan"))
    with live_hub.engine.begin() as conn:  # the hub's administrator disables her account meanwhile
        accounts.disable(conn, accounts.by_login(conn, "bs.lan").id)
    dialog.invite_button.click()
    qtbot.waitUntil(lambda: window.note.text().startswith("Chưa mời ai"), timeout=15000)
    assert window.note.text() == ("Chưa mời ai: một chuyên gia đã chọn không còn mời được (tài khoản đã bị khóa "
                                  "hoặc xóa trên máy chủ trung tâm). Hãy tìm và chọn lại.")
    assert window.note.property("refused") is True  # said in red, not read as the list of those invited
    with live_hub.engine.begin() as conn:
        assert hub_live.session_json(conn, live.id)["invited"] == {"facilities": [], "people": []}

    # The session's limit, lowered in the hub (it runs in this process) so that the second invitation passes it.
    monkeypatch.setattr(hub_live, "MAX_SESSION_INVITED", 1)
    choose(qtbot, window, ("can tho", "can tho")).invite_button.click()
    qtbot.waitUntil(lambda: window.note.text() == f"Đã mời: {CAN_THO}", timeout=15000)
    assert window.note.property("refused") is False
    choose(qtbot, window, ("dong van", "dong van")).invite_button.click()
    qtbot.waitUntil(lambda: window.note.text().startswith("Chưa mời ai"), timeout=15000)
    words, detail = window.note.text().split("\n")
    assert words == ("Chưa mời ai: phiên hội chẩn trực tuyến này đã mời đủ số điểm cầu và chuyên gia tối đa mà máy "
                     "chủ trung tâm cho phép. Hãy chọn ít hơn, hoặc hỏi quản trị viên máy chủ trung tâm.")
    assert detail.startswith("Chi tiết kỹ thuật: a live consultation invites at most 1 sites and people in all")
    with live_hub.engine.begin() as conn:
        assert hub_live.session_json(conn, live.id)["invited"] == {"facilities": ["92001"], "people": []}
    window.close()
