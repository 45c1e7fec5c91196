"""Janus's HTTP API relayed, with a process killed (SIGKILL) at an aimed moment: the first request
`kills_on(body)` picks. The request reaches Janus; then the victim is killed, and its answer is either dropped
with the connection (`answer=False`) or still handed back (`answer=True`: the caller believes Janus took it)."""

import json
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


class KillingRelay:
    def __init__(self, janus_url: str, kills_on, answer: bool = False):
        self.janus_url, self.armed, self.killed = janus_url.rstrip("/"), None, threading.Event()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._relay(None)

            def do_POST(self):
                self._relay(self.rfile.read(int(self.headers.get("content-length") or 0)))

            def _relay(self, body):
                path = self.path.removeprefix("/janus")
                try:
                    reply = httpx.request(self.command, relay.janus_url + path, content=body, timeout=60)
                except httpx.HTTPError:  # Janus is gone: so is this connection
                    self.close_connection = True
                    return
                victim = relay.armed
                if victim is not None and body and kills_on(_json(body)):
                    relay.armed = None
                    victim.send_signal(signal.SIGKILL)
                    victim.wait(30)
                    relay.killed.set()
                    if not answer:
                        self.close_connection = True
                        return
                self.send_response(reply.status_code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply.content)))
                self.end_headers()
                self.wfile.write(reply.content)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/janus"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _json(body: bytes) -> dict:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def plugin_request(body: dict) -> str:
    """The VideoRoom request a Janus message carries ("create", "join", "configure", ...), or ""."""
    inner = body.get("body")
    return inner.get("request", "") if isinstance(inner, dict) else ""
