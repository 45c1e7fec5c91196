"""The conclusion editor (server/console/views/conclusion.py): blocks, drafts the station never reads,
signing with the password again, read-only once signed, amendments that keep the old version."""

import json
import re

from app.wire import consultation as wire
from server import audit
from server.console import accounts

from ..conftest import Raw
from .support import PASSWORD, make_case, submit

EDITOR = "/console/cases/{}/conclusion"


def form(treatment="Tiếp tục aspirin, thêm statin liều cao; chụp động mạch vành sớm.", **extra):
    data = {"issue_title": ["Chẩn đoán", "Chỉ định can thiệp"],
            "issue_text": ["Hội chứng vành cấp không ST chênh lên.", "Có chỉ định chụp và can thiệp mạch vành."],
            "treatment": treatment, "follow_up": "Tái khám sau 2 tuần.", "action": "save"}
    data.update(extra)
    return data


def compositions(station, case) -> list[dict]:
    return [r for r in station.search("Composition", {}) if case.id in json.dumps(r.get("event", []))]


def draft_id_of(html: str) -> str:
    return re.search(r'name="draft_id" value="([^"]*)"', html)[1]


def test_validation_messages_sit_on_their_fields(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    page = expert.get(EDITOR.format(case.id))
    assert page.status_code == 200 and page.text.count('name="issue_title"') == 1
    # What a signature needs (a draft saves whatever is typed: test_draft_keeper.py).
    bad = expert.post(EDITOR.format(case.id), form(treatment="", issue_text=["", ""], action="sign"))
    assert bad.status_code == 400
    assert "Hãy viết kết luận cho ít nhất một vấn đề." in bad.text
    assert "Cần ghi hướng điều trị." in bad.text
    assert compositions(station_client, case) == []
    en = browser("tim.en", language="en").post(EDITOR.format(case.id), form(treatment="", action="sign"))
    assert "The treatment direction is required." in en.text


def test_issue_blocks_are_added_and_removed(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    expert.get(EDITOR.format(case.id))
    added = expert.post(EDITOR.format(case.id), form(action="add"))
    assert added.status_code == 200 and added.text.count('name="issue_title"') == 3
    assert "Hội chứng vành cấp không ST chênh lên." in added.text
    removed = expert.post(EDITOR.format(case.id), form(action="remove-0"))
    assert removed.text.count('name="issue_title"') == 1 and "Chỉ định can thiệp" in removed.text
    assert "Hội chứng vành cấp" not in removed.text


def test_a_draft_stays_on_the_hub_until_signed_with_the_password(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai", name="Trần Văn An", title="PGS.TS")
    expert.get(EDITOR.format(case.id))
    saved = expert.post(EDITOR.format(case.id), form())
    assert saved.status_code == 303
    page = expert.get(saved.headers["location"])
    assert "Đã lưu nháp" in page.text and "Hội chứng vành cấp không ST chênh lên." in page.text
    draft = draft_id_of(page.text)
    assert draft
    assert compositions(station_client, case) == []  # a draft never reaches the station
    assert Raw(hub, station_client)("GET", f"/Composition/{draft}").status_code == 404
    wrong = expert.post(EDITOR.format(case.id), form(action="sign", draft_id=draft, password="sai-mật-khẩu"))
    assert wrong.status_code == 403 and "Mật khẩu không đúng." in wrong.text
    assert compositions(station_client, case) == []
    signed = expert.post(EDITOR.format(case.id), form(action="sign", draft_id=draft, password=PASSWORD))
    assert signed.status_code == 303
    final = [wire.read_conclusion(r) for r in compositions(station_client, case)]
    assert len(final) == 1 and final[0].status == "final"
    assert [i.conclusion for i in final[0].issues][0] == "Hội chứng vành cấp không ST chênh lên."
    assert final[0].treatment.startswith("Tiếp tục aspirin")
    html = expert.get(EDITOR.format(case.id)).text
    assert "Trần Văn An" in html and "Sửa đổi" in html and 'name="issue_title"' not in html
    with hub.engine.begin() as conn:  # audited as that person: the draft saved, then signed
        signer = accounts.by_login(conn, "tim.bachmai")
        done = [(e["action"], e["resource_id"]) for e in audit.events(conn, signer.client_id)]
    assert ("draft", draft) in done and ("sign", draft) in done
    minutes = re.findall(r'href="(/console/files/[^"]+)">Biên bản hội chẩn \(PDF\)', html)
    assert minutes, "the minutes made on signing are linked"
    pdf = expert.get(minutes[0])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"


def test_a_signed_conclusion_cannot_be_changed_by_the_page_or_the_api(hub, station_client, enrolled, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    expert.get(EDITOR.format(case.id))
    page = expert.get(expert.post(EDITOR.format(case.id), form()).headers["location"])
    draft = draft_id_of(page.text)
    assert expert.post(EDITOR.format(case.id), form(action="sign", draft_id=draft, password=PASSWORD)) \
        .status_code == 303
    original = compositions(station_client, case)[0]
    changed = expert.post(EDITOR.format(case.id), form(draft_id=original["id"], treatment="Đổi sau khi ký"))
    assert changed.status_code == 409 and "Kết luận đã ký không thể thay đổi" in changed.text
    resigned = expert.post(EDITOR.format(case.id), form(action="sign", draft_id=original["id"], password=PASSWORD,
                                                      treatment="Đổi sau khi ký"))
    assert resigned.status_code == 409
    tampered = dict(original, status="preliminary")
    api_expert = enrolled(hub, "expert", hospital="bachmai", specialty="cardiology")
    for client in (station_client, api_expert):
        answer = Raw(hub, client)("PUT", f"/Composition/{original['id']}", content=json.dumps(tampered))
        assert answer.status_code in (403, 404, 409)
    assert compositions(station_client, case)[0] == original


def test_an_amendment_replaces_the_signed_conclusion_and_keeps_it(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    expert.get(EDITOR.format(case.id))
    draft = draft_id_of(expert.get(expert.post(EDITOR.format(case.id), form()).headers["location"]).text)
    expert.post(EDITOR.format(case.id), form(action="sign", draft_id=draft, password=PASSWORD))
    first = compositions(station_client, case)[0]["id"]
    page = expert.get(EDITOR.format(case.id))
    amended = expert.post(f"/console/cases/{case.id}/conclusion/amend", {"conclusion_id": first})
    assert amended.status_code == 303
    page = expert.get(EDITOR.format(case.id))
    second = draft_id_of(page.text)
    assert second and second != first
    expert.post(EDITOR.format(case.id), form(action="sign", draft_id=second, password=PASSWORD,
                                             treatment="Chụp động mạch vành trong 24 giờ."))
    signed = [wire.read_conclusion(r) for r in compositions(station_client, case)]
    assert {c.id for c in signed} == {first, second} and all(c.status == "final" for c in signed)
    current = wire.current_conclusion(signed)
    assert current.id == second and current.replaces == first
    html = expert.get(EDITOR.format(case.id)).text
    assert "Chụp động mạch vành trong 24 giờ." in html and "Phiên bản trước" in html


def test_conclusion_posts_without_the_csrf_token_are_refused(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai")
    expert.get(EDITOR.format(case.id))
    assert expert.post(EDITOR.format(case.id), form(), csrf=False).status_code in (400, 403)
    assert expert.post(f"/console/cases/{case.id}/conclusion/amend", {"conclusion_id": "x"}, csrf=False) \
        .status_code in (400, 403)
    assert 'name="draft_id" value=""' in expert.get(EDITOR.format(case.id)).text


def test_the_editor_speaks_french_and_english(hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    words = {"fr": ("Conduite thérapeutique", "Enregistrer le brouillon", "Signer", "Ajouter un problème"),
             "en": ("Treatment direction", "Save draft", "Sign", "Add an issue"),
             "vi": ("Hướng điều trị", "Lưu nháp", "Ký", "Thêm vấn đề")}
    for language, expected in words.items():
        html = browser(f"tim.{language}", language=language).get(EDITOR.format(case.id)).text
        for word in expected:
            assert word in html, (language, word)


def test_minutes_missing_after_signing_are_made_when_the_signer_looks_again(hub, station_client, browser):
    """Signing commits first (the station hears at once); had the minutes step failed, they come on the next look."""
    from server import consultation
    from server.access import Principal

    case = submit(station_client, make_case(), "0100A")
    expert = browser("tim.bachmai", name="Trần Văn An", title="PGS.TS")
    colleague = browser("tim.khac", name="Lê Văn Khác")
    expert.get(EDITOR.format(case.id))
    draft = draft_id_of(expert.get(expert.post(EDITOR.format(case.id), form()).headers["location"]).text)
    with hub.engine.begin() as conn:  # as the page's first transaction does, and nothing after it
        signer = accounts.by_login(conn, "tim.bachmai")
        assert isinstance(signer.principal, Principal)
        consultation.sign(conn, signer.principal, draft, hub.config.secret)
    minutes_id = consultation.minutes_id(draft, pseudonymous=False)
    assert Raw(hub, station_client)("GET", f"/DocumentReference/{minutes_id}").status_code == 404
    assert "Biên bản hội chẩn (PDF)" not in colleague.get(EDITOR.format(case.id)).text  # not theirs to make
    html = expert.get(EDITOR.format(case.id)).text
    assert re.findall(r'href="(/console/files/[^"]+)">Biên bản hội chẩn \(PDF\)', html)
    assert Raw(hub, station_client)("GET", f"/DocumentReference/{minutes_id}").status_code == 200
