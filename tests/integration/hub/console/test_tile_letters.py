"""The console's live tiles are lettered as the station letters them (static/initials.js, app/ui/live_tiles.py
initials): site names' common words left out, so TTYT huyện Mèo Vạc reads MV in the browser too, not V."""

import pytest

# tests/ui/test_live_self_tile.py's examples, and names as the hub writes displays.
EXAMPLES = [
    ("BS Nguyễn Thị Lan", "NL"), ("PGS.TS Lan", "L"), ("TTYT huyện Đồng Văn", "ĐV"),
    ("Bệnh viện Đa khoa Trung ương Cần Thơ", "CT"), ("BV Chợ Rẫy", "CR"), ("Bệnh viện K", "K"),
    ("Trạm Y tế xã Lũng Cú", "LC"), ("Trung tâm Y tế", "TT"), ("BS Lê Trung", "LT"),
    ("TTYT huyện Mèo Vạc", "MV"), ("PGS.TS Nguyễn Thị Lan — Bệnh viện Bạch Mai", "NL"), ("", "?"),
    ("Phòng khám đa khoa khu vực Tản Lĩnh, Ba Vì", "KV"), ("bệnh viện tỉnh Hà Giang", "HG"),
    ("Máy trạm này (trung tâm cục bộ)", "MN"), ("(trung tâm cục bộ)", "TB"),  # a bracketed part: no letters
]


@pytest.mark.parametrize("hub", ["sqlite"], indirect=True)
def test_the_browser_letters_a_tile_as_the_station_does(hub):
    from app.ui.live_tiles import initials
    from tests.support.browser import chromium, new_page

    names = [name for name, _ in EXAMPLES]
    with chromium() as chrome:
        page = new_page(chrome)
        page.goto(f"{hub.url}/console/login")
        lettered = page.evaluate("""async (names) => {
            const {initials} = await import('/console/static/initials.js');
            return names.map(initials);
        }""", names)
    assert dict(zip(names, lettered)) == dict(EXAMPLES)
    assert lettered == [initials(name) for name in names]  # the station's own function, word for word
