"""The case page (server/console/views/case.py): summary, attachments, thread, questions; access and escaping."""

from app.wire import consultation as wire
from app.wire import systems

from .support import ADDRESS, BHYT, CCCD, NAME, PDF, PHONE, PNG, WAV, attach, make_case, station_messages, submit
from .test_inbox import fold


def test_the_case_page_shows_the_summary_and_the_attachments_in_place(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    photo = attach(station_client, case, PNG, "image/png", "ecg.png", "photo")
    report = attach(station_client, case, PDF, "application/pdf", "xet-nghiem.pdf", "lab")
    sound = attach(station_client, case, WAV, "audio/wav", "tieng-tim.wav", "audio")
    expert = browser("tim.bachmai")
    page = expert.get(f"/console/cases/{case.id}")
    assert page.status_code == 200
    html = page.text
    for text in (NAME, CCCD, "Xin ý kiến hướng điều trị tiếp.", "Tăng huyết áp 10 năm.", "I20.0",
                 "Cơn đau thắt ngực không ổn định", "150/90", "Nữ"):
        assert text in html, text
    assert f'<img src="/console/files/{photo}"' in html
    assert f'href="/console/files/{report}"' in html
    assert f'<audio controls preload="none" src="/console/files/{sound}"' in html
    got = expert.get(f"/console/files/{photo}")
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"] == "image/png"
    assert expert.get(f"/console/files/{report}").content == PDF


def test_an_expert_cannot_open_a_case_routed_elsewhere_even_by_its_address(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    photo = attach(station_client, case, PNG, "image/png", "ecg.png", "photo")
    elsewhere = browser("phoi.bachmai", specialty="respiratory")
    assert elsewhere.get(f"/console/cases/{case.id}").status_code == 404
    assert elsewhere.get(f"/console/cases/{case.id}/conclusion").status_code == 404
    assert elsewhere.get(f"/console/files/{photo}").status_code == 404
    assert elsewhere.get("/console/cases/no-such-case").status_code == 404
    refused = elsewhere.post(f"/console/cases/{case.id}/messages", {"kind": "question", "text": "?"})
    assert refused.status_code == 404
    assert NAME not in elsewhere.get(f"/console/cases/{case.id}").text
    assert [m for m in station_messages(station_client, case.id)] == []


def test_a_question_asked_on_the_page_reaches_the_station(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    expert.get(f"/console/cases/{case.id}")
    empty = expert.post(f"/console/cases/{case.id}/messages", {"kind": "question", "text": "  "})
    assert empty.status_code == 400 and "Hãy viết nội dung tin nhắn" in empty.text
    sent = expert.post(f"/console/cases/{case.id}/messages",
                       {"kind": "question", "text": "Có điện tâm đồ lúc đau không?"})
    assert sent.status_code == 303
    page = expert.get(sent.headers["location"].split("#")[0])
    assert "Có điện tâm đồ lúc đau không?" in page.text
    messages = [wire.read_message(m) for m in station_messages(station_client, case.id)]
    question = next(m for m in messages if m.kind == wire.QUESTION)
    assert question.text == "Có điện tâm đồ lúc đau không?"
    reply = wire.message("reply-1", case.id, case.patient.id, wire.REPLY, "Có, đính kèm ảnh ECG.",
                         "2026-11-29T10:00:00.000Z")
    station_client.put(reply)
    assert "Có, đính kèm ảnh ECG." in expert.get(f"/console/cases/{case.id}").text


def test_a_patient_named_script_and_a_question_in_html_show_as_text(hub, station_client, browser):
    case = submit(station_client, make_case(name="<script>alert(1)</script>",
                                            question='<img src=x onerror="alert(2)"><b>đậm</b>'), "0100A")
    expert = browser("tim.bachmai")
    expert.get(f"/console/cases/{case.id}")
    expert.post(f"/console/cases/{case.id}/messages", {"kind": "note", "text": "<script>alert(3)</script>"})
    for path in ("/console/inbox", f"/console/cases/{case.id}"):
        html = expert.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>đậm" not in html
    html = expert.get(f"/console/cases/{case.id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    page = attach(station_client, case, b"<script>alert(4)</script>", "text/html", "trang.html", "document")
    served = expert.get(f"/console/files/{page}")  # never rendered as a page on the hub's origin
    assert served.headers["content-type"] == "application/octet-stream"
    assert served.headers["content-disposition"] == "attachment" and "sandbox" in served.headers["content-security-policy"]


def test_a_message_posted_without_its_csrf_token_is_refused(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    expert.get(f"/console/cases/{case.id}")
    for data in ({"kind": "question", "text": "Không có mã"}, {"kind": "question", "text": "Sai mã", "csrf": "x"}):
        refused = expert.post(f"/console/cases/{case.id}/messages", data, csrf=False)
        assert refused.status_code in (400, 403)
    assert station_messages(station_client, case.id) == []


def test_a_foreign_experts_case_page_and_thread_name_no_patient(hub, station_client, browser):
    case = submit(station_client, make_case(hospital="k", specialty="oncology", abroad=True), "0100A")
    station_client.put(wire.message("reply-x", case.id, case.patient.id, wire.REPLY,
                                    f"Bệnh nhân {NAME}, CCCD {CCCD}, ĐT {PHONE}, ở {ADDRESS}: đã đỡ đau.",
                                    "2026-11-29T10:00:00.000Z"))
    foreign = browser("onco.paris", hospital="k", specialty="oncology", foreign=True, language="fr")
    page = foreign.get(f"/console/cases/{case.id}")
    assert page.status_code == 200 and "đã đỡ đau" in page.text
    for html in (page.text, foreign.get("/console/inbox").text, foreign.get(f"/console/cases/{case.id}/conclusion").text):
        for secret in (NAME, CCCD, BHYT, PHONE, ADDRESS, "Hong Nhung", "1972-03-12"):
            assert fold(secret) not in fold(html), secret
    assert "Patient" in page.text and "Âge" in page.text


def test_the_case_page_speaks_each_persons_language(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    words = {"vi": ("Người bệnh", "Câu hỏi cho chuyên gia", "Đặt câu hỏi"),
             "en": ("Patient", "Question for the experts", "Ask a question"),
             "fr": ("Patient", "Question posée aux experts", "Poser une question")}
    for language, expected in words.items():
        html = browser(f"tim.{language}", language=language).get(f"/console/cases/{case.id}").text
        for word in expected:
            assert word in html, (language, word)


def test_the_reported_outcome_shows_on_the_case_page(hub, station_client, browser):
    from datetime import date

    case = submit(station_client, make_case(), "0100A")
    station_client.put(wire.message("outcome-1", case.id, case.patient.id, wire.OUTCOME, "Ra viện, hẹn tái khám.",
                                    "2026-11-29T10:00:00.000Z", outcome=wire.Outcome("improved", date(2026, 11, 28))))
    html = browser("tim.bachmai").get(f"/console/cases/{case.id}").text
    assert "Cải thiện" in html and "Ra viện, hẹn tái khám." in html
    assert systems.MESSAGE_KIND not in html


def test_no_outcome_thirty_days_after_the_signed_conclusion_shows_no_feedback(hub, station_client, browser,
                                                                              monkeypatch):
    import importlib
    import re
    from datetime import date, timedelta

    reading = importlib.import_module("server.consultation.thread")  # the package re-exports thread()

    from .support import PASSWORD

    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    editor = f"/console/cases/{case.id}/conclusion"
    expert.get(editor)
    data = {"issue_title": ["Chẩn đoán"], "issue_text": ["Đau thắt ngực không ổn định."],
            "treatment": "Chụp động mạch vành.", "action": "save"}
    page = expert.get(expert.post(editor, data).headers["location"])
    draft = re.search(r'name="draft_id" value="([^"]*)"', page.text)[1]
    assert expert.post(editor, dict(data, action="sign", draft_id=draft, password=PASSWORD)).status_code == 303
    assert "chưa có phản hồi" not in expert.get(f"/console/cases/{case.id}").text
    later = reading.now() + timedelta(days=31)
    monkeypatch.setattr(reading, "now", lambda: later)
    assert "chưa có phản hồi" in expert.get(f"/console/cases/{case.id}").text
    assert "chưa có phản hồi" in expert.get("/console/inbox").text
    station_client.put(wire.message("outcome-late", case.id, case.patient.id, wire.OUTCOME, "Ổn định, đã ra viện.",
                                    wire_instant(later - timedelta(days=1)),
                                    outcome=wire.Outcome("stable", date.today())))
    html = expert.get(f"/console/cases/{case.id}").text
    assert "chưa có phản hồi" not in html and "Ổn định" in html


def wire_instant(moment) -> str:
    from app.wire import mapping

    return mapping.instant(moment)


def test_the_case_lists_its_studies_for_the_viewer_key_images_first(hub, station_client, browser):
    from app.wire.imaging import imaging_study

    def item(series, number, modality, sop="1.2.840.10008.5.1.4.1.1.2"):
        return {"0020000E": {"vr": "UI", "Value": [series]}, "00080060": {"vr": "CS", "Value": [modality]},
                "00080018": {"vr": "UI", "Value": [f"{series}.{number}"]}, "00080016": {"vr": "UI", "Value": [sop]},
                "00200013": {"vr": "IS", "Value": [number]}}

    case = submit(station_client, make_case(), "0100A")
    plain = imaging_study(case, "1.2.3.100", [item("1.2.3.100.1", 1, "CR")], "http://pacs/dicomweb")
    ct = imaging_study(case, "1.2.3.200", [item("1.2.3.200.1", n, "CT") for n in (1, 2)]
                       + [item("1.2.3.200.2", 1, "CT"), item("1.2.3.200.9", 1, "KO", "1.2.840.10008.5.1.4.1.1.88.59")],
                       "http://pacs/dicomweb")
    station_client.transaction([plain, ct])
    html = browser("tim.bachmai").get(f"/console/cases/{case.id}").text
    first, second = html.index("/console/viewer?study=1.2.3.200"), html.index("/console/viewer?study=1.2.3.100")
    assert first < second  # the study with key images first
    assert "2 loạt ảnh, 3 ảnh · 1 ảnh chính" in html and "1 loạt ảnh, 1 ảnh" in html  # the KO is no series to read
