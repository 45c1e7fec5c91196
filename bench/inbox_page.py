"""The experts' inbox on a district-grade link: its weight, and its load time at 1 Mbit/s and 100 ms.

A real hub (SQLite) holds 50 consultations a real station client submitted; a cardiologist of Bạch
Mai signs in through the login page in Debian's Chromium (Playwright), the link is throttled with
Chromium's network emulation (1 Mbit/s both ways, 100 ms latency), and the inbox is loaded cold
(a fresh context: nothing cached) --rounds times. The limit is the same bytes (the page's HTML and
every asset it loaded, saved as files) served by a bare static HTTP server under the same
throttle: what the link alone costs. The issue's bar is ≤ 150 KB for the page with its assets.

    python bench/inbox_page.py [--rounds 5]
"""

import argparse
import gzip
import http.server
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.lifecycle import Urgency  # noqa: E402
from app.sync.hub_client import HubClient, enroll  # noqa: E402
from server.console import accounts  # noqa: E402
from tests.integration.hub.console.support import PASSWORD, aged, make_case, submit  # noqa: E402
from tests.support.browser import chromium, new_page, record_traffic, sign_in, throttle  # noqa: E402
from tests.support.hub import RunningHub  # noqa: E402

MBIT, LATENCY_MS, ROWS = 1.0, 100, 50


def load(browser, url: str, sign_in_at: str | None = None) -> tuple[float, int, dict]:
    """(seconds to the load event, bytes on the wire, {path: body}) for one cold load of `url`."""
    page = new_page(browser)
    if sign_in_at:
        sign_in(page, sign_in_at, "tim.bachmai", PASSWORD)
    throttle(page, MBIT, LATENCY_MS)
    traffic = record_traffic(page)
    bodies = {}
    # Not the push stream: it never ends (and is not part of the page's weight).
    page.on("response", lambda r: bodies.__setitem__(urlsplit(r.url).path, r)
            if r.ok and not urlsplit(r.url).path.endswith("/events") else None)
    started = time.monotonic()
    page.goto(url, wait_until="load")
    took = time.monotonic() - started
    kept = {path: (response.body(), response.header_value("content-type") or "",
                   response.header_value("content-encoding") or "") for path, response in bodies.items()}
    page.context.close()
    return took, traffic.total_bytes, kept


def serve_static(files: dict) -> tuple[http.server.ThreadingHTTPServer, str]:
    """The page's files from memory, gzipped as the hub's middleware does (over 500 bytes), nothing computed."""
    ready = {path: (gzip.compress(body), kind, "gzip") if len(body) > 500 else (body, kind, "")
             for path, (body, kind, _) in files.items()}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # kept-alive connections, as the hub's

        def do_GET(self):
            found = ready.get(urlsplit(self.path).path)
            if found is None:
                self.send_error(404)
                return
            body, kind, encoding = found
            self.send_response(200)
            self.send_header("Content-Type", kind)
            if encoding:
                self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        hub = RunningHub(Path(tmp) / "hub").start()
        try:
            _, code = hub.register("station", facility="0100A", name="TTYT huyện Mèo Vạc")
            station = HubClient(enroll(hub.url, code))
            for n in range(ROWS):
                submit(station, aged(make_case(number=n + 1, urgency=(Urgency.ROUTINE, Urgency.URGENT)[n % 2],
                                               question="Xin ý kiến: " + "đau ngực, khó thở, " * 6), n), "0100A")
            accounts.ensure_person(hub.engine, "tim.bachmai", name="Trần Văn Tim", title="PGS.TS", password=PASSWORD,
                                   hospital="bachmai", specialty="cardiology")
            with chromium() as browser:
                hub_times, weights, bodies = [], [], {}
                for _ in range(rounds):
                    took, weight, bodies = load(browser, f"{hub.url}/console/inbox", sign_in_at=hub.url)
                    hub_times.append(took)
                    weights.append(weight)
                server, base = serve_static(bodies)
                try:
                    bare = [load(browser, f"{base}/console/inbox")[0] for _ in range(rounds)]
                finally:
                    server.shutdown()
            station.close()
        finally:
            hub.stop()
    value, limit = statistics.median(hub_times), statistics.median(bare)
    print(f"inbox with {ROWS} rows, cold, at {MBIT:g} Mbit/s and {LATENCY_MS} ms: load p50 {value * 1000:.0f} ms "
          f"(max {max(hub_times) * 1000:.0f}); {statistics.median(weights) / 1000:.1f} KB on the wire "
          f"(bar: 150 KB)")
    print(f"the same bytes from a bare static server under the same throttle: p50 {limit * 1000:.0f} ms")
    print(f"RESULT inbox_page {value * 1000:.0f} ms limit={limit * 1000:.0f} ratio={value / limit:.2f}")


if __name__ == "__main__":
    main()
