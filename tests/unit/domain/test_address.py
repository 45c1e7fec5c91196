from app.domain import address
from app.domain.text import fold


def test_the_34_provinces_after_the_2025_merger():
    names = [p.name for p in address.provinces()]
    assert len(names) == 34
    assert "Thành phố Hà Nội" in names


def test_communes_belong_to_their_province():
    hanoi = next(p for p in address.provinces() if p.name == "Thành phố Hà Nội")
    communes = address.communes(hanoi.code)
    assert any(c.name == "Phường Hoàn Kiếm" for c in communes)
    kiem = next(c for c in communes if c.name == "Phường Hoàn Kiếm")
    assert address.check_address(hanoi.code, kiem.code) == []
    other = next(p for p in address.provinces() if p.code != hanoi.code)
    assert [i.code for i in address.check_address(other.code, kiem.code)] == ["commune.province"]
    assert address.format_address("12 Hàng Bài", hanoi.code, kiem.code) == \
        "12 Hàng Bài, Phường Hoàn Kiếm, Thành phố Hà Nội"


def test_old_three_tier_text_is_kept_as_written():
    old = "Xóm 3, xã Nghi Phong, huyện Nghi Lộc, tỉnh Nghệ An"
    assert address.format_address(old, "", "") == old
    assert address.check_address("", "") == []


def test_provinces_sort_by_the_name_people_say():
    spoken = [p.spoken for p in address.provinces()]
    assert spoken == sorted(spoken, key=fold)
    hanoi = next(p for p in address.provinces() if p.name == "Thành phố Hà Nội")
    assert hanoi.spoken == "Hà Nội"
    assert spoken.index("Gia Lai") < spoken.index("Hà Nội") < spoken.index("Hà Tĩnh")
    assert {p.spoken for p in address.provinces() if p.name.startswith("Thành phố ")} == {
        "Cần Thơ", "Đà Nẵng", "Hà Nội", "Hải Phòng", "Hồ Chí Minh", "Huế"}
