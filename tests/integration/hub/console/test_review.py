"""What a central expert reading the console asked for: names instead of codes, vital signs in a clinical order
in the page's language, the question in the inbox, the signed conclusion on the case page, the case beside the
conclusion editor, the imaging described, issue blocks added without reloading the page."""

import re

from server.console.views import case as case_view

from .support import NAME, PASSWORD, make_case, submit
from .test_conclusion import EDITOR, draft_id_of, form
from .test_inbox import fold


def test_pages_name_the_hospital_and_the_specialty_not_their_codes(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai", name="Trần Văn Tim")
    expert.post(f"/console/cases/{case.id}/messages", {"kind": "note", "text": "Đã xem."})
    for path in ("/console/inbox", f"/console/cases/{case.id}"):
        html = expert.get(path).text
        assert "Bệnh viện Bạch Mai" in html and "Tim mạch" in html, path
        assert "bachmai" not in html and "cardiology" not in html.replace('value="cardiology"', ""), path
    thread = expert.get(f"/console/cases/{case.id}").text
    assert "BSCKII · Bệnh viện Bạch Mai · Tim mạch" in thread  # the note's author line
    en = browser("tim.en", language="en").get(f"/console/cases/{case.id}").text
    assert "Bach Mai Hospital" in en and "Cardiology" in en
    fr = browser("tim.fr", language="fr").get("/console/inbox").text
    assert "Hôpital Bach Mai" in fr and "Cardiologie" in fr


def vitals_line(html: str) -> str:
    return re.search(r'<dd class="vitals">(.*?)</dd>', html, re.S)[1]


def test_vital_signs_in_clinical_order_with_units_and_numbers_of_the_page(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    vi = vitals_line(browser("tim.bachmai").get(f"/console/cases/{case.id}").text)
    assert "37,2 °C" in vi and "96 lần/phút" in vi and "150/90 mmHg" in vi and "95 %" in vi
    assert vi.index("Mạch") < vi.index("Huyết áp") < vi.index("Nhiệt độ") < vi.index("SpO")
    assert "/min" not in vi and "37.2" not in vi
    en = vitals_line(browser("tim.en", language="en").get(f"/console/cases/{case.id}").text)
    assert "37.2 °C" in en and "96 /min" in en
    assert en.index("Pulse") < en.index("Blood pressure") < en.index("Temperature") < en.index("SpO")
    fr = vitals_line(browser("tim.fr", language="fr").get(f"/console/cases/{case.id}").text)
    assert "37,2 °C" in fr and "96 /min" in fr


def test_the_inbox_row_shows_the_question_and_the_reason_below(hub, station_client, browser):
    case = submit(station_client, make_case(question="Có chỉ định chụp động mạch vành cấp cứu không?"), "0100A")
    html = browser("tim.bachmai").get("/console/inbox").text
    row = re.search(rf'data-case="{case.id}".*?</tr>', html, re.S)[0]
    link = re.search(r"<a [^>]*>(.*?)</a>", row, re.S)[1]
    assert "Có chỉ định chụp động mạch vành cấp cứu không?" in link
    assert "Đau ngực kéo dài" in row and "Đau ngực kéo dài" not in link  # the reason, on its own line
    long = submit(station_client, make_case(number=2, question="Xin ý kiến " + "rất dài " * 40), "0100A")
    html = browser("tim.2").get("/console/inbox").text
    row = re.search(rf'data-case="{long.id}".*?</tr>', html, re.S)[0]
    assert "…" in row or "..." in row
    assert 'title="Xin ý kiến rất dài' in row  # the whole question on hover


def sign(expert, case, **extra) -> str:
    expert.get(EDITOR.format(case.id))
    draft = draft_id_of(expert.post(EDITOR.format(case.id), form(), follow=True).text)
    signed = expert.post(EDITOR.format(case.id), form(action="sign", draft_id=draft, password=PASSWORD, **extra))
    assert signed.status_code == 303, signed.text[:3000]
    return draft


def test_the_case_page_shows_the_signed_conclusion_itself(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai", name="Trần Văn Tim", title="PGS.TS")
    first = sign(expert, case)
    html = expert.get(f"/console/cases/{case.id}").text
    section = re.search(r'<section class="signed" id="signed">(.*?)</section>', html, re.S)[1]
    for text in ("Trần Văn Tim", "PGS.TS", "Bệnh viện Bạch Mai", "Tim mạch", "Chẩn đoán",
                 "Hội chứng vành cấp không ST chênh lên.", "Chỉ định can thiệp",
                 "Tiếp tục aspirin, thêm statin liều cao", "Tái khám sau 2 tuần.", "/console/files/",
                 'class="hash"', "(giờ Việt Nam)"):
        assert text in section, text
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", section)
    expert.post(f"{EDITOR.format(case.id)}/amend", {"conclusion_id": first})
    page = expert.get(EDITOR.format(case.id)).text
    second = draft_id_of(page)
    expert.post(EDITOR.format(case.id), form(action="sign", draft_id=second, password=PASSWORD,
                                             treatment="Chụp động mạch vành trong 24 giờ."))
    html = expert.get(f"/console/cases/{case.id}").text
    section = re.search(r'<section class="signed" id="signed">(.*?)</section>', html, re.S)[1]
    assert "Đã sửa đổi" in section and "Chụp động mạch vành trong 24 giờ." in section
    assert "Phiên bản trước" in html and "Tiếp tục aspirin, thêm statin liều cao" in html  # the earlier one
    en = browser("tim.en", language="en").get(f"/console/cases/{case.id}").text
    assert "Amended" in en and "(Vietnam time)" in en


def test_the_editor_shows_the_case_beside_the_form(hub, station_client, browser):
    case = submit(station_client, make_case(question="Có nên can thiệp mạch vành sớm?"), "0100A")
    html = browser("tim.bachmai").get(EDITOR.format(case.id)).text
    panel = re.search(r'<aside class="case-panel"[^>]*>(.*?)</aside>', html, re.S)[1]
    for text in ("Có nên can thiệp mạch vành sớm?", "I20.0", "Cơn đau thắt ngực không ổn định", "Nữ", "tuổi",
                 str(case.number)):
        assert text in panel, text


def test_the_foreign_experts_editor_shows_the_case_without_a_name(hub, station_client, browser):
    case = submit(station_client, make_case(hospital="k", specialty="oncology", abroad=True,
                                            question="Faut-il une chimiothérapie néoadjuvante ?"), "0100A")
    html = browser("onco.paris", hospital="k", specialty="oncology", foreign=True, language="fr") \
        .get(EDITOR.format(case.id)).text
    panel = re.search(r'<aside class="case-panel"[^>]*>(.*?)</aside>', html, re.S)[1]
    assert "Faut-il une chimiothérapie néoadjuvante ?" in panel and "I20.0" in panel and "ans" in panel
    for secret in (NAME, "Nhung", "1972"):
        assert fold(secret) not in fold(html), secret


def test_the_imaging_link_gives_the_description_date_and_number_of_images():
    study = {"identifier": [{"system": case_view.systems.DICOM_UID, "value": "urn:oid:1.2.3"}],
             "started": "2026-11-28T09:30:00+07:00", "numberOfSeries": 2, "numberOfInstances": 180,
             "series": [{"modality": {"code": "CT"}, "description": "Ngực có thuốc", "numberOfInstances": 120},
                        {"modality": {"code": "CT"}, "description": "Ngực không thuốc", "numberOfInstances": 60}]}
    shown = case_view.studies({"ImagingStudy": [study]})[0]
    assert shown["description"] == "Ngực có thuốc, Ngực không thuốc"
    assert shown["date"] == "28/11/2026" and shown["images"] == 180 and shown["series"] == 2


def test_an_issue_block_added_with_htmx_answers_the_form_alone(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    expert.get(EDITOR.format(case.id))
    added = expert.post(EDITOR.format(case.id), form(action="add"), headers={"HX-Request": "true"})
    assert added.status_code == 200
    assert added.text.lstrip().startswith('<form') and "<html" not in added.text
    assert added.text.count('name="issue_title"') == 3 and 'hx-post="/console/cases/' in added.text
    removed = expert.post(EDITOR.format(case.id), form(action="remove-1"), headers={"HX-Request": "true"})
    assert removed.text.count('name="issue_title"') == 1 and "<html" not in removed.text
    plain = expert.post(EDITOR.format(case.id), form(action="add"))  # without JavaScript: the whole page
    assert "<html" in plain.text and plain.text.count('name="issue_title"') == 3


def test_in_a_browser_add_and_remove_swap_the_form_without_leaving_the_page(hub, station_client, person):
    from tests.support.browser import chromium, new_page, sign_in

    case = submit(station_client, make_case(), "0100A")
    person("tim.bachmai")
    with chromium() as browser:
        page = new_page(browser)
        sign_in(page, hub.url, "tim.bachmai", PASSWORD)
        page.goto(f"{hub.url}{EDITOR.format(case.id)}")
        page.evaluate("window.__same_page = true")
        page.fill("#editor input[name=issue_title]", "Chẩn đoán")
        page.click("#editor button[name=action][value=add]")
        page.locator("#editor input[name=issue_title]").nth(1).wait_for()
        assert page.evaluate("window.__same_page === true")  # swapped in place, not a new page
        assert page.locator("#editor input[name=issue_title]").first.input_value() == "Chẩn đoán"
        assert page.evaluate("document.activeElement.name") == "issue_title"  # the new block, ready to type
        page.click("#editor button[name=action][value=remove-0]")
        page.wait_for_function("document.querySelectorAll('#editor input[name=issue_title]').length === 1")
        assert page.evaluate("window.__same_page === true")
        assert page.locator(".case-panel").count() == 1


def heading(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r"<h1>(.*?)</h1>", html, re.S)[1])


def status_cell(html: str, case_id: str) -> str:
    row = re.search(rf'data-case="{case_id}".*?</tr>', html, re.S)[0]
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2]


def test_once_concluded_the_case_and_its_inbox_row_say_so_and_offer_no_triage(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    sign(expert, case)
    page = expert.get(f"/console/cases/{case.id}").text
    assert "Đã kết luận" in heading(page) and "Mới" not in heading(page)
    assert f"/console/cases/{case.id}/accept" not in page and "Nhận ca" not in page
    assert "Đã kết luận" in status_cell(expert.get("/console/inbox").text, case.id)
    assert "Đã kết luận" in status_cell(expert.get("/console/inbox/rows").text, case.id)
    assert f'data-case="{case.id}"' in expert.get("/console/inbox?status=completed").text  # the filter agrees
    assert f'data-case="{case.id}"' not in expert.get("/console/inbox?status=requested").text
    coordinator = browser("dieu.phoi", role="coordinator", specialty="")
    page = coordinator.get(f"/console/cases/{case.id}").text
    assert "Đã kết luận" in heading(page)
    for action in ("accept", "assign", "decline"):
        assert f"/console/cases/{case.id}/{action}" not in page, action
    for language, words in (("en", "Concluded"), ("fr", "Conclu")):
        other = browser(f"tim.{language}", language=language)
        assert words in heading(other.get(f"/console/cases/{case.id}").text), language
        assert words in status_cell(other.get("/console/inbox").text, case.id), language


def test_a_declined_case_says_so_and_offers_no_triage(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    coordinator = browser("dieu.phoi", role="coordinator", specialty="")
    reply = coordinator.post(f"/console/cases/{case.id}/decline", {"reason": "Ngoài chuyên môn của bệnh viện."})
    assert reply.status_code == 303
    for who in (coordinator, browser("tim.bachmai")):
        page = who.get(f"/console/cases/{case.id}").text
        assert "Đã từ chối" in heading(page) and "Mới" not in heading(page)
        for action in ("accept", "assign", "decline"):
            assert f"/console/cases/{case.id}/{action}" not in page, action
        assert "Đã từ chối" in status_cell(who.get("/console/inbox").text, case.id)
