"""The hub under the whole country's load: 1,000 stations each syncing one case, on PostgreSQL.

Each simulated station does what the sync engine does for a new case: a token (ES384 client
assertion), the download of replies, the case's clinical record as one transaction (Patient,
ServiceRequest, six Observations, Condition), its Task (create-once PUT), and two
DocumentReferences: 6 requests, 12 resources. Stations arrive at a steady rate (open loop) set so
the offered load is --rps requests/s. The hub runs as `diemcau-hub serve --workers N` against a
PostgreSQL with its durable defaults (fsync on). The limit is the issue's target, p99 ≤ 250 ms at
≥ 300 requests/s; for scale, a bare uvicorn endpoint is measured at the same offered rate.

    python bench/hub_load.py [--stations 1000] [--rps 330] [--workers 2]
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from app.domain.case import ConsultationCase, Patient  # noqa: E402
from app.domain.lifecycle import Urgency  # noqa: E402
from app.domain.vitals import Vitals  # noqa: E402
from app.sync.hub_client import ASSERTION_TYPE, FHIR_JSON, Credential, enroll  # noqa: E402
from app.wire import mapping  # noqa: E402
from server.local_pacs import free_port  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

REQUESTS_PER_STATION = 6


def bare_app():
    """The floor: uvicorn answering a constant JSON body, no database."""
    from fastapi import FastAPI
    from fastapi.responses import Response

    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT"])
    async def anything(path: str):
        return Response(b'{"resourceType":"OperationOutcome"}', media_type="application/json")
    return app


def wait_for(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def start_hub(folder: Path, database: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "server", "--data", str(folder), "--database", database,
                                "serve", "--port", str(port), "--workers", str(workers)],
                               stdout=subprocess.DEVNULL, stderr=open(folder / "hub.log", "wb"))
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/metadata")
    return process, url


def start_bare(workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.hub_load:bare_app", "--factory",
                                "--port", str(port), "--workers", str(workers), "--log-level", "warning",
                                "--no-access-log"], cwd=Path(__file__).resolve().parent.parent,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(url)
    return process, url


def sample_case(n: int) -> ConsultationCase:
    now = datetime.now(timezone.utc)
    return ConsultationCase(
        patient=Patient(full_name=f"Bệnh nhân {n}", birth="12/03/1961", sex="female", cccd=f"001161{n:06d}"),
        urgency=Urgency.URGENT, specialty="cardiology", hospital="bachmai", reason="Đau ngực",
        question="Có chỉ định can thiệp?", diagnosis_code="I20.0", diagnosis_text="Đau thắt ngực",
        vitals=Vitals(pulse="96", blood_pressure="150/90", spo2="94", temperature="37.2", resp_rate="22",
                      weight="58"), number=n, created_at=now, updated_at=now)


def station_requests(credential: Credential, n: int) -> list[tuple]:
    """(label, method, path, headers, body) of one station's sync of a new case, token request first."""
    import jwt

    from app.domain.attachment import Attachment, AttachmentKind

    now = int(time.time())
    assertion = jwt.encode({"iss": credential.client_id, "sub": credential.client_id,
                            "aud": credential.token_endpoint, "iat": now, "exp": now + 290,
                            "jti": uuid.uuid4().hex}, credential.private_key_pem, algorithm="ES384")
    case = sample_case(n)
    facility = credential.facility
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
        for r in mapping.case_resources(case, facility)]}
    task = mapping.task_resource(case, facility)
    json_headers = {"Content-Type": FHIR_JSON}
    out = [("token", "POST", "/auth/token", {"Content-Type": "application/x-www-form-urlencoded"},
            f"grant_type=client_credentials&client_assertion_type={ASSERTION_TYPE}"
            f"&client_assertion={assertion}".encode()),
           ("download", "GET", "/Communication?_sort=_lastUpdated&_count=200", {}, b""),
           ("transaction", "POST", "/", json_headers, json.dumps(bundle).encode()),
           ("task", "PUT", f"/Task/{task['id']}", {**json_headers, "If-None-Match": "*"}, json.dumps(task).encode())]
    for k in range(2):
        attachment = Attachment(id=str(uuid.uuid4()), case_id=case.id, sha256="0" * 64, size=30_000,
                                media_type="image/jpeg", original_name=f"anh-{k}.jpg", kind=AttachmentKind.PHOTO,
                                caption="", created_at=case.created_at)
        doc = mapping.document_reference(case, attachment, f"/files/{uuid.uuid4().hex}", "AAAA")
        out.append(("document", "PUT", f"/DocumentReference/{doc['id']}", json_headers, json.dumps(doc).encode()))
    return out


class Connection:
    """HTTP/1.1 keep-alive over asyncio streams: a load generator lean enough not to be the bottleneck."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readuntil(b"\r\n")
        length = 0
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def run_load(url: str, stations: list[list[tuple]], rps: float, with_tokens: bool) -> dict:
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    interval = REQUESTS_PER_STATION / rps
    host, port = url.removeprefix("http://").split(":")

    async def station(requests: list[tuple]) -> None:
        token = ""
        connection = Connection(host, int(port))
        try:
            for label, method, path, headers, body in requests:
                if with_tokens and token:
                    headers = {**headers, "Authorization": f"Bearer {token}"}
                started = time.perf_counter()
                try:
                    status, answer = await connection.request(method, path, headers, body)
                except (OSError, asyncio.IncompleteReadError) as error:
                    errors.append(f"{label}: {type(error).__name__}")
                    return
                latencies.setdefault(label, []).append(time.perf_counter() - started)
                if with_tokens and status >= 400 and not (label == "task" and status == 412):
                    errors.append(f"{label}: {status} {answer[:120]!r}")
                    if label == "token":
                        return
                if label == "token" and with_tokens:
                    token = json.loads(answer)["access_token"]
        finally:
            connection.close()

    tasks = []
    began = time.perf_counter()
    for n, requests in enumerate(stations):
        delay = began + n * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(station(requests)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    every = sorted(x for values in latencies.values() for x in values)
    return {"requests": len(every), "elapsed": elapsed, "rps": len(every) / elapsed, "errors": errors,
            "p50": percentile(every, 50), "p99": percentile(every, 99),
            "by_kind": {k: (percentile(sorted(v), 50), percentile(sorted(v), 99)) for k, v in latencies.items()}}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def enroll_stations(url: str, database: str, folder: Path, count: int) -> list[Credential]:
    from server import auth
    from server.db import make_engine

    engine = make_engine(database)
    codes = []
    with engine.begin() as conn:
        for n in range(count):
            facility = f"{10000 + n:05d}"
            codes.append(auth.register_client(conn, "station", f"Trạm {n}", facility=facility)[1])
    engine.dispose()
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda code: enroll(url, code, timeout=60), codes))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--rps", type=float, default=330.0, help="offered requests per second")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    postgres = PostgresServer(durable=True).start()
    hub = bare = None
    try:
        with tempfile.TemporaryDirectory() as folder:
            database = postgres.new_database()
            hub, url = start_hub(Path(folder), database, args.workers)
            print(f"enrolling {args.stations} stations ...", flush=True)
            credentials = enroll_stations(url, database, Path(folder), args.stations)
            print("preparing their requests (client assertions signed in advance) ...", flush=True)
            stations = [station_requests(replace(c, hub_url=url), n) for n, c in enumerate(credentials)]
            print(f"load: {args.stations} stations × {REQUESTS_PER_STATION} requests at {args.rps:.0f} req/s offered, "
                  f"{args.workers} hub workers, PostgreSQL fsync on", flush=True)
            result = asyncio.run(run_load(url, stations, args.rps, with_tokens=True))
            hub.terminate()
            hub.wait(10)
            hub = None
            bare, bare_url = start_bare(args.workers)
            floor = asyncio.run(run_load(bare_url, stations, args.rps, with_tokens=False))
    finally:
        for process in (hub, bare):
            if process is not None:
                process.terminate()
                process.wait(10)
        postgres.stop()
    for kind, (p50, p99) in result["by_kind"].items():
        print(f"  {kind:12} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
    print(f"hub: {result['requests']} requests in {result['elapsed']:.1f} s = {result['rps']:.0f} req/s, "
          f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, errors {len(result['errors'])}")
    if result["errors"]:
        print("  first errors:", result["errors"][:3])
    print(f"bare uvicorn at the same offered rate: {floor['rps']:.0f} req/s, p50 {floor['p50']:.1f} ms, "
          f"p99 {floor['p99']:.1f} ms")
    ok = result["rps"] >= 300 and not result["errors"]
    print(f"RESULT hub_load_throughput {result['rps']:.0f} req/s limit=300 ratio={result['rps'] / 300:.2f}")
    print(f"RESULT hub_load_p99 {result['p99']:.1f} ms limit=250 ratio={result['p99'] / 250:.2f}"
          + ("" if ok else " (throughput or errors short of the target)"))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
