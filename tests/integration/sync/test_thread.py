"""The consultation thread both ways against the real hub: questions in, replies out (offline first),
signed conclusions and their amendments, the minutes PDF, the outcome report."""

import hashlib
from datetime import date

import pytest

from app.services.consultation import ConsultationError
from app.wire import consultation as wire
from tests.support.cases import submitted_case
from tests.support.experts import draft_conclusion, post, sign_conclusion


def thread_on_hub(reader, case) -> list[dict]:
    return list(reader.search("Communication", {"based-on": f"ServiceRequest/{case.id}"}))


def test_a_question_comes_in_and_the_reply_written_offline_reaches_the_expert_once(
        station_via_proxy, proxy, expert, tmp_path):
    station = station_via_proxy
    case = submitted_case(station, tmp_path, slices=0)
    assert station.sync.run_once().synced_cases == [case.id]
    question = post(expert, case, wire.QUESTION, "Bệnh nhân có đau ngực khi gắng sức không?")
    post(expert, case, wire.STATUS, "", change=wire.ACCEPTED)

    report = station.sync.run_once()
    assert report.new_answers == [case.id, case.id]
    view = station.consultation.view(case.id)
    assert [(e.kind, e.change, e.text) for e in view.entries] == [
        ("question", "", "Bệnh nhân có đau ngực khi gắng sức không?"), ("status", wire.ACCEPTED, "")]
    asked = view.entries[0]
    assert asked.id == question and asked.direction == "in" and asked.author == "Bs. Trần Văn Tim"
    assert "bachmai" in asked.author_detail and "cardiology" in asked.author_detail
    assert view.unread == 2 and station.sync.status().unread_by_case == {case.id: 2}

    # The link is down: the reply is written, shown as waiting, and nothing is lost.
    proxy.down = True
    proxy.cut()  # the open connection too
    lab = tmp_path / "xet-nghiem-troponin.pdf"
    lab.write_bytes(b"%PDF-1.4 troponin I 0.8 ng/mL")
    reply = station.consultation.reply(case.id, "Có, đau khi leo cầu thang. Troponin đính kèm.", [lab])
    assert station.consultation.view(case.id).entries[-1].waiting
    assert not station.sync.run_once().online
    assert [m["id"] for m in thread_on_hub(expert, case) if wire.read_message(m).kind == wire.REPLY] == []

    proxy.down = False
    assert station.sync.run_once(force=True).online
    entry = station.consultation.view(case.id).entries[-1]
    assert entry.id == reply.id and not entry.waiting
    # Sent again (as if the hub's answer had been lost): the hub keeps one, unchanged.
    with station.db.transaction() as session:
        from sqlalchemy import update

        from app.storage.models import OutboxRow

        session.execute(update(OutboxRow).where(OutboxRow.kind == "message").values(done_at=None))
    assert station.sync.run_once(force=True).online and station.sync.status().unsent_rows == 0

    replies = [m for m in thread_on_hub(expert, case) if wire.read_message(m).kind == wire.REPLY]
    assert len(replies) == 1 and replies[0]["meta"]["versionId"] == "1"
    read = wire.read_message(replies[0])
    assert read.id == reply.id and read.text == "Có, đau khi leo cầu thang. Troponin đính kèm."
    # The lab result went first, and the reply names it; the expert can fetch its bytes.
    (document_id,) = read.attachments
    document = expert.read("DocumentReference", document_id)
    target = tmp_path / "fetched.pdf"
    expert.download(document["content"][0]["attachment"]["url"], target)
    assert target.read_bytes() == lab.read_bytes()
    # The station's own reply read back by the next pass is no news.
    assert station.sync.run_once().new_answers == []


def test_a_signed_conclusion_arrives_an_amendment_becomes_current_and_the_minutes_are_fetched(
        enrolled_station, hub, expert, tmp_path):
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    draft_conclusion(hub, case, "Chưa xong: đừng gửi")
    assert station.sync.run_once().new_answers == []  # a draft never reaches the station
    assert station.consultation.view(case.id).conclusion is None

    first = sign_conclusion(hub, case, [("Đau thắt ngực không ổn định", "Nguy cơ cao, cần chụp mạch vành."),
                                        ("Tăng huyết áp", "Chưa kiểm soát.")],
                            "Aspirin 81 mg, atorvastatin 40 mg.", "Tái khám sau 2 tuần.")
    assert station.sync.run_once().new_answers == [case.id]
    view = station.consultation.view(case.id)
    assert view.conclusion.id == first["id"] and view.earlier == ()
    assert view.conclusion.signed_by == "Trần Văn Tim" and "PGS.TS" in view.conclusion.signer_detail
    assert [(i.title, i.conclusion) for i in view.conclusion.issues] == [
        ("Đau thắt ngực không ổn định", "Nguy cơ cao, cần chụp mạch vành."), ("Tăng huyết áp", "Chưa kiểm soát.")]
    assert view.conclusion.treatment == "Aspirin 81 mg, atorvastatin 40 mg."
    assert view.entries == () and view.unread == 1  # the conclusion is news, not a thread message
    assert view.minutes.available
    pdf = station.consultation.minutes_file(case.id).read_bytes()
    assert pdf.startswith(b"%PDF")
    saved = station.consultation.save_minutes(case.id, tmp_path / "bien-ban.pdf")
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(pdf).hexdigest()

    amended = sign_conclusion(hub, case, [("Đau thắt ngực không ổn định", "Chuyển tuyến can thiệp trong 24 giờ.")],
                              "Aspirin, clopidogrel, atorvastatin.", "Báo kết quả sau can thiệp.", replaces=first["id"])
    assert station.sync.run_once().new_answers == [case.id]
    view = station.consultation.view(case.id)
    assert view.conclusion.id == amended["id"] and view.conclusion.replaces == first["id"]
    assert [c.id for c in view.earlier] == [first["id"]]
    assert view.earlier[0].issues[0].conclusion == "Nguy cơ cao, cần chụp mạch vành."
    assert view.minutes.composition_id == amended["id"] and view.minutes.available


def test_a_minutes_file_that_fails_is_fetched_on_a_later_pass(enrolled_station, hub, expert, tmp_path):
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    sign_conclusion(hub, case, [("Vấn đề", "Kết luận")], "Điều trị", "Theo dõi")
    files = hub.app.state.hub.files
    hidden = []
    for path in files.folder.rglob("*"):
        if path.is_file():
            hidden.append((path, path.read_bytes()))
            path.unlink()
    station.sync.run_once()
    view = station.consultation.view(case.id)
    assert view.conclusion is not None and not view.minutes.available and view.minutes.error
    for path, data in hidden:
        path.write_bytes(data)
    station.sync.run_once()
    assert station.consultation.view(case.id).minutes.available


def test_the_outcome_reaches_the_experts(enrolled_station, expert, tmp_path):
    station = enrolled_station
    case = submitted_case(station, tmp_path, slices=0)
    station.sync.run_once()
    with pytest.raises(ConsultationError) as refused:
        station.consultation.report_outcome(case.id, "referred", date.today())
    assert refused.value.field == "referred_to"
    station.consultation.report_outcome(case.id, "referred", date.today(), "Bệnh viện Bạch Mai",
                                        "Đã đặt stent, ổn định.")
    station.sync.run_once()
    (sent,) = [wire.read_message(m) for m in thread_on_hub(expert, case)
               if wire.read_message(m).kind == wire.OUTCOME]
    assert sent.outcome == wire.Outcome("referred", date.today(), "Bệnh viện Bạch Mai")
    assert sent.text == "Đã đặt stent, ổn định."
