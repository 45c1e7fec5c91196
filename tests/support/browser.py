"""Playwright driving Debian's Chromium (/usr/bin/chromium): never a downloaded browser.

`chromium()` launches it headless; each `new_page` is a fresh browser context (its own cookies,
storage and cache: a fresh profile). Helpers: slow-link emulation through the DevTools protocol,
a log of every request with the bytes it moved, screenshots, and signing in through the console's
real login page.
"""

import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
# No sandbox: the tests run as root in a container; no GPU: there is none.
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}


# Live video (RECIPES.md): ICE over loopback with Janus on this machine, no mDNS names for local addresses,
# autoplay without a click; and a fake camera and microphone that need no permission prompt.
WEBRTC_ARGS = ["--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
               "--autoplay-policy=no-user-gesture-required", "--use-fake-device-for-media-stream",
               "--use-fake-ui-for-media-stream"]


@contextmanager
def chromium(extra_args=()):
    """The system Chromium, headless, under Playwright; closed on exit. `extra_args`: e.g. WEBRTC_ARGS."""
    from playwright.sync_api import sync_playwright

    if shutil.which(CHROMIUM) is None:
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *extra_args], headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, locale: str = "vi-VN"):
    """A page in a context of its own: no cookie, cache or storage shared with another test."""
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    return context.new_page()


@dataclass
class Traffic:
    """Every request a page made and, from the DevTools protocol, the bytes each moved on the wire."""
    urls: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    transferred: dict[str, int] = field(default_factory=dict)  # CDP requestId -> encoded bytes (with headers)
    requested: dict[str, str] = field(default_factory=dict)  # CDP requestId -> URL

    def foreign(self, origin: str) -> list[str]:
        """The requests that went anywhere but `origin` (scheme://host:port); data: and blob: stay local."""
        return [u for u in self.urls if urlsplit(u).scheme not in ("data", "blob") and _origin(u) != origin]

    @property
    def total_bytes(self) -> int:
        return sum(self.transferred.values())

    def bytes_where(self, wanted) -> int:
        """The bytes moved by the requests whose URL `wanted(url)` accepts."""
        return sum(n for rid, n in self.transferred.items() if wanted(self.requested.get(rid, "")))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def record_traffic(page) -> Traffic:
    """Start logging `page`'s requests (Playwright) and the bytes they moved (CDP Network.loadingFinished)."""
    traffic = Traffic()
    page.on("request", lambda request: traffic.urls.append(request.url))
    page.on("response", lambda response: traffic.statuses.__setitem__(response.url, response.status))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on("Network.requestWillBeSent",
           lambda event: traffic.requested.__setitem__(event["requestId"], event["request"]["url"]))
    cdp.on("Network.loadingFinished",
           lambda event: traffic.transferred.__setitem__(event["requestId"], int(event["encodedDataLength"])))
    page._diemcau_cdp = cdp  # kept alive with the page
    return traffic


def throttle(page, mbit_per_s: float, latency_ms: float = 0):
    """Emulate a slow link for `page` (Chromium's network emulation, as DevTools does it)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    rate = mbit_per_s * 1_000_000 / 8  # bytes per second
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency_ms,
                                                  "downloadThroughput": rate, "uploadThroughput": rate})
    return cdp


def screenshot(page, path: Path | str, **options) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), **options)
    return path


def sign_in(page, base_url: str, login: str, password: str) -> None:
    """Through the console's real login page, as a person would: the session cookie comes from the hub."""
    page.goto(f"{base_url}/console/login")
    form = page.locator("form[action='/console/login']")
    form.locator("input[name=login]").fill(login)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    if urlsplit(page.url).path.startswith("/console/login"):
        alert = page.locator("[role=alert]")
        why = alert.first.inner_text() if alert.count() else ""
        raise AssertionError(f"signing in as {login} failed: still on {page.url} {why}")


def signed_in_page(browser, hub, person, locale: str = "vi-VN"):
    """A fresh page signed in as `person` (anything with .login and .password) on `hub` (.url)."""
    page = new_page(browser, locale)
    sign_in(page, hub.url, person.login, person.password)
    return page
