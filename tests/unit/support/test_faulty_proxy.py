"""The fault-injecting proxy the link tests stand on must itself leave nothing open: a connection it was still
setting up when closed stayed open, and the garbage collector reported it in whatever test ran then (a CI
failure of an unrelated live test)."""

import socket
import threading

from tests.support.faulty_proxy import FaultyProxy


class _SlowToConnect(FaultyProxy):
    """Connects upstream only once told to: close() can come while a connection is half set up."""

    def __init__(self, target_port: int):
        self.connecting, self.go_on = threading.Event(), threading.Event()
        super().__init__(target_port)

    def _connect_upstream(self) -> socket.socket:
        self.connecting.set()
        self.go_on.wait(10)
        return super()._connect_upstream()


def test_a_connection_still_being_set_up_when_the_proxy_closes_is_closed_too():
    target = socket.create_server(("127.0.0.1", 0))
    proxy = _SlowToConnect(target.getsockname()[1])
    client = socket.create_connection(("127.0.0.1", proxy.port))
    try:
        assert proxy.connecting.wait(10)
        proxy.close()
        proxy.go_on.set()
        upstream, _ = target.accept()
        upstream.settimeout(10)
        client.settimeout(10)
        assert upstream.recv(1) == b""  # the proxy's end towards the target was closed
        assert client.recv(1) == b""    # and its end towards the client
        upstream.close()
    finally:
        client.close()
        target.close()
