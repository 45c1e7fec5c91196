from hypothesis import given, strategies as st

from app.domain.text import fold, tokens


def test_fold_strips_vietnamese_diacritics_and_d_stroke():
    assert fold("Nguyễn Văn Được") == "nguyen van duoc"
    assert fold("ĐẶNG THỊ ĐÀO") == "dang thi dao"
    assert fold("Lò Văn Sính") == "lo van sinh"


def test_tokens_split_on_anything_but_letters_and_digits():
    assert tokens("Trần-Thị  Hồng, 0912.345") == ["tran", "thi", "hong", "0912", "345"]


@given(st.text())
def test_fold_is_idempotent_and_never_longer_in_words(text):
    once = fold(text)
    assert fold(once) == once
    assert tokens(once) == tokens(text)
