"""The console's live page fits a 1280×720 and a 1366×768 screen in Chromium: the embedded viewer's footer (slice and
window readouts, "Cửa sổ C 40 W 400") and its help text are seen whole, without scrolling, in vi, en and fr, with a
long name in the top bar (it wraps onto a second line in French).

Real parts: the hub with its Janus and Orthanc (the e2e `live_hub`), a station's case with a CT, Debian's Chromium.
Screenshots of each size are left in the test's folder (look at them when it fails).
"""

import pytest

from server.console import accounts
from tests.integration.hub.console.support import PASSWORD
from tests.support.browser import WEBRTC_ARGS, chromium, new_page, screenshot, sign_in

from .test_live_browser import ct_case, station, viewer_frame  # noqa: F401 (fixtures)

SIZES = ((1280, 720), (1366, 768))

# Everything measured, in the page and in the viewer's frame: what sticks out of its box or of the screen.
PAGE = """() => { const f = document.getElementById('viewer-frame').getBoundingClientRect();
  return {pageHeight: document.documentElement.scrollHeight, pageWidth: document.documentElement.scrollWidth,
          frameBottom: f.bottom, frameRight: f.right, height: innerHeight, width: innerWidth}; }"""
VIEWER = """() => { const box = (el) => { const r = el.getBoundingClientRect();
    return {right: r.right, bottom: r.bottom, cut: el.scrollWidth > el.clientWidth + 1, text: el.innerText}; };
  const aside = document.querySelector('aside'), help = aside.querySelector('p');
  return {width: innerWidth, height: innerHeight, window: box(document.getElementById('window')),
          position: box(document.getElementById('position')), help: box(help),
          asideBottom: aside.getBoundingClientRect().bottom, asideScrolls: aside.scrollHeight > aside.clientHeight + 1}; }"""


@pytest.fixture(scope="module")
def browser():
    with chromium(WEBRTC_ARGS) as opened:
        yield opened


def test_the_live_page_shows_the_viewer_s_readouts_and_help_whole_at_1280x720_and_1366x768(
        browser, live_hub, station, ct_case, tmp_path):  # noqa: F811 (the fixtures imported above)
    live_id = station.start_live(ct_case[0])["id"]  # the station's case with its CT; it need not join

    for language, locale in (("vi", "vi-VN"), ("en", "en-GB"), ("fr", "fr-FR")):
        login = f"bs.layout.{language}"
        accounts.ensure_person(live_hub.engine, login, password=PASSWORD, name="Nguyễn Thị Phương Thảo",
                               title="PGS.TS", role="expert", hospital="bachmai", specialty="cardiology",
                               foreign=False, language=language)
        page = new_page(browser, locale)
        sign_in(page, live_hub.url, login, PASSWORD)
        page.goto(f"{live_hub.url}/console/live/{live_id}")
        page.wait_for_selector("#live[data-state=joined]", timeout=60_000)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            frame = viewer_frame(page)
            # The frame's own layout after the resize: its footer's readout shown (not the first, empty, text).
            frame.wait_for_function("() => document.getElementById('window').innerText.includes(' W ')")
            page.wait_for_function(f"() => innerWidth === {width} && innerHeight === {height}")
            shot = screenshot(page, tmp_path / f"live-{language}-{width}x{height}.png")
            where = f"{language} {width}×{height} ({shot})"
            outer = page.evaluate(PAGE)
            assert outer["pageHeight"] <= height and outer["pageWidth"] <= width, (where, outer)
            assert outer["frameBottom"] <= height and outer["frameRight"] <= width, (where, outer)
            inner = frame.evaluate(VIEWER)
            for name in ("window", "position"):
                readout = inner[name]
                assert readout["text"] and not readout["cut"], (where, name, inner)
                assert readout["right"] <= inner["width"] and readout["bottom"] <= inner["height"], (where, name, inner)
            assert not inner["asideScrolls"] and inner["help"]["bottom"] <= inner["asideBottom"], (where, inner)
        page.context.close()
