"""The minutes PDF: every field comes back out of the PDF intact, identity never leaks, long or hostile text survives."""

import re
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from server.minutes import (CHAIR, LIVE, SECRETARY, Amendment, Facility, Issue, LiveSession, MinutesData, Patient,
                            Person, Presence, Pseudonym, Signature, render_minutes)
from server.minutes.labels import duration

ICT = timezone(timedelta(hours=7))
DIGEST = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8091a2b3c4d5e6f7"
PATIENT = Patient(full_name="Nguyễn Thị Hường", sex="Nữ", birth_date=date(1978, 3, 14),
                  address="Thôn Nà Hán, xã Quản Bạ, tỉnh Tuyên Quang", cccd="002178004512",
                  bhyt="HC4020012345678", record_number="BA-2026-0088")


def sample(**changes) -> MinutesData:
    data = MinutesData(
        organiser=Facility("Bệnh viện Bạch Mai", "01929", parent="Bộ Y tế"),
        requester=Facility("Trung tâm Y tế huyện Quản Bạ", "02011"),
        number="15/BB-HCTX", place="Hà Nội",
        started=datetime(2026, 11, 29, 14, 0, tzinfo=ICT), ended=datetime(2026, 11, 29, 15, 10, tzinfo=ICT),
        connection_points=("Bệnh viện Bạch Mai (điểm cầu chính)", "Trung tâm Y tế huyện Quản Bạ"),
        chair=Person("Trần Quốc Đạt", "PGS.TS.BS, Trưởng khoa Ung bướu", "Ung bướu", "Bệnh viện Bạch Mai"),
        secretary=Person("Lê Thu Trang", "BSNT", "Ung bướu", "Bệnh viện Bạch Mai"),
        participants=(Person("Phạm Minh Đức", "ThS.BS", "Chẩn đoán hình ảnh", "Bệnh viện Bạch Mai"),
                      Person("Hoàng Văn Sính", "BSCKI", "Nội tổng hợp", "Trung tâm Y tế huyện Quản Bạ")),
        patient=PATIENT,
        history="Đau hạ sườn phải âm ỉ 3 tháng, sụt 5 kg. Tiền sử viêm gan B mạn, không điều trị đều.",
        examination="Gan to 3 cm dưới bờ sườn, chắc. AFP 812 ng/mL. CT bụng: khối 6 × 5 cm hạ phân thuỳ VIII.",
        diagnosis="Theo dõi ung thư biểu mô tế bào gan (C22.0) trên nền viêm gan B mạn (B18.1)",
        treatment_so_far="Tenofovir 300 mg/ngày từ 10/11/2026; giảm đau paracetamol.",
        question="Xin ý kiến chẩn đoán xác định và hướng điều trị: phẫu thuật, TACE hay điều trị toàn thân?",
        discussion="BS Đức: khối ngấm thuốc thì động mạch, thải thuốc thì tĩnh mạch, điển hình HCC.",
        issues=(Issue("Chẩn đoán", "Ung thư biểu mô tế bào gan, BCLC B, Child-Pugh A."),
                Issue("Điều trị", "Chỉ định nút mạch hoá chất (TACE); chưa chỉ định phẫu thuật.")),
        treatment="Chuyển tuyến lên Bệnh viện Bạch Mai làm TACE trong 2 tuần; duy trì Tenofovir.",
        follow_up="Hẹn khám lại sau 4 tuần, AFP và CT bụng sau TACE. Tái khám ngay khi sốt, vàng da.",
        signatures=(Signature(CHAIR, "Trần Quốc Đạt", "PGS.TS.BS", datetime(2026, 11, 29, 15, 42, tzinfo=ICT),
                              DIGEST),
                    Signature(SECRETARY, "Lê Thu Trang", "BSNT", datetime(2026, 11, 29, 15, 44, tzinfo=ICT),
                              DIGEST)),
        version=2,
        amendment=Amendment(1, datetime(2026, 11, 29, 15, 20, tzinfo=ICT), "bổ sung giai đoạn BCLC"),
    )
    return replace(data, **changes)


def pages_text(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def flat(text: str) -> str:
    return " ".join(words(text))


def in_order(needle: str, haystack: list[str]) -> bool:
    """Every word of `needle` appears in `haystack`, in order (wrapping and page breaks only add whitespace)."""
    it = iter(haystack)
    return all(any(word == candidate for candidate in it) for word in words(needle))


def test_every_field_comes_back_with_its_diacritics():
    data = sample()
    text = "\n".join(pages_text(render_minutes(data)))
    found = flat(text)
    expected = ["CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BỆNH VIỆN BẠCH MAI", "BỘ Y TẾ",
                "BIÊN BẢN HỘI CHẨN TỪ XA", "15/BB-HCTX", "Hà Nội, ngày 29 tháng 11 năm 2026",
                "Trung tâm Y tế huyện Quản Bạ", "02011", "14:00 29/11/2026", "15:10 29/11/2026", "Hội chẩn từ xa",
                "Bệnh viện Bạch Mai (điểm cầu chính)", "Trần Quốc Đạt", "PGS.TS.BS, Trưởng khoa Ung bướu",
                "Lê Thu Trang", "Phạm Minh Đức", "Chẩn đoán hình ảnh", "Hoàng Văn Sính", "Nội tổng hợp",
                "Nguyễn Thị Hường", "14/03/1978", "Nữ", PATIENT.address, PATIENT.cccd, PATIENT.bhyt,
                data.history, data.examination, "Chẩn đoán", data.diagnosis, data.treatment_so_far, data.question,
                data.discussion, "KẾT LUẬN", "Vấn đề 1: Chẩn đoán", "HƯỚNG ĐIỀU TRỊ, CHĂM SÓC, CHUYỂN TUYẾN",
                data.treatment, data.follow_up, "THEO DÕI, DẶN DÒ",
                "Ung thư biểu mô tế bào gan, BCLC B, Child-Pugh A.", data.issues[1].conclusion,
                "Đã ký điện tử lúc 15:42 29/11/2026", "15:44 29/11/2026", DIGEST,
                "thay thế phiên bản 1 đã ký lúc 15:20 29/11/2026", "bổ sung giai đoạn BCLC", "Trang 1/"]
    missing = [e for e in expected if flat(e) not in found]
    assert not missing, missing
    assert text.count("Trần Quốc Đạt") >= 2 and "Trang 1/" in text


def test_times_are_printed_in_vietnam_time_whatever_zone_they_come_in():
    utc = datetime(2026, 11, 29, 7, 0, tzinfo=timezone.utc)
    text = "\n".join(pages_text(render_minutes(sample(started=utc, ended=None))))
    assert "14:00 29/11/2026" in text and "kết thúc" not in text


@pytest.mark.parametrize("language, expected", [("en", ["KẾT LUẬN / CONCLUSION", "TELECONSULTATION MINUTES",
                                                        "Chẩn đoán / Diagnosis", "Trang / Page 1/"]),
                                                ("fr", ["KẾT LUẬN / CONCLUSION", "Chẩn đoán / Diagnostic",
                                                        "Thư ký / Secrétaire".upper()])])
def test_bilingual_labels_for_experts_abroad(language, expected):
    text = " ".join(words("\n".join(pages_text(render_minutes(sample(), language)))))
    for label in expected:
        assert label in text
    assert "BIÊN BẢN HỘI CHẨN TỪ XA" in text


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError):
        render_minutes(sample(), "de")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).replace("đ", "d") \
        .replace("Đ", "D")


def test_pseudonymous_minutes_print_no_identity_at_all():
    data = sample(pseudonymous=True, patient=None, pseudonym=Pseudonym("HC-2026-0142", "40-49 tuổi", "Nữ"))
    for language in ("vi", "en", "fr"):
        text = "\n".join(pages_text(render_minutes(data, language)))
        flat = _strip_accents(" ".join(text.split())).lower()
        for value in (PATIENT.full_name, PATIENT.address, "Nà Hán", PATIENT.cccd, PATIENT.bhyt, "14/03/1978",
                      PATIENT.record_number):
            assert value not in text
            assert _strip_accents(value).lower() not in flat
        for label in ("Họ và tên:", "Địa chỉ", "CCCD", "BHYT", "Ngày sinh"):
            assert label not in text
        assert "HC-2026-0142" in text and "40-49 tuổi" in text


def test_identity_and_pseudonym_cannot_be_mixed():
    with pytest.raises(ValueError):
        sample(pseudonymous=True, pseudonym=Pseudonym("HC-1", "40-49 tuổi", "Nữ"))   # identity still there
    with pytest.raises(ValueError):
        sample(patient=None)


def test_a_long_conclusion_spans_pages_and_loses_nothing():
    long = "\n".join(f"Ý kiến {n:03d}: bệnh nhân cần được theo dõi sát chức năng gan, thận và công thức máu "
                     f"trước mỗi đợt nút mạch hoá chất; điều chỉnh liều theo mức lọc cầu thận." for n in range(1, 121))
    pdf = render_minutes(sample(issues=(Issue("Điều trị", long),)))
    pages = pages_text(pdf)
    assert len(pages) >= 4
    for n, page in enumerate(pages, 1):
        assert f"Trang {n}/{len(pages)}" in page
    found = words("\n".join(pages))
    assert in_order(long, found)
    assert in_order("HƯỚNG ĐIỀU TRỊ, CHĂM SÓC, CHUYỂN TUYẾN " + sample().treatment, found)   # what follows the long part is there too
    assert "Đã ký điện tử" in pages[-1]


HOSTILE = ("<script>alert('x')</script> & </div> **đậm** __gạch__ {nb} " + "Viêm" * 1 + "x" * 300 +
           " 😀 🩺 ✓ → ≥ 5 a\x00b\x07c\x1bd \u202eđảo ngược")


def test_hostile_text_neither_crashes_nor_vanishes():
    data = sample(history=HOSTILE, discussion=HOSTILE, issues=(Issue("<b>Vấn đề</b>" + "y" * 200, HOSTILE),),
                  participants=(Person("Z" * 120, "<i>", "😀", "a\x00b"),))
    text = "\n".join(pages_text(render_minutes(data)))
    squeezed = re.sub(r"\s+", "", text)
    for piece in ("<script>alert('x')</script>", "</div>", "**đậm**", "__gạch__", "{nb}", "Viêm" + "x" * 300,
                  "y" * 200, "<b>Vấn", "Z" * 120, "<i>", "✓", "→", "≥"):
        assert re.sub(r"\s+", "", piece) in squeezed, piece
    # What no font can draw, and control characters, are shown by their code point, not dropped.
    for code in ("[U+1FA7A]", "a[U+0000]b[U+0007]c[U+001B]d", "[U+202E]đảo"):
        assert code in squeezed, code
    assert "😀" in squeezed or "[U+1F600]" in squeezed   # DejaVu, the fallback font, draws some emoji


def test_decomposed_vietnamese_prints_as_the_same_letters():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
    text = "\n".join(pages_text(render_minutes(sample(patient=replace(PATIENT, full_name=decomposed)))))
    assert "Nguyễn Thị Hường" in unicodedata.normalize("NFC", text)
    assert "[U+" not in text


def test_fonts_are_embedded_and_the_output_is_reproducible():
    pdf = render_minutes(sample())
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf and b"NotoSans" in pdf
    assert render_minutes(sample()) == pdf


def test_page_one_rendered_for_a_person_to_look_at():
    pdf = render_minutes(sample())
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        width, height = page.get_size()
        assert (round(width), round(height)) == (595, 842)   # A4 in points
        image = page.render(scale=100 / 72).to_pil()
    finally:
        document.close()
    out = Path("/tmp/minutes_page1.png")
    image.save(out)
    # Not blank: a good share of the page is ink.
    grey = image.convert("L")
    dark = sum(count for value, count in enumerate(grey.histogram()) if value < 128)
    assert dark > 0.01 * grey.width * grey.height


# -- live sessions (hội chẩn trực tuyến): form, time, who attended from which site, the recording ----------------

def at(hour: int, minute: int, second: int = 0, day: int = 29) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=ICT)


BACH_MAI, QUAN_BA, CHO_RAY = "Bệnh viện Bạch Mai", "Trung tâm Y tế huyện Quản Bạ", "Bệnh viện Chợ Rẫy"
SESSION = LiveSession(
    started=at(14, 0), ended=at(15, 10), recorded=True, as_of=at(15, 42),
    presence=(Presence(BACH_MAI, "PGS.TS.BS Trần Quốc Đạt", ((at(14, 0), at(15, 10)),)),
              Presence(QUAN_BA, "", ((at(14, 1), at(14, 30)), (at(14, 33), at(15, 10)))),   # dropped, came back
              Presence(CHO_RAY, "TS.BS Nguyễn Văn Sơn", ((at(14, 10), at(14, 10, 40)),)),
              Presence(BACH_MAI, "ThS.BS Phạm Minh Đức", ((at(14, 12), at(14, 57)),))),
    consents=("PGS.TS.BS Trần Quốc Đạt — Bệnh viện Bạch Mai", QUAN_BA, "TS.BS Nguyễn Văn Sơn — Bệnh viện Chợ Rẫy",
              "ThS.BS Phạm Minh Đức — Bệnh viện Bạch Mai"))


def live_sample(*sessions: LiveSession, **changes) -> MinutesData:
    sessions = sessions or (SESSION,)
    return sample(mode=LIVE, live=sessions, started=sessions[0].started, ended=sessions[-1].ended,
                  connection_points=(BACH_MAI, QUAN_BA, CHO_RAY), **changes)


def test_a_live_session_prints_its_form_time_sites_attendance_and_recording_in_the_forms_order():
    found = words("\n".join(pages_text(render_minutes(live_sample()))))
    # HOI-CHAN.md (c): date and time, the connection points, then who took part; the patient after.
    assert in_order("I. THÔNG TIN CHUNG Thời gian: bắt đầu 14:00 29/11/2026; kết thúc 15:10 29/11/2026 "
                    "Hình thức: Hội chẩn trực tuyến Các điểm cầu: Bệnh viện Bạch Mai; Trung tâm Y tế huyện Quản Bạ; "
                    "Bệnh viện Chợ Rẫy Ghi hình: Có ghi hình, với sự đồng ý của tất cả các điểm cầu có mặt "
                    "(đã đồng ý: PGS.TS.BS Trần Quốc Đạt — Bệnh viện Bạch Mai; Trung tâm Y tế huyện Quản Bạ; "
                    "TS.BS Nguyễn Văn Sơn — Bệnh viện Chợ Rẫy; ThS.BS Phạm Minh Đức — Bệnh viện Bạch Mai) "
                    "II. THÀNH PHẦN THAM DỰ Chủ trì Thư ký", found)
    # Participants by site (a site in the order it first joined), each with every stretch and the time in all.
    assert in_order("Lê Thu Trang Thư ký Tham dự trực tuyến theo điểm cầu STT Điểm cầu Người tham dự Vào – ra "
                    "Thời lượng "
                    "1 Bệnh viện Bạch Mai PGS.TS.BS Trần Quốc Đạt 14:00 – 15:10 1 giờ 10 phút "
                    "2 Bệnh viện Bạch Mai ThS.BS Phạm Minh Đức 14:12 – 14:57 45 phút "
                    "3 Trung tâm Y tế huyện Quản Bạ Máy trạm của điểm cầu 14:01 – 14:30 14:33 – 15:10 1 giờ 06 phút "
                    "4 Bệnh viện Chợ Rẫy TS.BS Nguyễn Văn Sơn 14:10 – 14:10 40 giây "
                    "III. THÔNG TIN NGƯỜI BỆNH", found)


def test_a_live_session_not_recorded_says_so():
    text = flat("\n".join(pages_text(render_minutes(live_sample(replace(SESSION, recorded=False, consents=()))))))
    assert "Ghi hình: Không ghi hình" in text and "đồng ý" not in text


def test_minutes_without_a_live_session_have_no_live_part():
    text = flat("\n".join(pages_text(render_minutes(sample()))))
    assert "Hội chẩn từ xa" in text
    for absent in ("Ghi hình", "trực tuyến", "Máy trạm", "Vào – ra"):
        assert absent not in text


def test_several_live_sessions_each_have_their_time_recording_and_table():
    second = LiveSession(started=at(9, 0, day=30), ended=at(9, 20, day=30), recorded=False, as_of=at(10, 0, day=30),
                         presence=(Presence(QUAN_BA, "", ((at(9, 1, day=30), at(9, 20, day=30)),)),))
    found = words("\n".join(pages_text(render_minutes(live_sample(SESSION, second)))))
    assert in_order("Thời gian: bắt đầu 14:00 29/11/2026; kết thúc 09:20 30/11/2026 "
                    "Ghi hình: Phiên 1: Có ghi hình, với sự đồng ý của tất cả các điểm cầu có mặt", found)
    assert in_order("Phiên 2: Không ghi hình II. THÀNH PHẦN THAM DỰ", found)
    assert in_order("Tham dự trực tuyến theo điểm cầu — Phiên 1: 14:00 29/11/2026 – 15:10 29/11/2026 "
                    "1 Bệnh viện Bạch Mai PGS.TS.BS Trần Quốc Đạt "
                    "Tham dự trực tuyến theo điểm cầu — Phiên 2: 09:00 30/11/2026 – 09:20 30/11/2026 "
                    "1 Trung tâm Y tế huyện Quản Bạ Máy trạm của điểm cầu 09:01 – 09:20 19 phút", found)


def test_a_session_still_going_on_at_the_signing_is_recorded_up_to_it():
    going = replace(SESSION, ended=None, as_of=at(15, 42),
                    presence=(Presence(BACH_MAI, "PGS.TS.BS Trần Quốc Đạt", ((at(14, 0), None),)),
                              Presence(QUAN_BA, "", ((at(14, 1), at(14, 30)), (at(14, 33), None)))))
    found = words("\n".join(pages_text(render_minutes(live_sample(going)))))
    assert in_order("Thời gian: bắt đầu 14:00 29/11/2026; đang diễn ra lúc ký kết luận (15:42 29/11/2026) "
                    "Hình thức: Hội chẩn trực tuyến", found)
    assert in_order("1 Bệnh viện Bạch Mai PGS.TS.BS Trần Quốc Đạt 14:00 – 15:42 (lúc ký) 1 giờ 42 phút "
                    "2 Trung tâm Y tế huyện Quản Bạ Máy trạm của điểm cầu 14:01 – 14:30 14:33 – 15:42 (lúc ký) "
                    "1 giờ 38 phút", found)


def test_a_stretch_over_midnight_shows_its_dates():
    late = LiveSession(started=at(23, 50, day=29), ended=at(0, 20, day=30), as_of=at(1, 0, day=30),
                       presence=(Presence(QUAN_BA, "", ((at(23, 50, day=29), at(0, 20, day=30)),)),))
    found = words("\n".join(pages_text(render_minutes(live_sample(late)))))
    assert in_order("Máy trạm của điểm cầu 23:50 – 00:20 30/11/2026 30 phút", found)


@pytest.mark.parametrize("language, expected", [
    ("fr", "Ghi hình / Enregistrement: Có ghi hình, với sự đồng ý của tất cả các điểm cầu có mặt / Enregistrée avec "
           "l'accord de tous les sites présents"),
    ("en", "Tham dự trực tuyến theo điểm cầu / Online attendance by site")])
def test_the_live_part_is_bilingual_for_experts_abroad(language, expected):
    text = flat("\n".join(pages_text(render_minutes(live_sample(), language))))
    assert flat(expected) in text
    assert "1 h 10 min" in text and "Hội chẩn trực tuyến" in text


def test_time_in_the_room_counts_overlapping_stretches_once():
    twice = Presence(BACH_MAI, "PGS.TS.BS Trần Quốc Đạt", ((at(14, 10), at(14, 40)), (at(14, 0), at(14, 30)),
                                                          (at(14, 50), None)))
    assert SESSION.seconds(twice) == (40 + 52) * 60  # 14:00–14:40, then 14:50 to the signing at 15:42
    assert replace(SESSION, as_of=None).seconds(twice) is None


def test_durations_read_as_people_write_them():
    assert [duration(s, "vi") for s in (0, 40, 60, 2700, 3600, 3960, 36000)] == [
        "0 giây", "40 giây", "1 phút", "45 phút", "1 giờ 00 phút", "1 giờ 06 phút", "10 giờ 00 phút"]
    assert [duration(s, "fr") for s in (40, 2700, 3960)] == ["40 s", "45 min", "1 h 06 min"]
    assert duration(None, "vi") == "—"


def test_hostile_live_names_neither_crash_nor_vanish():
    odd = replace(SESSION, presence=(Presence("<b>" + "Đ" * 150, "😀\x00" + "x" * 200, ((at(14, 0), at(14, 1)),)),),
                  consents=("{nb} \u202e",))
    text = re.sub(r"\s+", "", "\n".join(pages_text(render_minutes(live_sample(odd)))))
    for piece in ("<b>" + "Đ" * 150, "x" * 200, "[U+0000]", "{nb}", "[U+202E]"):
        assert piece in text, piece


# -- the live record as the minutes take it: as it stood at the signing ------------------------------------------

def test_the_live_record_is_taken_as_it_stood_at_the_signing(tmp_path):
    from sqlalchemy import insert

    from server.db import make_engine, migrate
    from server.live.consent import live_consents
    from server.live.minutes_view import sessions_of
    from server.live.recording import live_recordings
    from server.live.tables import live_attendance, live_sessions

    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    migrate(engine)
    station, expert = ("station-1", QUAN_BA, QUAN_BA), ("person:p1", BACH_MAI, f"PGS.TS Trần Quốc Đạt — {BACH_MAI}")
    signed = at(12, 0)

    def utc(moment):  # as the hub writes them (SQLite keeps the digits, not the zone)
        return moment.astimezone(timezone.utc) if moment else None

    def session(live_id, started, ended):
        conn.execute(insert(live_sessions).values(id=live_id, request_id="req", facility="02011", room=f"r-{live_id}",
                                                  room_secret="s", state="ended" if ended else "open", title="",
                                                  started_by="station-1", started_at=utc(started),
                                                  ended_at=utc(ended)))

    def attended(live_id, who, joined, left):
        conn.execute(insert(live_attendance).values(session_id=live_id, participant=f"{live_id}-{who[0]}",
                                                    who=who[0], site=who[1], display=who[2], joined_at=utc(joined),
                                                    left_at=utc(left)))

    def answered(live_id, who, agreed, moment):
        conn.execute(insert(live_consents).values(live_id=live_id, participant=who[0], site=who[1], display=who[2],
                                                  recording=agreed, at=utc(moment)))

    def recording(live_id, takes, started_at):
        conn.execute(insert(live_recordings).values(live_id=live_id, requested=True, requested_by="station-1",
                                                    running=False, pending=False, files={}, documents=[], error="",
                                                    takes=takes, started_at=utc(started_at)))
    try:
        with engine.begin() as conn:
            session("s1", at(10, 0), at(11, 0))       # before the signing, recorded (asked again later: waiting)
            attended("s1", station, at(10, 1), at(10, 20))
            attended("s1", expert, at(10, 2), at(10, 59))
            attended("s1", station, at(10, 25), at(11, 0))
            answered("s1", station, True, at(10, 3))
            answered("s1", expert, True, at(10, 4))
            answered("s1", expert, False, at(10, 50))   # withdrew: still among who consented to what was recorded
            recording("s1", takes=1, started_at=None)
            session("s2", at(10, 5), at(10, 10))       # nobody came in
            session("s3", at(11, 30), None)            # still going on at the signing; recorded only after it
            attended("s3", station, at(11, 31), at(12, 30))
            attended("s3", expert, at(12, 10), at(12, 20))
            answered("s3", station, True, at(12, 4))
            recording("s3", takes=0, started_at=at(12, 5))
            session("s4", at(12, 30), at(12, 40))      # after the signing
            attended("s4", station, at(12, 31), at(12, 40))
        with engine.connect() as conn:
            found = sessions_of(conn, "req", signed)
    finally:
        engine.dispose()
    assert [s.id for s in found] == ["s1", "s3"]
    first, going = found
    assert (first.started, first.ended, first.recorded) == (at(10, 0), at(11, 0), True)
    assert [(a.who, a.display, a.stretches) for a in first.attendees] == [
        ("station-1", QUAN_BA, ((at(10, 1), at(10, 20)), (at(10, 25), at(11, 0)))),
        ("person:p1", expert[2], ((at(10, 2), at(10, 59)),))]
    assert first.agreed == (QUAN_BA, expert[2])
    assert (going.ended, going.recorded, going.agreed) == (None, False, ())
    assert [(a.who, a.stretches) for a in going.attendees] == [("station-1", ((at(11, 31), None),))]
