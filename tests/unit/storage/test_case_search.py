from app.domain.lifecycle import Status, Urgency
from app.domain.summary import CaseQuery
from app.storage.case_search import fts_query, search_cases
from app.storage.db import open_database
from tests.conftest import seed_cases


def test_fts_query_prefixes_every_word():
    assert fts_query("Nguyễn  văn-Đ") == '"nguyen"* "van"* "d"*'
    assert fts_query(" ,. ") is None


def test_search_is_accent_insensitive_and_matches_identifiers(tmp_path):
    db = open_database(tmp_path / "s.db")
    seed_cases(db, [("Nguyễn Văn Được", "037068001234", "", Urgency.ROUTINE),
              ("Nguyễn Thị Dung", "", "DN4370123456789", Urgency.EMERGENCY),
              ("Đặng Văn Đức", "", "", Urgency.ROUTINE)])

    def names(**q):
        return [c.full_name for c in search_cases(db, CaseQuery(**q)).items]

    assert names(text="nguyen van duoc") == ["Nguyễn Văn Được"]
    assert names(text="NGUYỄN") == ["Nguyễn Thị Dung", "Nguyễn Văn Được"]
    assert names(text="dang duc") == ["Đặng Văn Đức"]
    assert names(text="037068") == ["Nguyễn Văn Được"]
    assert names(text="dn437") == ["Nguyễn Thị Dung"]
    assert names(text="0123456789") == ["Nguyễn Thị Dung"]  # BHYT's social insurance number
    assert names(text="nguyen", urgencies=frozenset({Urgency.EMERGENCY})) == ["Nguyễn Thị Dung"]
    assert names(urgencies=frozenset({Urgency.ROUTINE})) == ["Đặng Văn Đức", "Nguyễn Văn Được"]
    assert names(statuses=frozenset({Status.SUBMITTED})) == []
    assert names(text="khong co ai") == []
    assert names(text='" OR * NEAR(') == []  # FTS syntax typed by a user is just words
    db.close()


def test_search_reports_the_total_beyond_the_page(tmp_path):
    db = open_database(tmp_path / "s.db")
    seed_cases(db, [(f"Lê Văn {i}", "", "", Urgency.ROUTINE if i % 2 else Urgency.URGENT) for i in range(30)])
    page = search_cases(db, CaseQuery(text="le van", limit=10))
    assert len(page.items) == 10 and page.total == 30
    assert page.items[0].number == 30  # newest first
    page = search_cases(db, CaseQuery(text="le", urgencies=frozenset({Urgency.URGENT}), limit=10))
    assert len(page.items) == 10 and page.total == 15
    assert search_cases(db, CaseQuery(limit=5)).total == 30
    db.close()
