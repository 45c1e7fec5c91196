import json

from app.services.settings import Settings
from app.ui.check_dialog import CheckDialog
from tests.support.link_server import LinkServer


def test_a_check_shows_each_part_graded_and_exports(qtbot, runner, station, video_file, microphone_source,
                                                   translations, tmp_path):
    server = LinkServer()
    settings = Settings(camera=str(video_file), microphone="pulse", speaker="pulse", check_url=server.url)
    dialog = CheckDialog(station.checks, lambda: settings, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        with qtbot.waitSignal(runner.idle, timeout=60000):
            dialog.run_button.click()
    finally:
        server.close()
    assert dialog.summary.text() == "Điểm cầu đã sẵn sàng cho phiên hội chẩn."
    parts = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert parts == ["Camera", "Micro", "Loa", "Đường truyền"]
    assert all(dialog.table.item(r, 1).text() == "Tốt" for r in range(4))
    assert dialog.table.item(0, 2).text().startswith("Camera hoạt động tốt")
    target = tmp_path / "ket-qua.json"
    with qtbot.waitSignal(runner.idle, timeout=10000):
        dialog.export(str(target))
    assert json.loads(target.read_text(encoding="utf-8"))[0]["fit"] is True


def test_an_unfit_station_says_so(qtbot, runner, station, translations):
    dialog = CheckDialog(station.checks, lambda: Settings(camera="9", microphone="no such mic",
                                                         speaker="no such speaker"), runner)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(runner.idle, timeout=60000):
        dialog.run_check()
    assert dialog.summary.text().startswith("Điểm cầu CHƯA sẵn sàng")
    assert dialog.table.item(0, 1).text() == "Không đạt"
