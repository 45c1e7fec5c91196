"""The consultation's wire format reads back what it wrote, whatever the text holds."""

from datetime import date

from hypothesis import given, strategies as st

from app.wire import consultation as wire
from app.wire.mapping import request_id_of

CASE, PATIENT = "7b0e7c1e-3a61-4c1f-9d0e-2f3b1c9a0d11", "5f1b0c1e-3a61-4c1f-9d0e-2f3b1c9a0d22"


def test_a_reply_with_attachments_and_an_outcome_reads_back():
    resource = wire.message("m1", CASE, PATIENT, wire.OUTCOME, "Đỡ sốt, ra viện.", "2026-11-29T10:00:00.000Z",
                            attachments=("d1", "d2"),
                            outcome=wire.Outcome("referred", date(2026, 11, 28), "Bệnh viện Bạch Mai"))
    read = wire.read_message(resource)
    assert request_id_of(resource) == CASE
    assert (read.kind, read.text, read.attachments) == (wire.OUTCOME, "Đỡ sốt, ra viện.", ("d1", "d2"))
    assert read.outcome == wire.Outcome("referred", date(2026, 11, 28), "Bệnh viện Bạch Mai")


def test_a_decline_carries_its_change_and_reason():
    read = wire.read_message(wire.message("m2", CASE, PATIENT, wire.STATUS, "Ngoài chuyên môn", "2026-11-29T10:00:00Z",
                                          change=wire.DECLINED))
    assert (read.change, read.text) == (wire.DECLINED, "Ngoài chuyên môn")


def test_the_sender_the_hub_wrote_is_read_with_title_hospital_and_specialty():
    resource = wire.message("m3", CASE, PATIENT, wire.QUESTION, "CT có thuốc cản quang?", "2026-11-29T10:00:00Z")
    resource["contained"] = [{"resourceType": "PractitionerRole", "id": "author", "code": [{"text": "PGS.TS"}],
                              "practitioner": {"display": "Nguyễn Văn An"},
                              "organization": {"identifier": {"value": "BM"}},
                              "specialty": [{"coding": [{"code": "onco"}]}]}]
    resource["sender"] = {"reference": "#author"}
    read = wire.read_message(resource)
    assert (read.author, read.author_detail) == ("Nguyễn Văn An", "PGS.TS, BM, onco")


def test_unknown_kinds_changes_and_outcomes_are_refused():
    for bad in ({"kind": "gossip"}, {"change": "lost"}, {"outcome": wire.Outcome("cured", date(2026, 1, 1))}):
        args = {"kind": wire.REPLY, **bad}
        kind = args.pop("kind")
        try:
            wire.message("m", CASE, PATIENT, kind, "x", "2026-11-29T10:00:00Z", **args)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad}")


def test_a_conclusion_reads_back_issue_by_issue_and_amendments_stand_over_the_first():
    first = wire.conclusion("c1", CASE, PATIENT, [wire.Issue("Chẩn đoán", "U phổi <T2>"), wire.Issue("Xử trí", "Mổ")],
                            "Hoá trị & xạ trị", "Tái khám sau 1 tháng", status="final", date_="2026-11-29T10:00:00Z")
    first["attester"] = [{"mode": "legal", "time": "2026-11-29T10:00:00Z", "party": {"display": "BS A"}}]
    read = wire.read_conclusion(first)
    assert request_id_of(first) == CASE
    assert read.issues == (wire.Issue("Chẩn đoán", "U phổi <T2>"), wire.Issue("Xử trí", "Mổ"))
    assert (read.treatment, read.follow_up, read.signed_by) == ("Hoá trị & xạ trị", "Tái khám sau 1 tháng", "BS A")
    second = wire.conclusion("c2", CASE, PATIENT, [wire.Issue("Chẩn đoán", "U phổi")], "Mổ", "", status="final",
                             date_="2026-11-30T10:00:00Z", replaces="c1")
    second["attester"] = [{"mode": "legal", "time": "2026-11-30T10:00:00Z", "party": {"display": "BS A"}}]
    draft = wire.read_conclusion(wire.conclusion("c3", CASE, PATIENT, [], "", "", date_="2026-12-01T10:00:00Z"))
    current = wire.current_conclusion([read, wire.read_conclusion(second), draft])
    assert current.id == "c2" and current.replaces == "c1"


def test_minutes_are_told_from_other_documents():
    doc = wire.minutes_reference("d", CASE, PATIENT, "c1", "https://hub/files/x", 10, "aGFzaA==", "ab" * 32,
                                 "2026-11-29T10:00:00Z", "bien-ban.pdf")
    assert wire.is_minutes(doc) and wire.minutes_composition(doc) == "c1" and request_id_of(doc) == CASE


@given(st.text())
def test_narrative_keeps_any_text(text):
    text = text.replace("\r", "")
    assert wire.narrative_text(wire.narrative(text)) == text
