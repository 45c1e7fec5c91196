"""The sync controller passes at once when the hub pushes news, and leaves no listener behind."""

import threading
import uuid

from app.sync.hub_client import HubClient, enroll
from app.wire import consultation as wire
from tests.support.cases import submitted_case


def listener_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("push-")]


def test_a_pushed_question_is_synced_at_once_without_the_timer(qtbot, window, station, hub, tmp_path):
    from app.ui.sync_controller import SyncController

    _, code = hub.register("station", facility="01234")
    station.sync.enroll(hub.url, code)
    expert = HubClient(enroll(hub.url, hub.register("expert", hospital="bachmai", specialty="cardiology")[1]))
    case = submitted_case(station, tmp_path, slices=0)
    controller = SyncController(lambda: station.sync, interval_ms=10**9, local_hub=False, parent=window)
    try:
        with qtbot.waitSignal(controller.sync_finished, timeout=30000):
            controller.start()  # the start's pass sends the case
        qtbot.waitUntil(lambda: controller.push is not None and controller.push.connected.is_set(), timeout=10000)
        sent = wire.message(str(uuid.uuid4()), case.id, case.patient.id, wire.QUESTION, "Có sốt không?",
                            "2026-11-29T10:00:00+07:00")
        with qtbot.waitSignal(controller.sync_finished, timeout=10000):  # no timer: only push makes this pass
            expert.put(sent)
        qtbot.waitUntil(lambda: any(m.id == sent["id"] for m in station.sync.messages(case.id)), timeout=10000)
    finally:
        qtbot.waitUntil(lambda: not controller._busy, timeout=20000)
        controller.shutdown()
        expert.close()
    assert controller.push is None and listener_threads() == []
