"""The inbox (server/console/views/inbox.py): what each person sees, in which order, filtered, how heavy."""

import re
import unicodedata

from app.domain.lifecycle import Urgency

from .support import ADDRESS, BHYT, CCCD, NAME, PHONE, aged, make_case, submit

ROW = re.compile(r'<tr class="u-[a-z]+" data-case="([^"]+)"')


def order(html: str) -> list[str]:
    return ROW.findall(html)


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)) \
        .replace("đ", "d").replace("Đ", "D").lower()


def test_a_submitted_case_reaches_the_routed_experts_inbox_only(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    routed = browser("tim.bachmai").get("/console/inbox")
    assert routed.status_code == 200
    assert case.id in order(routed.text)
    assert "chờ" in routed.text  # how long it has waited, in Vietnamese by default
    for other in (browser("phoi.bachmai", specialty="respiratory"), browser("tim.k", hospital="k")):
        page = other.get("/console/inbox")
        assert page.status_code == 200 and case.id not in page.text


def test_urgency_first_then_the_longest_waiting(hub, station_client, browser):
    routine_old = submit(station_client, aged(make_case(number=1), 30), "0100A")
    urgent_new = submit(station_client, aged(make_case(urgency=Urgency.URGENT, number=2), 1), "0100A")
    emergency = submit(station_client, aged(make_case(urgency=Urgency.EMERGENCY, number=3), 0.2), "0100A")
    urgent_old = submit(station_client, aged(make_case(urgency=Urgency.URGENT, number=4), 5), "0100A")
    page = browser("tim.bachmai").get("/console/")
    assert order(page.text) == [emergency.id, urgent_old.id, urgent_new.id, routine_old.id]
    assert "Cấp cứu" in page.text and "Khẩn" in page.text and "Thường" in page.text
    assert re.search(r"chờ 5 giờ \d+ phút", page.text)
    assert re.search(r"chờ 1 ngày 6 giờ", page.text)


def test_filters_by_facility_waiting_and_status_and_a_bad_number_is_shown_on_its_field(hub, station_client, enrolled,
                                                                                     browser):
    here = submit(station_client, aged(make_case(number=1), 10), "0100A")
    other_station = enrolled(hub, "station", facility="0200B")
    there = submit(other_station, aged(make_case(number=7), 1), "0200B")
    expert = browser("tim.bachmai")
    assert order(expert.get("/console/inbox", params={"facility": "0200B"}).text) == [there.id]
    assert order(expert.get("/console/inbox", params={"waiting": "5"}).text) == [here.id]
    assert set(order(expert.get("/console/inbox", params={"status": "requested"}).text)) == {here.id, there.id}
    assert order(expert.get("/console/inbox", params={"status": "completed"}).text) == []
    assert order(expert.get("/console/inbox", params={"specialty": "respiratory"}).text) == []
    bad = expert.get("/console/inbox", params={"waiting": "năm"})
    assert bad.status_code == 400
    assert 'name="waiting" value="năm"' in bad.text and 'aria-invalid="true"' in bad.text
    assert "Nhập số giờ" in bad.text  # the message on the field, in the person's language
    hostile = expert.get("/console/inbox", params={"facility": "<b>"})
    assert hostile.status_code == 400 and "&lt;B&gt;" in hostile.text and "<B>" not in hostile.text


def test_rows_refresh_without_reloading_and_urgent_arrivals_alert(hub, station_client, browser):
    expert = browser("tim.bachmai")
    page = expert.get("/console/inbox")
    assert 'hx-get="/console/inbox/rows"' in page.text
    assert "every 20s" in page.text and "inbox-changed from:body" in page.text  # the push hook
    case = submit(station_client, make_case(urgency=Urgency.EMERGENCY), "0100A")
    rows = expert.get("/console/inbox/rows")
    assert rows.status_code == 200 and case.id in rows.text and "<html" not in rows.text.lower()
    assert 'data-urgency="stat"' in rows.text
    script = expert.get("/console/static/inbox-alert.js")
    assert script.status_code == 200
    assert "Notification" in script.text and "AudioContext" in script.text and "createOscillator" in script.text


def test_inbox_with_50_rows_weighs_under_150_kb_with_its_assets(hub, station_client, browser):
    resources = []
    for n in range(50):
        case = aged(make_case(number=n + 1, urgency=(Urgency.ROUTINE, Urgency.URGENT)[n % 2],
                              question="Xin ý kiến: " + "đau ngực, khó thở, " * 6), n)
        resources.append(case)
        submit(station_client, case, "0100A")
    expert = browser("tim.bachmai")
    page = expert.get("/console/inbox")
    assert len(order(page.text)) == 50
    total = len(page.content)
    assets = set(re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', page.text))
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        response = expert.get(asset)
        assert response.status_code == 200, asset
        total += len(response.content)
    assert total < 150_000, f"{total} bytes"


def test_a_foreign_experts_inbox_names_no_patient(hub, station_client, browser):
    case = submit(station_client, make_case(hospital="k", specialty="oncology", abroad=True), "0100A")
    html = browser("onco.paris", hospital="k", specialty="oncology", foreign=True, language="fr") \
        .get("/console/inbox").text
    assert case.id in html
    for secret in (NAME, CCCD, BHYT, PHONE, ADDRESS, "Nhung", "Hong Nhung"):
        assert fold(secret) not in fold(html), secret


def test_inbox_speaks_vietnamese_english_and_french(hub, station_client, browser):
    submit(station_client, make_case(urgency=Urgency.URGENT), "0100A")
    words = {"vi": ("Chờ quá (giờ)", "Khẩn", "Lọc", "Mức độ khẩn"),
             "en": ("Waiting more than (hours)", "Urgent", "Filter"),
             "fr": ("En attente depuis plus de (heures)", "Urgent", "Filtrer", "Spécialité")}
    for language, expected in words.items():
        html = browser(f"tim.{language}", language=language).get("/console/inbox").text
        for word in expected:
            assert word in html, (language, word)
    assert "Chờ quá" not in browser("tim.fr2", language="fr").get("/console/inbox").text


RECORD_ALERTS = """
window.__alerts = {notifications: [], tones: 0};
window.Notification = function (title, options) { window.__alerts.notifications.push([title, options.body]); };
window.Notification.permission = "granted";
window.Notification.requestPermission = function () { return Promise.resolve("granted"); };
const created = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () { window.__alerts.tones += 1; return created.call(this); };
"""


def test_in_a_browser_an_emergency_arriving_appears_without_reload_and_alerts(hub, station_client, person):
    from tests.support.browser import chromium, new_page, sign_in

    from .support import PASSWORD

    submit(station_client, make_case(number=1), "0100A")
    person("tim.bachmai")
    with chromium() as browser:
        page = new_page(browser)
        page.add_init_script(RECORD_ALERTS)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, hub.url, "tim.bachmai", PASSWORD)
        page.goto(f"{hub.url}/console/inbox")
        assert page.locator("#inbox-rows tr[data-case]").count() == 1
        page.locator("h1").click()  # the gesture that unlocks sound
        page.wait_for_function("document.body.dataset.push === 'open'", timeout=10_000)  # the hub's push stream
        urgent = submit(station_client, make_case(number=2, urgency=Urgency.EMERGENCY,
                                                  question="Ngừng tuần hoàn nghi do nhồi máu cơ tim"), "0100A")
        # Well before the 20 s poll: the push brought it.
        page.locator(f"#inbox-rows tr[data-case='{urgent.id}']").wait_for(timeout=10_000)
        page.wait_for_function("window.__alerts.notifications.length > 0", timeout=10_000)
        alerts = page.evaluate("window.__alerts")
        assert alerts["tones"] >= 1
        assert alerts["notifications"][0][0].startswith("Cấp cứu")
        assert alerts["notifications"][0][1] == "Ngừng tuần hoàn nghi do nhồi máu cơ tim"  # the question, as the row
        assert page.locator("#inbox-rows tr[data-case]").first.get_attribute("data-case") == urgent.id
        assert errors == []
