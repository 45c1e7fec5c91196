"""Tools → expert console (local hub): a trial expert for the case's hospital and specialty, a login that works."""

import pytest

from app.ui.console_dialog import LocalConsoleDialog
from app.ui.sync_controller import SyncController
from tests.integration.hub.console_client import Console


@pytest.fixture
def local(qtbot, station):
    hub = station.sync.start_local_hub()
    controller = SyncController(lambda: station.sync, local_hub=False)
    controller.local_hub = hub
    yield controller
    controller.shutdown()
    hub.stop()


def test_the_dialog_makes_a_trial_expert_who_can_sign_in(qtbot, local, translations):
    dialog = LocalConsoleDialog(local, "vi", hospital="k", specialty="oncology")
    qtbot.addWidget(dialog)
    assert dialog.hospital.currentText() == "Bệnh viện K" and dialog.specialty.currentData() == "oncology"
    assert dialog.address.text().endswith("/console") and not dialog.open_button.isEnabled()
    assert dialog.windowTitle() == "Bảng điều khiển chuyên gia (trung tâm cục bộ)"
    dialog.make_button.click()
    qtbot.waitUntil(lambda: dialog.password.text() != "", timeout=30000)
    assert dialog.login.text() == "thu.k.oncology" and dialog.open_button.isEnabled()
    browser = Console(local.local_hub)
    try:
        assert browser.login(dialog.login.text(), dialog.password.text()).status_code == 303
    finally:
        browser.close()
    dialog.specialty.setCurrentIndex(dialog.specialty.findData("radiology"))
    assert dialog.password.text() == "" and not dialog.open_button.isEnabled()  # another person's, not shown
