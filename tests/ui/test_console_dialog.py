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


def test_the_tools_menu_opens_it_for_the_open_case(qtbot, window, station, local):
    """Công cụ → Bảng điều khiển chuyên gia with a case open offers that case's hospital and specialty as the
    form shows them (it raised "'ConsultationCase' object is not callable" whenever a case was open)."""
    from dataclasses import replace

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    case = station.cases.save_draft(replace(station.cases.create_case(), hospital="bachmai", specialty="neurology"))
    window.sync = local
    window.open_case(case.id)
    qtbot.waitUntil(lambda: window.editor is not None and getattr(window.editor.case, "id", None) == case.id)
    for name, code in (("hospital", "k"), ("specialty", "oncology")):  # chosen in the form since it was opened
        combo = window.editor.inputs[name]
        combo.setCurrentIndex(combo.findData(code))
    seen = []

    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LocalConsoleDialog):
            QTimer.singleShot(50, answer)
            return
        seen.append((dialog.hospital.currentData(), dialog.specialty.currentData()))
        dialog.reject()

    QTimer.singleShot(0, answer)
    window.console_action.trigger()
    assert seen == [("k", "oncology")]
