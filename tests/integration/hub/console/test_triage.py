"""Triage (server/console/views/triage.py): assign, reassign, decline with a reason, accept; conflicts; CSRF."""

import re

from app.wire import consultation as wire
from app.wire import mapping

from .support import make_case, station_messages, submit


def task_status(station, case) -> str:
    return station.read("Task", mapping.task_id(case.id))["status"]


def changes(station, case) -> list:
    return [m for m in (wire.read_message(r) for r in station_messages(station, case.id)) if m.change]


def test_a_coordinator_assigns_and_reassigns_to_experts_of_the_hospital_and_specialty(hub, station_client, person,
                                                                                      browser):
    case = submit(station_client, make_case(), "0100A")
    person("tim.a", name="Trần Văn An", title="PGS.TS")
    person("tim.b", name="Lê Thị Bình", title="TS")
    person("phoi.c", name="Phạm Hô Hấp", specialty="respiratory")
    person("k.d", name="Đỗ Ung Bướu", hospital="k")
    coordinator = browser("dieuphoi.bachmai", role="coordinator", specialty="")
    page = coordinator.get(f"/console/cases/{case.id}")
    assert page.status_code == 200
    options = dict((label.strip(), value) for value, label in
                   re.findall(r'<option value="([^"]+)">([^<]+)</option>', page.text.split('name="assignee"')[1]
                              .split("</select>")[0]))
    assert {"PGS.TS Trần Văn An", "TS Lê Thị Bình"} <= set(options)
    assert not any("Phạm Hô Hấp" in k or "Đỗ Ung Bướu" in k for k in options)
    done = coordinator.post(f"/console/cases/{case.id}/assign", {"assignee": options["PGS.TS Trần Văn An"]})
    assert done.status_code == 303
    coordinator.get(f"/console/cases/{case.id}")
    again = coordinator.post(f"/console/cases/{case.id}/assign", {"assignee": options["TS Lê Thị Bình"]})
    assert again.status_code == 303
    assigned = [m for m in changes(station_client, case) if m.change == wire.ASSIGNED]
    assert [m.assignee for m in assigned][-1].endswith("Lê Thị Bình") and len(assigned) == 2
    html = coordinator.get(f"/console/cases/{case.id}").text
    assert "Trần Văn An" in html and "Lê Thị Bình" in html
    unknown = coordinator.post(f"/console/cases/{case.id}/assign", {"assignee": "someone-else"})
    assert unknown.status_code == 400 and 'class="field-error"' in unknown.text


def test_declining_needs_a_reason_which_the_station_reads(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    coordinator = browser("dieuphoi.bachmai", role="coordinator", specialty="")
    coordinator.get(f"/console/cases/{case.id}")
    empty = coordinator.post(f"/console/cases/{case.id}/decline", {"reason": "   "})
    assert empty.status_code == 400 and "Hãy ghi lý do" in empty.text
    assert task_status(station_client, case) == "requested"
    reason = "Ca bệnh thuộc chuyên khoa Hô hấp: xin gửi lại cho khoa Hô hấp."
    assert coordinator.post(f"/console/cases/{case.id}/decline", {"reason": reason}).status_code == 303
    assert task_status(station_client, case) == "rejected"
    declined = [m for m in changes(station_client, case) if m.change == wire.DECLINED]
    assert declined and reason in declined[0].text


def test_the_routed_expert_accepts_but_may_not_assign_or_decline(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    page = expert.get(f"/console/cases/{case.id}")
    assert "/accept" in page.text and "/decline" not in page.text
    assert expert.post(f"/console/cases/{case.id}/decline", {"reason": "Không"}).status_code == 403
    assert expert.post(f"/console/cases/{case.id}/accept").status_code == 303
    assert task_status(station_client, case) == "accepted"
    assert any(m.change == wire.ACCEPTED for m in changes(station_client, case))


def test_a_late_click_after_someone_else_moved_the_case_is_shown_as_a_conflict(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    first, second = browser("dieuphoi.1", role="coordinator", specialty=""), browser("tim.bachmai")
    first.get(f"/console/cases/{case.id}")
    second.get(f"/console/cases/{case.id}")
    shown = re.search(r'name="version" value="([^"]*)"', second.get(f"/console/cases/{case.id}").text)[1]
    assert first.post(f"/console/cases/{case.id}/decline", {"reason": "Đã chuyển tuyến khác."}).status_code == 303
    late = second.post(f"/console/cases/{case.id}/accept", {"version": shown})
    assert late.status_code == 409
    assert "Người khác đã thay đổi ca này trước" in late.text
    assert task_status(station_client, case) == "rejected"


def test_triage_posts_without_the_csrf_token_are_refused(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    coordinator = browser("dieuphoi.bachmai", role="coordinator", specialty="")
    coordinator.get(f"/console/cases/{case.id}")
    for action, data in (("accept", {}), ("decline", {"reason": "Lý do"}), ("assign", {"assignee": "x"})):
        assert coordinator.post(f"/console/cases/{case.id}/{action}", data, csrf=False).status_code in (400, 403)
    assert task_status(station_client, case) == "requested"
