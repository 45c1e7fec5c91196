"""The state of cases and of the link is shown as it changes, and never overstated."""

from app.domain.case import ConsultationCase, Patient
from app.domain.lifecycle import Status
from app.services.sync import SyncStatus
from app.sync.engine import SyncReport
from app.ui.texts import status_name
from tests.ui.test_case_actions import answer_question


def sent_case(station, name="Lò Văn Páo"):
    from tests.unit.services.test_cases import complete

    cases = station.cases
    case = cases.save_draft(complete(cases.create_case(ConsultationCase(patient=Patient(full_name=name)))))
    return cases.submit(cases.mark_ready(case.id).id)


def test_a_sync_result_updates_the_list_and_the_open_case_at_once(qtbot, window, station):
    case = sent_case(station)
    window.case_list.refresh()
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 1)
    window.open_case(case.id)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None)
    assert window.editor.status_badge.text() == status_name(Status.SUBMITTED)
    station.cases.record_status(case.id, Status.SYNCED)  # what the sync engine records
    window.on_sync_finished(SyncReport(online=True, sent_rows=2, synced_cases=[case.id]))
    cell = lambda: window.case_list.model.index(0, window.case_list.model.COLUMNS.index("status")).data()  # noqa: E731
    qtbot.waitUntil(lambda: cell().startswith(status_name(Status.SYNCED)), timeout=10000)
    qtbot.waitUntil(lambda: window.editor.status_badge.text() == status_name(Status.SYNCED), timeout=10000)
    assert window.editor.case.status is Status.SYNCED


def test_a_station_on_its_local_hub_says_the_cases_are_still_here(window):
    window.on_sync_status(SyncStatus(enrolled=True, local_only=True, hub_url="http://127.0.0.1:8765"))
    window.sync_state.set_online(True)
    text = window.sync_state.label.text()
    assert text.startswith("Chưa kết nối trung tâm — hồ sơ đang giữ trên máy này")
    assert "Đã gửi hết" not in text


def test_closing_a_case_does_not_say_everything_is_sent_while_the_change_waits(qtbot, window, station, hub):
    from app.ui.sync_controller import SyncController

    _, code = hub.register("station", facility="01234")
    station.sync.enroll(hub.url, code)
    case = sent_case(station)
    station.sync.run_once(force=True)  # the hub has the case
    hub.stop()  # the link goes down: the close waits in the outbox
    station.cases.record_status(case.id, Status.ANSWERED)
    controller = SyncController(lambda: station.sync, local_hub=False, parent=window)
    window.attach_sync(controller)
    with qtbot.waitSignal(controller.status_changed, timeout=10000):
        controller.refresh_status()
    window.sync_state.set_online(True)
    assert window.sync_state.label.text().startswith("Đã gửi hết")
    shown = []
    controller.status_changed.connect(lambda _status: shown.append(window.sync_state.label.text()))
    window.open_case(case.id)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None)
    seen = []
    answer_question(qtbot, "Đóng hồ sơ", seen)
    with qtbot.waitSignal(controller.status_changed, timeout=10000):
        window.editor.close_button.click()
    assert "Chưa gửi: 1" in shown[0] and "Đã gửi hết" not in shown[0]
    qtbot.waitUntil(lambda: not controller._busy, timeout=20000)
    controller.shutdown()


def test_sync_now_while_offline_says_so(qtbot, window, station, hub):
    from app.ui.sync_controller import SyncController

    _, code = hub.register("station", facility="01234")
    station.sync.enroll(hub.url, code)
    hub.stop()
    controller = SyncController(lambda: station.sync, local_hub=False, parent=window)
    window.attach_sync(controller)
    with qtbot.waitSignal(controller.sync_finished, timeout=30000):
        window.sync_action.trigger()
    assert window.statusBar().currentMessage().startswith("Không kết nối được với trung tâm")
    controller.shutdown()


def test_on_the_local_hub_a_synced_case_is_not_said_to_be_at_the_centre(qtbot, window, station):
    case = sent_case(station)
    station.cases.record_status(case.id, Status.SYNCED)
    window.on_sync_status(SyncStatus(enrolled=True, local_only=True))
    window.case_list.refresh()
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 1)
    cell = window.case_list.model.index(0, window.case_list.model.COLUMNS.index("status")).data()
    assert cell.startswith("Đã gửi (giữ trên máy này)")
    window.open_case(case.id)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None)
    assert window.editor.status_badge.text() == "Đã gửi (giữ trên máy này)"


def test_a_sync_asked_for_during_a_pass_runs_after_it(qtbot, window, station, hub):
    """A reply sent while a pass runs goes in the next pass at once, not at the minute's tick."""
    from app.ui.sync_controller import SyncController

    _, code = hub.register("station", facility="01234")
    station.sync.enroll(hub.url, code)
    controller = SyncController(lambda: station.sync, interval_ms=3_600_000, local_hub=False, parent=window)
    passes = []
    controller.sync_finished.connect(passes.append)
    controller.sync_now(force=False)
    controller.sync_now(force=True)  # the doctor sent something: the running pass may have read the outbox already
    qtbot.waitUntil(lambda: len(passes) == 2 and not controller._busy, timeout=30000)
    controller.shutdown()
