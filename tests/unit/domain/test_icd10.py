from app.domain.icd10 import normalize_code


def test_codes_are_normalized():
    assert normalize_code(" j189 ") == "J18.9"
    assert normalize_code("J18.9") == "J18.9"
    assert normalize_code("i10") == "I10"


def test_search_by_code_prefix(icd):
    assert [e.code for e in icd.search("J18", 3)] == ["J18", "J18.0", "J18.1"]


def test_search_by_vietnamese_words_without_accents(icd):
    found = icd.search("viem phoi")
    assert "J18.9" in [e.code for e in found]
    assert icd.get("J18.9").label("vi") == "Viêm phổi, không xác định"


def test_english_label_when_no_vietnamese_one(icd):
    entry = icd.get("J18.1")
    assert entry.vi is None and entry.label("vi") == entry.label("en") == "Lobar pneumonia, unspecified"


def test_check(icd):
    assert icd.check("j189") == []
    assert [i.code for i in icd.check("J09-J18")] == ["icd.category"]
    assert [i.code for i in icd.check("Z99.999")] == ["icd.unknown"]
