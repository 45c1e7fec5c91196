"""On the console's live page, tiles are lettered as the station letters them (app/ui/live_tiles.py initials,
static/initials.js): the station TTYT huyện Ba Vì reads BV and the expert PGS.TS Nguyễn Thị Lan reads NL, as at
every station, where the page used to read V and L (one letter of the last word). Real hub, Janus and station."""

from app.live.details import JoinDetails
from app.live.session import JOINED, LiveSession
from app.ui.live_tiles import initials
from tests.integration.hub.console.support import PASSWORD, make_case, submit
from tests.integration.live.conftest import Recorder, numbered_video  # noqa: F401 (a fixture)
from tests.support.browser import signed_in_page

from .test_live_browser import NO_DEVICES, STATION, browser, camera, sessions, station  # noqa: F401 (fixtures)
from .test_viewer import Person

EXPERT = "Nguyễn Thị Lan"


def test_the_page_letters_tiles_as_the_station_does(browser, live_hub, station, camera, sessions):  # noqa: F811
    from server.console import accounts

    accounts.ensure_person(live_hub.engine, "bs.lan", password=PASSWORD, name=EXPERT, title="PGS.TS",
                           role="expert", hospital="bachmai", specialty="cardiology", foreign=False, language="vi")
    case = submit(station, make_case(hospital="bachmai", specialty="cardiology"), "0100A")
    live_id = station.start_live(case.id)["id"]
    seen = Recorder()
    session = LiveSession(JoinDetails.parse(station.join_live(live_id)), seen, camera=camera)
    sessions.append(session)
    session.start()
    seen.wait(lambda: seen.state == JOINED, 20, "the station joined")

    page = signed_in_page(browser, live_hub, Person("bs.lan"))
    page.add_init_script(NO_DEVICES)  # the expert's own tile shows its letters, not a camera
    page.goto(f"{live_hub.url}/console/live/{live_id}")
    page.wait_for_selector("#live[data-state=joined]", timeout=20_000)
    theirs = page.locator(f".tile[data-display='{STATION}'] .nameplate span").first
    theirs.wait_for(state="attached")
    assert theirs.text_content() == "BV" == initials(STATION)
    mine = page.locator(".tile.mine")
    mine.wait_for()
    display = mine.get_attribute("data-display")
    assert display.startswith(f"PGS.TS {EXPERT}")
    assert mine.locator(".nameplate span").first.text_content() == "NL" == initials(display)
