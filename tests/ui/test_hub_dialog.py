"""Connecting the station to a real hub from the Tools menu: wrong code, no answer, then the right code."""

import pytest

from app.ui.hub_dialog import HubDialog
from app.ui.sync_controller import SyncController


@pytest.fixture
def controller(qtbot, station):
    made = SyncController(lambda: station.sync, local_hub=False)
    yield made
    made.shutdown()


def type_in(dialog, url, code):
    dialog.url.setText(url)
    dialog.code.setText(code)


def test_the_station_connects_to_a_hub_with_its_one_time_code(qtbot, controller, hub, station, translations):
    dialog = HubDialog(controller)
    qtbot.addWidget(dialog)
    assert dialog.current.text() == "Điểm cầu này chưa kết nối với trung tâm nào."
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    type_in(dialog, "hub.example", "abcdefgh")
    assert not ok.isEnabled()  # not an http(s) address

    type_in(dialog, hub.url, "not-the-code")
    ok.click()
    qtbot.waitUntil(lambda: dialog.busy.isHidden())
    assert "từ chối mã" in dialog.message.text() and station.sync.credential() is None

    type_in(dialog, "http://127.0.0.1:9", "abcdefgh")  # nothing listens there
    ok.click()
    qtbot.waitUntil(lambda: dialog.busy.isHidden())
    assert "không trả lời" in dialog.message.text()

    _, code = hub.register("station", facility="01234")
    type_in(dialog, hub.url, code)
    with qtbot.waitSignal(dialog.accepted, timeout=20000):
        ok.click()
    credential = station.sync.credential()
    assert credential.hub_url == hub.url and credential.facility == "01234" and not credential.embedded
    qtbot.waitUntil(lambda: controller.last_status is not None and controller.last_status.enrolled, timeout=20000)
