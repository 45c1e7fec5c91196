"""A TCP proxy between station and hub that cuts, stalls, refuses and throttles on command."""

import queue
import socket
import struct
import threading
import time


class FaultyProxy:
    def __init__(self, target_port: int, rate_bps: float | None = None, delay_s: float = 0.0):
        self.target = ("127.0.0.1", target_port)
        self.rate = rate_bps / 8 if rate_bps else None  # bytes per second, each direction
        self.delay = delay_s
        self.down = False            # new connections are dropped at once
        self.unavailable = False     # new connections get "503 Service Unavailable", as from a hub in trouble
        self.stalled = threading.Event()  # nothing is forwarded while set
        self.cut_after: int | None = None  # cut every connection once this many upstream bytes passed
        self.upstream_bytes = 0
        self.cuts = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._budget = {"up": 0.0, "down": 0.0}
        self._stamp = {"up": time.monotonic(), "down": time.monotonic()}
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        """Every open connection dies now, as when the link drops."""
        with self._lock:
            victims, self._connections = self._connections, []
            self.cuts += 1
        for sock in victims:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        with self._lock:  # a connection being set up now is either in the list cut() closes, or closed by _accept
            self._closing = True
        self._listener.close()
        self.cut()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            if self.unavailable:
                threading.Thread(target=self._refuse, args=(client,), daemon=True).start()
                continue
            try:
                server = self._connect_upstream()
            except OSError:
                client.close()
                continue
            with self._lock:
                closing = self._closing
                if not closing:
                    self._connections += [client, server]
            if closing:
                client.close()
                server.close()
                return
            threading.Thread(target=self._pump, args=(client, server, "up"), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, "down"), daemon=True).start()

    def _connect_upstream(self) -> socket.socket:
        return socket.create_connection(self.target)

    @staticmethod
    def _refuse(client: socket.socket) -> None:
        try:
            client.settimeout(5)
            client.recv(65536)
            client.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except OSError:
            pass
        finally:
            client.close()

    def _pump(self, source: socket.socket, sink: socket.socket, direction: str) -> None:
        # Reader and writer apart: the delay is a delay line, not a pause of the whole stream.
        context = self._opened(source, sink, direction)
        line: queue.Queue = queue.Queue()
        threading.Thread(target=self._deliver, args=(line, sink, context, direction), daemon=True).start()
        try:
            while True:
                data = source.recv(16384)
                if not data:
                    break
                while self.stalled.is_set():
                    time.sleep(0.05)
                self._throttle(direction, len(data))
                self._received(context, direction, data)
                if direction == "up":
                    self.upstream_bytes += len(data)
                    if self.cut_after is not None and self.upstream_bytes >= self.cut_after:
                        self.cut_after = None
                        self.cut()
                        return
                line.put((time.monotonic() + self.delay / 2, data))  # half each way
        except OSError:
            pass
        finally:
            line.put(None)

    def _deliver(self, line: "queue.Queue", sink: socket.socket, context, direction: str) -> None:
        try:
            while (item := line.get()) is not None:
                due, data = item
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                sink.sendall(data)
                self._delivered(context, direction, data)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            self._closed(context)

    # Hooks for a proxy that watches what it carries (tests/support/campaign.py): by default, nothing.

    def _opened(self, source: socket.socket, sink: socket.socket, direction: str):
        """Called as each direction of a connection starts; what it returns comes back to the hooks below."""
        return None

    def _received(self, context, direction: str, data: bytes) -> None:
        """Bytes read from one side, before they are passed on."""

    def _delivered(self, context, direction: str, data: bytes) -> None:
        """Bytes written to the other side."""

    def _closed(self, context) -> None:
        """One direction of a connection ended."""

    def _throttle(self, direction: str, size: int) -> None:
        if self.rate is None:
            return
        with self._lock:
            now = time.monotonic()
            self._budget[direction] = min(self.rate * 0.05, self._budget[direction]
                                          + (now - self._stamp[direction]) * self.rate)
            self._stamp[direction] = now
            self._budget[direction] -= size
            wait = -self._budget[direction] / self.rate if self._budget[direction] < 0 else 0.0
        if wait:
            time.sleep(wait)


class ForgetfulProxy(FaultyProxy):
    """Connections that die unseen by the station, as when the link drops and comes back: the hub's end of
    each connection open at `forget()` is gone, the station's is not. An answer already on its way still
    arrives; the hub's close (FIN) never does; what the station sends next on such a connection is answered
    with a reset, as TCP answers a segment of a connection it no longer has. (The hub closing a kept-alive
    connection while the station sends on it is the same race, made certain.)"""

    def __init__(self, target_port: int, **kwargs):
        super().__init__(target_port, **kwargs)
        self.resets = 0
        self._open: dict[socket.socket, socket.socket] = {}   # station's socket -> the hub's
        self._forgotten: set[socket.socket] = set()

    def forget(self) -> None:
        with self._lock:
            self._forgotten.update(self._open)

    def _opened(self, source: socket.socket, sink: socket.socket, direction: str):
        station, hub = (source, sink) if direction == "up" else (sink, source)
        with self._lock:
            self._open[station] = hub
        return station

    def _received(self, context, direction: str, data: bytes) -> None:
        if direction != "up" or context not in self._forgotten:
            return
        with self._lock:
            hub = self._open.pop(context, None)
            self.resets += 1
        context.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
        context.close()
        if hub is not None:  # the hub sees it closed; close() at the end releases it
            try:
                hub.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        raise OSError("a connection the hub's end had forgotten")  # ends this pump; nothing is passed on

    def _deliver(self, line: "queue.Queue", sink: socket.socket, context, direction: str) -> None:
        super()._deliver(line, _FinWithheld(sink, context, self._forgotten) if direction == "down" else sink,
                         context, direction)


class _FinWithheld:
    """The station's socket as the hub's side of the proxy writes to it: once the connection is forgotten,
    the hub's close does not reach the station."""

    def __init__(self, sock: socket.socket, station: socket.socket, forgotten: set):
        self._sock, self._station, self._forgotten = sock, station, forgotten

    def sendall(self, data: bytes) -> None:
        self._sock.sendall(data)

    def shutdown(self, how: int) -> None:
        if self._station not in self._forgotten:
            self._sock.shutdown(how)
