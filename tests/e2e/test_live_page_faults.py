"""A central expert's live page as a person uses it beyond the call itself: two tabs, a tab closed without
*Rời phiên*, a browser killed, the page's sign-in gone or the link down as she answers.

Real parts: the hub with its own Janus, a station joined with app.live.LiveSession, Debian's Chromium."""

import os
import signal
import time
from pathlib import Path

import pytest

from tests.integration.live.conftest import numbered_video  # noqa: F401 (a fixture)
from tests.support.browser import ARGS, CHROMIUM, WEBRTC_ARGS

from .test_live_browser import (  # noqa: F401 (fixtures)
    STATION, browser, camera, ct_case, expert_joined, sessions, signed_in_page, station, station_joined, tile_playing,
    wait_until)
from .test_viewer import make_person


def test_an_expert_who_closes_one_of_two_tabs_stays_in_the_session_with_the_other(  # noqa: F811 (fixtures)
        browser, live_hub, station, ct_case, camera, sessions):  # noqa: F811
    """Closing a tab said "leave" for the person, not the tab: the hub took every join of hers out of the room,
    so her other tab went on saying "joined" while nobody saw or heard her. A tab now leaves as itself; and a
    page taken out of the room says so instead of staying "joined"."""
    from server.console import accounts
    from server.live import service

    case_id, _, _ = ct_case
    expert = make_person(live_hub, "bs.nga", "bachmai")
    live_id = station.start_live(case_id)["id"]
    seen = station_joined(station, live_id, camera, sessions)
    tabs = [expert_joined(browser, live_hub, expert, live_id) for _ in range(2)]
    display = tabs[0].evaluate("() => document.querySelector('.tile.mine').dataset.display")

    def hers():
        return [p for p in seen.participants.values() if p.display == display]

    def open_rows():
        rows = station.live_attendance(live_id)["attendance"]
        return [r for r in rows if r["display"] == display and not r["left_at"]]

    seen.wait(lambda: len(hers()) == 2, 20, "both tabs in the station's room")
    wait_until(lambda: len(open_rows()) == 2, 20, "both tabs in the attendance")

    # A third tab that never got in (the video server away: the page tries again) and is left: nothing of
    # hers leaves with it (it named no join, and no join means every one of hers at the hub).
    never = signed_in_page(browser, live_hub, expert)
    never.route("**/join", lambda route: route.fulfill(status=503, json={"code": "sfu-unavailable"}))
    never.goto(f"{live_hub.url}/console/live/{live_id}")
    never.wait_for_selector("#live[data-state=failed]", timeout=20_000)
    never.click("#leave")
    never.wait_for_url(f"**/console/cases/{case_id}", timeout=20_000)
    never.context.close()
    time.sleep(2)  # a leave of hers would have reached Janus by now
    assert len(hers()) == 2 and len(open_rows()) == 2

    tabs[0].close(run_before_unload=True)  # the tab closed, without "Rời phiên"
    wait_until(lambda: len(open_rows()) == 1, 20, "the closed tab's attendance closed")
    seen.wait(lambda: len(hers()) == 1, 20, "the closed tab gone from the station's tiles")
    time.sleep(3)  # what the hub's leave does to Janus is done by now: the other tab is still in the room
    assert len(hers()) == 1 and len(open_rows()) == 1
    assert tabs[1].get_attribute("#live", "data-state") == "joined"
    tile_playing(tabs[1], STATION)

    # Taken out of the room (the hub's leave of every join of hers, as an older page or an API client asks it):
    # the page says so, and does not come back by itself.
    with live_hub.engine.begin() as conn:
        service.leave(conn, accounts.by_login(conn, expert.login).principal, live_hub.config, live_id)
    tabs[1].wait_for_selector("#live[data-state=removed]", timeout=20_000)
    assert tabs[1].inner_text("#live-status") == ("Cửa sổ này đã bị đưa ra khỏi phiên hội chẩn trực tuyến. "
                                                  "Nếu vẫn được mời, hãy tải lại trang để tham gia lại.")
    # Its call's controls no longer pretend to work (a raised hand went nowhere); leaving still does.
    for control in ("#hand", "#quality", "#mute", "#camera"):
        assert tabs[1].is_disabled(control), control
    assert tabs[1].is_enabled("#leave")
    seen.wait(lambda: not hers(), 20, "her gone from the station's tiles")
    time.sleep(5)  # the page's reconnection would have joined again by now (it retries after 3 s)
    assert tabs[1].get_attribute("#live", "data-state") == "removed" and not hers()
    tabs[1].context.close()


def test_an_expert_leaving_leaves_the_station_present_and_its_refusal_to_record_standing(  # noqa: F811 (fixtures)
        browser, live_hub, station, ct_case, camera, sessions):  # noqa: F811
    """The station drops its subscription to whoever leaves; Janus tells the hub that the station's handle was
    detached, and the hub took that for the station leaving: its attendance closed while it sat in the room, so
    a recording asked afterwards counted nobody present, ignored its refusal and recorded it (an outsider's
    finding). Only the participant's own leaving (or its Janus session's end) closes its attendance."""
    case_id, _, _ = ct_case
    expert = make_person(live_hub, "bs.ghi.hinh", "bachmai")
    live_id = station.start_live(case_id)["id"]
    station_joined(station, live_id, camera, sessions)
    page = expert_joined(browser, live_hub, expert, live_id)

    def open_rows():
        return {r["display"] for r in station.live_attendance(live_id)["attendance"] if not r["left_at"]}

    wait_until(lambda: STATION in open_rows() and len(open_rows()) == 2, 20, "both in the attendance")
    station.live_consent(live_id, False)  # the district site does not want to be recorded
    page.click("#leave")
    wait_until(lambda: open_rows() == {STATION}, 20, "the expert's attendance closed")
    time.sleep(3)  # the station's subscription to the expert is gone by now (its handle detached)
    assert open_rows() == {STATION}
    # The case's coordinator asks for the recording: the station, present and not agreeing, holds it up.
    from server.console import accounts
    from server.live.recording import ask_recording

    coordinator = make_person(live_hub, "dieu.phoi", "bachmai", role="coordinator")
    with live_hub.engine.begin() as conn:
        asked = ask_recording(conn, accounts.by_login(conn, coordinator.login).principal, live_id, True, live_hub)
    assert asked["recording"]["state"] != "on", asked["recording"]
    assert [m["display"] for m in asked["recording"]["declined"]] == [STATION], asked["recording"]


def test_the_live_page_s_own_calls_say_why_they_failed(  # noqa: F811 (fixtures)
        browser, live_hub, station, ct_case, camera, sessions):  # noqa: F811
    """The live page's join, consent and recording are its own fetch calls, outside htmx: a consent without an
    answer, or refused because the expert signed out or in again in another tab, did nothing; a join refused for
    the page's old sign-in said "you are not invited". Each now says why, as every page of the console does."""
    from tests.integration.hub.console.test_request_alerts import EXPIRED, NO_ANSWER, SIGNED_OUT
    from tests.support.browser import sign_in

    case_id, _, _ = ct_case
    expert = make_person(live_hub, "bs.khoa", "bachmai")
    live_id = station.start_live(case_id)["id"]
    station_joined(station, live_id, camera, sessions)
    page = expert_joined(browser, live_hub, expert, live_id)
    alert = page.locator("#request-alert")
    station._live("POST", f"/live/{live_id}/recording", {"on": True})
    page.wait_for_selector("#consent:not([hidden])", timeout=15_000)

    # No answer (the link dropped as she clicked): said; the question stays; once it goes through, unsaid.
    page.route("**/consent", lambda route: route.abort())
    page.click("#agree")
    page.locator("#request-alert:not([hidden])").wait_for()
    assert alert.inner_text() == NO_ANSWER["vi"] and page.is_visible("#consent")
    page.unroute("**/consent")

    # Signed out in another tab: her answer is refused, and the page says she was signed out.
    other = page.context.new_page()
    other.goto(f"{live_hub.url}/console/inbox")
    with other.expect_navigation():
        other.locator("form.signout [type=submit]").click()
    page.click("#agree")
    page.locator("#request-alert", has_text=SIGNED_OUT).wait_for()
    # Signed in again there: this page's token is the old session's.
    sign_in(other, live_hub.url, expert.login, expert.password)
    page.click("#agree")
    page.locator("#request-alert", has_text=EXPIRED).wait_for()
    assert page.is_visible("#consent") and page.get_attribute("#live", "data-recording") != "on"

    # Reloaded, it joins again and her answer goes through; the message goes.
    page.reload()
    page.wait_for_selector("#live[data-state=joined]", timeout=20_000)
    page.wait_for_selector("#consent:not([hidden])", timeout=15_000)
    page.click("#agree")
    page.wait_for_selector("#live[data-recording=on]", timeout=15_000)
    assert not alert.is_visible()

    # "Rời phiên" with the link down: the page says she has left (not the browser's error page), and goes back
    # to the case once the link returns.
    page.context.set_offline(True)
    page.click("#leave")
    page.wait_for_selector("#live-status:has-text('Bạn đã rời phiên. Hiện không có kết nối')", timeout=15_000)
    assert f"/console/live/{live_id}" in page.url and page.get_attribute("#live", "data-state") == "left"
    page.context.set_offline(False)
    page.wait_for_url(f"**/console/cases/{case_id}", timeout=20_000)

    # A join refused for the page's old sign-in (its CSRF token): said so, and not "you are not invited".
    page.route("**/join", lambda route: route.continue_(headers={**route.request.headers, "x-csrf-token": "old"}))
    page.goto(f"{live_hub.url}/console/live/{live_id}")
    page.wait_for_selector("#live[data-state=failed]", timeout=20_000)
    assert alert.inner_text() == EXPIRED
    assert "không được mời" not in page.inner_text("#live-status")
    page.context.close()


@pytest.mark.soak
def test_a_browser_killed_in_the_session_leaves_the_others_screens_once_the_video_server_times_it_out(
        browser, live_hub, station, ct_case, camera, sessions):  # noqa: F811 (fixtures)
    """No page event comes from a browser that is killed (or a PC without power): Janus's session timeout
    (30 s, docs/live.md) ends its session, and the hub's attendance closes with it. How long it took is printed,
    not asserted (a loaded machine is slower); the wait allows twice the timeout. Half a minute of waiting for
    Janus: it runs with `make soak`, beside the long fault campaign, to keep `make test` under 20 minutes."""
    if "DIEMCAU_SOAK_SECONDS" not in os.environ:
        pytest.skip("waits for Janus's 30 s session timeout: runs with `make soak`")
    case_id, _, _ = ct_case
    expert = make_person(live_hub, "bs.mat.dien", "bachmai")
    live_id = station.start_live(case_id)["id"]
    seen = station_joined(station, live_id, camera, sessions)
    before = _chromium_browsers()
    # A browser of its own, killed; launched through the module's Playwright (one per thread).
    own = browser.browser_type.launch(executable_path=CHROMIUM, args=[*ARGS, *WEBRTC_ARGS], headless=True)
    try:
        page = expert_joined(own, live_hub, expert, live_id)
        display = page.evaluate("() => document.querySelector('.tile.mine').dataset.display")
        seen.wait(lambda: seen.by_display(display) is not None, 20, "the expert at the station")
        (pid,) = _chromium_browsers() - before
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        seen.wait(lambda: seen.by_display(display) is None, 60, "the killed browser's tile gone")
        gone_after = time.monotonic() - killed
        wait_until(lambda: all(r["left_at"] for r in station.live_attendance(live_id)["attendance"]
                               if r["display"] == display), 20, "its attendance closed")
    finally:
        own.close()
    print(f"\nkilled browser's tile gone after {gone_after:.1f} s")


def _chromium_browsers() -> set[int]:
    """The pids of the Chromium browser processes this test process started (through Playwright's driver):
    not their renderers and helpers (which have a --type), nor another test process's browsers."""

    def parent(pid: int) -> int:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])

    def ours(pid: int) -> bool:
        while pid > 1:
            pid = parent(pid)
            if pid == os.getpid():
                return True
        return False

    found = set()
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if argv and argv[0].endswith(b"/chromium") and not any(a.startswith(b"--type=") for a in argv) \
                    and ours(int(entry.name)):
                found.add(int(entry.name))
        except (OSError, ValueError):  # gone meanwhile, or not a process
            continue
    return found
