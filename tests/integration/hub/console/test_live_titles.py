"""The inbox's banner of an open live session reads in the page's language, once: "Đang hội chẩn trực tuyến · ca
<code>", never the hub's Vietnamese default title after it ("Đang hội chẩn trực tuyến · Hội chẩn trực tuyến — ca …"
on every console, English and French ones too). Sessions started before the hub stopped storing that default show the
same way; a title someone typed is shown after the words.

The hub runs with a real Janus of its own (RunningHub(local_sfu=True)): starting a session makes its room there.
"""

import re

import pytest
from sqlalchemy import update

from server.live.tables import live_sessions

from .support import make_case, submit
from .test_live_views import started

WORDS = {"vi": ("Đang hội chẩn trực tuyến", "ca", "Tham gia"), "en": ("Live consultation in progress", "case", "Join"),
         "fr": ("Consultation en direct en cours", "cas", "Rejoindre")}


@pytest.fixture
def hub(hub_with_sfu):
    return hub_with_sfu


def banner_of(page: str, live_id: str) -> str:
    """The banner line of session `live_id` in a page, as text (tags and runs of blanks taken out)."""
    found = re.search(rf'<p class="live-open" data-live="{live_id}">(.*?)</p>', page, re.S)
    assert found, page[:2000]
    return " ".join(re.sub(r"<[^>]+>", " ", found[1]).split())


def retitle(hub, live_id: str, title: str) -> None:
    with hub.engine.begin() as conn:
        conn.execute(update(live_sessions).where(live_sessions.c.id == live_id).values(title=title))


def test_the_banner_says_live_consultation_once_in_the_reader_s_language_with_the_case_code(
        hub, station_client, browser):
    case = submit(station_client, make_case(), "0100A")
    host = browser("tim.bachmai")
    live_id = started(host, case.id)
    code = host.http.post(f"/console/live/{live_id}/join", headers={"X-CSRF-Token": host.csrf}).json()["case"]["code"]
    assert code.startswith("0100A-")  # the case's number, as every screen of the session names it
    readers = {language: browser(f"tim.{language}", language=language) for language in WORDS}

    def banners() -> dict[str, str]:
        out = {}
        for language, reader in readers.items():
            inbox = banner_of(reader.get("/console/inbox").text, live_id)
            pushed = banner_of(reader.get("/console/live/banners").text, live_id)  # htmx's swap: the same line
            assert inbox == pushed, (inbox, pushed)
            out[language] = inbox
        return out

    # Started without a title (the console's button never gives one), and with the hub's old stored default.
    for stored in ("", f"Hội chẩn trực tuyến — ca {code}"):
        if stored:
            retitle(hub, live_id, stored)
        for language, line in banners().items():
            words, case_word, join = WORDS[language]
            assert line == f"● {words} · {case_word} {code} — {join}", (language, stored, line)

    # A title someone typed is shown after the words, with the code when it lacks it, once when it has it.
    retitle(hub, live_id, "Sốc nhiễm khuẩn, xin ý kiến hồi sức")
    line = banners()["en"]
    assert line.startswith(f"● Live consultation in progress · case {code} · Sốc nhiễm khuẩn, xin ý kiến hồi sức — ")
    retitle(hub, live_id, f"Ca {code}: phim CT 1.5 mm")
    line = banners()["fr"]
    assert line.startswith(f"● Consultation en direct en cours · Ca {code}: phim CT 1.5 mm — "), line
    assert line.count(code) == 1
