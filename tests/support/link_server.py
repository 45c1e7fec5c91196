"""A stand-in for the hub's link-check endpoint on 127.0.0.1, optionally throttled
(a district link) and delayed (a long route)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LinkServer:
    def __init__(self, rate_kbps: float | None = None, delay_ms: float = 0.0):
        self.rate_kbps = rate_kbps
        self.delay_ms = delay_ms
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args):
                pass

            def _pause(self, nbytes: int = 0) -> None:
                """The route's delay once per request (nbytes=0), then the line's rate per chunk."""
                wait = server.delay_ms / 1000 if nbytes == 0 else 0.0
                if server.rate_kbps:
                    wait += nbytes * 8 / 1000 / server.rate_kbps
                if wait:
                    time.sleep(wait)

            def do_HEAD(self):
                self._pause()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                self._pause()
                size = 8 << 20
                self.send_response(200)
                self.send_header("Content-Length", str(size))
                self.end_headers()
                block = b"\0" * 16384
                try:
                    for _ in range(size // len(block)):
                        self._pause(len(block))
                        self.wfile.write(block)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_POST(self):
                self._pause()
                remaining = int(self.headers.get("Content-Length", 0))
                while remaining:
                    piece = self.rfile.read(min(16384, remaining))
                    remaining -= len(piece)
                    self._pause(len(piece))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/check"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
