"""Measuring the link to the hub: round-trip time, upload and download throughput.

The hub (or, until a station is enrolled, any configured URL) answers GET with
data to read and accepts POST bodies. Each measure is bounded in bytes and time
so the check takes seconds even on a poor district link.
"""

import http.client
import os
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

CHUNK = 64 * 1024


class LinkUnreachable(Exception):
    pass


@dataclass(frozen=True)
class LinkMeasurement:
    rtt_ms: float
    up_kbps: float
    down_kbps: float


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise LinkUnreachable(f"not an http(s) address: {url}")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return kind(parts.hostname, parts.port, timeout=timeout), path


def measure(url: str, pings: int = 5, max_bytes: int = 4 << 20, max_seconds: float = 3.0,
            timeout: float = 10.0) -> LinkMeasurement:
    connection, path = _connection(url, timeout)
    try:
        rtts = []
        for _ in range(pings + 1):  # the first one also opens the connection: not counted
            started = time.perf_counter()
            connection.request("HEAD", path)
            response = connection.getresponse()
            response.read()
            rtts.append((time.perf_counter() - started) * 1000)
        rtt_ms = statistics.median(rtts[1:])
        down = _download(connection, path, max_bytes, max_seconds)
        up = _upload(connection, path, max_bytes // 2, max_seconds)
    except (OSError, http.client.HTTPException) as error:
        raise LinkUnreachable(str(error) or type(error).__name__) from error
    finally:
        connection.close()
    return LinkMeasurement(rtt_ms, up, down)


def _download(connection: http.client.HTTPConnection, path: str, max_bytes: int, max_seconds: float) -> float:
    connection.request("GET", path, headers={"Range": f"bytes=0-{max_bytes - 1}"})
    response = connection.getresponse()
    started, received = time.perf_counter(), 0
    while received < max_bytes and time.perf_counter() - started < max_seconds:
        chunk = response.read1(CHUNK)
        if not chunk:
            break
        received += len(chunk)
    elapsed = time.perf_counter() - started
    response.close()  # drops the rest: the connection is reopened for the upload
    connection.close()
    return received * 8 / 1000 / max(elapsed, 1e-6)


def _upload(connection: http.client.HTTPConnection, path: str, max_bytes: int, max_seconds: float) -> float:
    """Growing POSTs, each answered before the next: bytes sitting in a send buffer
    are not counted as sent, and a slow link ends the measure in seconds."""
    body = os.urandom(max_bytes)  # incompressible: a compressing proxy cannot flatter the figure
    started, sent, size = time.perf_counter(), 0, 32 * 1024
    while sent < max_bytes and time.perf_counter() - started < max_seconds:
        piece = body[:min(size, max_bytes - sent)]
        connection.request("POST", path, body=piece, headers={"Content-Type": "application/octet-stream"})
        connection.getresponse().read()
        sent += len(piece)
        size *= 2
    return sent * 8 / 1000 / max(time.perf_counter() - started, 1e-6)
