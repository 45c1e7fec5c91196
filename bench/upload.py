"""Upload goodput over a throttled, delayed link that is cut three times.

20 MB through a proxy at 8 Mbit/s with 100 ms added round trip, cut at 25 %, 50 % and 75 %
(about half a minute). The limit is the link rate itself; the ratio is the share of it that
carried file bytes that stayed. `--slow` reproduces a 2 Mbit/s district link (about 80 s).

    python bench/upload.py [--slow] [--mb 20]
"""

import argparse
import hashlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.sync.engine import CHUNK  # noqa: E402
from app.sync.hub_client import HubClient, HubUnreachable, enroll  # noqa: E402
from tests.support.faulty_proxy import FaultyProxy  # noqa: E402
from tests.support.hub import RunningHub  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slow", action="store_true", help="2 Mbit/s instead of 8")
    parser.add_argument("--mb", type=float, default=20)
    args = parser.parse_args()
    rate = 2_000_000 if args.slow else 8_000_000
    size = int(args.mb * 1_000_000)
    data = os.urandom(size)
    sha = hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory() as folder:
        hub = RunningHub(Path(folder) / "hub").start()
        proxy = FaultyProxy(hub.port, rate_bps=rate, delay_s=0.1)
        try:
            _, code = hub.register("station", facility="01234")
            client = HubClient(enroll(proxy.url, code), timeout=15)
            client.token()
            url = client.create_upload(size, sha, {"filename": "bench.bin"})
            cuts_at = [size * f // 4 for f in (1, 2, 3)]
            start_bytes, started = proxy.upstream_bytes, time.monotonic()

            def cutter():
                for mark in cuts_at:
                    while proxy.upstream_bytes - start_bytes < mark:
                        time.sleep(0.01)
                    proxy.cut()
            threading.Thread(target=cutter, daemon=True).start()
            offset, resends, chunks_sent = 0, 0, 0
            while offset < size:
                try:
                    offset = client.upload_offset(url)
                    while offset < size:
                        offset = client.upload_chunk(url, offset, data[offset:offset + CHUNK])
                        chunks_sent += 1
                except HubUnreachable:
                    resends += 1
            elapsed = time.monotonic() - started
            target = Path(folder) / "back"
            HubClient(client.credential).download(url, target)
            assert hashlib.sha256(target.read_bytes()).hexdigest() == sha, "the file arrived damaged"
            wire = proxy.upstream_bytes - start_bytes
        finally:
            proxy.close()
            hub.stop()
    goodput = size * 8 / elapsed
    resent = max(0, wire - size)
    print(f"file {size / 1e6:.1f} MB, link {rate / 1e6:.0f} Mbit/s + 100 ms, cuts {proxy.cuts}, "
          f"elapsed {elapsed:.1f} s, interrupted chunks {resends}, bytes on the wire {wire / 1e6:.2f} MB "
          f"(re-sent or overhead {resent / 1e6:.2f} MB = {resent / CHUNK:.2f} chunks of {CHUNK // 2**20} MiB)")
    print(f"RESULT upload_goodput {goodput / 1e6:.2f} Mbit/s limit={rate / 1e6:.2f} ratio={goodput / rate:.2f}")


if __name__ == "__main__":
    main()
