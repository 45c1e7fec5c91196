"""A seeded, bounded fault campaign: `diemcau sync` killed and its link broken, again and again; then invariants.

Many iterations. Now and then the station submits a case (photo, recording, sometimes a document,
often CT slices; sizes varied), and `python -m app --data-dir D sync` runs as a process through a
slow relay, so bytes are in flight when it dies. It is killed with SIGKILL at random moments and at
aimed ones (0-50 ms after the relay delivered a chosen kind of hub answer: the transaction, the
Task PUT, a tus POST/HEAD/PATCH, the DocumentReference PUT, a STOW, a QIDO ...), and the relay
cuts, stalls, answers 503 and goes down. An expert answers now and then. After the iterations, a
clean pass in the test process, and the checks against the hub's database, its API and the PACS:
every record exactly once (by id and by content), every file byte-identical, every DICOM instance
in the PACS once, every case in the state its rows and answers imply, nothing pending.

Every decision is drawn from random.Random(seed): a failure starts with its seed and the iteration
log, and DIEMCAU_CAMPAIGN_SEED=<seed> plays the same plan again (the timing of the link, not quite).
"""

import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.faulty_proxy import FaultyProxy

MB = 1024 * 1024
FACILITY = "01234"
REPO = Path(__file__).resolve().parents[2]

MID_BODY_MIN = 1 * MB     # a kill "mid body" is aimed at requests this big or bigger
RUN_BOUND_S = 25.0        # one `diemcau sync` longer than this is killed ("bounded")
MAX_ACTIVE_CASES = 3      # cases submitted and not yet at the hub, at most (so kills land on work)
CLEAN_PASSES = 8          # the clean pass: at most this many sync passes ...
CLEAN_PASS_BOUND_S = 240.0  # ... and this long
REFUSED_AFTER = timedelta(hours=1)  # a row told to wait longer than this is held as refused

# The answers a kill is aimed after (request kinds as the relay sees them).
AIMED_KINDS = ("transaction", "task", "tus-post", "tus-head", "tus-patch", "docref", "stow", "qido",
               "imagingstudy", "search", "token")

NAMES = ("Hoàng Thị Lan", "Nguyễn Văn Minh", "Trần Thị Hồng", "Lê Văn Đức", "Phạm Thị Mai", "Vũ Văn Hải",
         "Đặng Thị Thu", "Bùi Văn Nam", "Đỗ Thị Hạnh", "Ngô Văn Tùng")


def answer_kind(method: str, target: str) -> str:
    """What a request is, for the campaign: the kind of hub answer a kill can be aimed after."""
    path = urlsplit(target).path or "/"
    parts = [p for p in path.split("/") if p]
    if method == "POST" and not parts:
        return "transaction"
    if method == "POST" and parts == ["auth", "token"]:
        return "token"
    if method == "POST" and parts == ["enroll"]:
        return "enroll"
    if parts[:1] == ["files"]:
        if method == "POST" and len(parts) == 1:
            return "tus-post"
        return {"HEAD": "tus-head", "PATCH": "tus-patch", "GET": "file-get"}.get(method, "tus-other")
    if parts[:1] == ["dicomweb"]:
        if method == "POST":
            return "stow"
        if method == "GET" and len(parts) == 4 and parts[1] == "studies" and parts[3] == "instances":
            return "qido"
        return "pacs-probe" if len(parts) == 1 else "dicomweb-other"
    if method == "PUT" and len(parts) == 2:
        return {"Task": "task", "DocumentReference": "docref", "ImagingStudy": "imagingstudy"}.get(parts[0], "put")
    if method == "GET" and len(parts) == 1:
        return "search"
    if method == "GET" and len(parts) == 2:
        return "read"
    return "other"


# -- the relay -----------------------------------------------------------------------------------

class _HttpStream:
    """One direction of an HTTP/1.1 connection, followed as it passes: where each message begins and ends.

    `on_head(start_line, headers)` says how the body is framed: "framed" (Content-Length or chunked;
    none for a request without either), "framed-or-close" (a response: until the connection closes
    when neither), "none", or None for an informational 1xx. `on_body(n)` as body bytes pass,
    `on_end()` when the message is complete.
    Never raises: what it cannot follow, it stops following (`lost`).
    """

    def __init__(self, on_head, on_end, on_body=None):
        self._on_head, self._on_end, self._on_body = on_head, on_end, on_body
        self._buf = bytearray()
        self._state = "head"
        self._remaining = 0
        self.lost = False

    def feed(self, data: bytes) -> None:
        if self.lost:
            return
        try:
            self._feed(data)
        except Exception:  # noqa: BLE001 - a relay thread must not die of a parse
            self.lost = True

    def _feed(self, data: bytes) -> None:
        while data:
            if self._state in ("body", "chunk"):
                take = min(self._remaining, len(data))
                self._remaining -= take
                data = data[take:]
                if self._on_body is not None:
                    self._on_body(take)
                if self._remaining == 0:
                    if self._state == "body":
                        self._end()
                    else:
                        self._state = "size"
                continue
            if self._state == "close":
                return
            terminator = b"\r\n\r\n" if self._state == "head" else b"\r\n"
            self._buf += data
            at = self._buf.find(terminator)
            if at < 0:
                if len(self._buf) > 256 * 1024:
                    self.lost = True
                return
            unit, data = bytes(self._buf[:at]), bytes(self._buf[at + len(terminator):])
            self._buf.clear()
            self._unit(unit)

    def _unit(self, unit: bytes) -> None:
        if self._state == "head":
            lines = unit.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            framing = self._on_head(lines[0], headers)
            if framing is None:
                return
            if framing == "none":
                self._end()
            elif "chunked" in headers.get("transfer-encoding", "").lower():
                self._state = "size"
            elif int(headers.get("content-length") or 0) > 0:
                self._state, self._remaining = "body", int(headers["content-length"])
            elif "content-length" in headers or framing == "framed":
                self._end()
            else:
                self._state = "close"
        elif self._state == "size":
            size = int(unit.split(b";")[0].strip() or b"0", 16)
            if size:
                self._state, self._remaining = "chunk", size + 2  # the data and its CRLF
            else:
                self._state = "trailer"
        elif self._state == "trailer" and not unit:
            self._end()

    def _end(self) -> None:
        self._state = "head"
        self._on_end()


class _Connection:
    """One station connection through the relay: its requests, and the answers it was given."""

    def __init__(self, relay: "CampaignProxy", client: socket.socket, server: socket.socket, generation: int):
        self.relay, self.client, self.server, self.generation = relay, client, server, generation
        self.pending: deque = deque()  # (method, target) of the requests not answered yet
        self.up = _HttpStream(self._request_head, lambda: None, self._request_body)
        self.down = _HttpStream(self._response_head, self._response_end)
        self.ended = 0
        self._answer = ("?", "/", 0)
        self._sending = ("", 0, 0)  # the request going up: (kind, body bytes passed, body length)

    def _request_head(self, start: str, headers: dict) -> str:
        method, target = (start.split(" ") + ["/"])[:2]
        self.pending.append((method, target))
        self._sending = (answer_kind(method, target), 0, int(headers.get("content-length") or 0))
        return "framed"

    def _request_body(self, size: int) -> None:
        kind, passed, length = self._sending
        self._sending = (kind, passed + size, length)
        self.relay.sending(self, kind, passed, passed + size, length)

    def _response_head(self, start: str, headers: dict) -> str | None:
        status = int(start.split(" ")[1])
        if 100 <= status < 200:
            return None
        method, target = self.pending.popleft() if self.pending else ("?", "/")
        self._answer = (method, target, status)
        return "none" if method == "HEAD" or status in (204, 304) else "framed-or-close"

    def _response_end(self) -> None:
        self.relay.answered(self, *self._answer)


@dataclass
class Aim:
    """Kill `delay_s` after the station got its `nth` answer of `kind` in this run; or, for a kind
    "mid <kind>", once the relay has taken `fraction` of the body of the `nth` such request that carries at
    least MID_BODY_MIN bytes (a small body leaves nothing in flight)."""
    kind: str
    nth: int
    delay_s: float
    generation: int
    fire: object  # fire(reason: str)
    fraction: float = 0.5
    count: int = 0
    hit: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def seen(self, status: int | None) -> None:
        with self._lock:
            self.count += 1
            if self.count != self.nth:
                return
            self.hit = self.kind if status is None else f"{self.kind} {status}"
        timer = threading.Timer(self.delay_s, self.fire, args=(f"aimed {self.hit}",))
        timer.daemon = True
        timer.start()


class CampaignProxy(FaultyProxy):
    """The fault proxy, following HTTP on each connection: it knows each answer the station was given.

    `aim` kills after a chosen answer; `answers` counts what the station got, by kind and status.
    Connections that end are closed and forgotten (a campaign opens thousands).
    """

    def __init__(self, target_port: int, rate_bps: float | None = None):
        self.generation = 0       # connections accepted from now on belong to this run
        self.aim: Aim | None = None
        self.answers: Counter = Counter()
        self.unusual: dict[int, Counter] = defaultdict(Counter)  # run -> answers other than 2xx, by kind
        self._by_client: dict[int, _Connection] = {}
        super().__init__(target_port, rate_bps)

    def set_rate(self, rate_bps: float | None) -> None:
        self.rate = rate_bps / 8 if rate_bps else None

    def sending(self, conn: _Connection, kind: str, before: int, after: int, length: int) -> None:
        aim = self.aim
        if (aim is not None and conn.generation == aim.generation and aim.kind == f"mid {kind}"
                and length >= MID_BODY_MIN):
            mark = aim.fraction * length
            if before < mark <= after:
                aim.seen(None)

    def answered(self, conn: _Connection, method: str, target: str, status: int) -> None:
        kind = answer_kind(method, target)
        self.answers[f"{kind} {status}"] += 1
        if not 200 <= status < 300:
            self.unusual[conn.generation][f"{kind} {status}"] += 1
        aim = self.aim
        if aim is not None and conn.generation == aim.generation and kind == aim.kind:
            aim.seen(status)

    def open_connections(self) -> int:
        with self._lock:
            return len(self._by_client)

    def _connection(self, client: socket.socket, server: socket.socket) -> _Connection:
        with self._lock:
            conn = self._by_client.get(id(client))
            if conn is None:
                conn = self._by_client[id(client)] = _Connection(self, client, server, self.generation)
            return conn

    def _opened(self, source: socket.socket, sink: socket.socket, direction: str) -> _Connection:
        client, server = (source, sink) if direction == "up" else (sink, source)
        return self._connection(client, server)

    def _received(self, conn: _Connection, direction: str, data: bytes) -> None:
        if direction == "up":
            conn.up.feed(data)

    def _delivered(self, conn: _Connection, direction: str, data: bytes) -> None:
        if direction == "down":  # delivered: the station has this answer now
            conn.down.feed(data)

    def _closed(self, conn: _Connection) -> None:
        self._ended(conn)

    def _ended(self, conn: _Connection) -> None:
        with self._lock:
            conn.ended += 1
            if conn.ended < 2:
                return
            self._by_client.pop(id(conn.client), None)
            self._connections = [s for s in self._connections if s is not conn.client and s is not conn.server]
        for sock in (conn.client, conn.server):
            try:
                sock.close()
            except OSError:
                pass


# -- the campaign ---------------------------------------------------------------------------------

@dataclass
class Plan:
    rate_mbps: float
    kill: str                                   # aimed, random, none
    aim_kind: str = ""
    aim_nth: int = 1
    aim_delay_s: float = 0.0
    aim_fraction: float = 0.5
    kill_at_s: float = 0.0
    faults: list = field(default_factory=list)  # (at s, kind, seconds)
    cut_after: int | None = None
    answer_at_s: float | None = None
    submit_at_s: float | None = None
    after_kill: str = "at once"                 # at once (the dead process's bytes still arriving), cut, pause
    pause_s: float = 0.0

    def describe(self) -> str:
        aimed = (f"kill at {self.aim_fraction:.0%} of {self.aim_kind[4:]} #{self.aim_nth}'s body"
                 if self.aim_kind.startswith("mid ") else
                 f"kill {self.aim_delay_s * 1000:.0f} ms after {self.aim_kind} #{self.aim_nth}")
        kill = {"aimed": aimed,
                "random": f"kill at {self.kill_at_s:.2f} s", "none": "no kill"}[self.kill]
        parts = [f"{self.rate_mbps:g} Mbit/s", kill]
        parts += [f"{kind}@{at:.2f}s/{d:.1f}s" for at, kind, d in self.faults]
        if self.cut_after is not None:
            parts.append(f"cut after {self.cut_after // 1024} KiB")
        if self.answer_at_s is not None:
            parts.append(f"expert@{self.answer_at_s:.2f}s")
        if self.submit_at_s is not None:
            parts.append(f"submit@{self.submit_at_s:.2f}s")
        if self.kill != "none":
            parts.append(f"then {self.after_kill}" + (f" {self.pause_s:.1f}s" if self.after_kill == "pause" else ""))
        return ", ".join(parts)


class CampaignError(AssertionError):
    pass


class Campaign:
    """One station, one hub with a PACS, one expert; `run()` then `failure()` (None when all held)."""

    def __init__(self, folder: Path, seed: int, seconds: float, hub_database_url: str | None = None,
                 progress_every_s: float = 0.0):
        import random

        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.seed, self.seconds = seed, seconds
        self.rng = random.Random(seed)
        self.hub_database_url = hub_database_url
        self.progress_every_s = progress_every_s
        self.data_dir = self.folder / "station"
        self.runs_dir = self.folder / "runs"
        self.runs_dir.mkdir(exist_ok=True)
        self.log_path = self.folder / "iterations.log"
        self._log_file = self.log_path.open("w", encoding="utf-8")
        self._log_tail: deque = deque(maxlen=60)
        self.figures: Counter = Counter()
        self.kills: Counter = Counter()
        self.faults: Counter = Counter()
        self.problems: list[tuple[str, str]] = []    # (category, what)
        self.case_ids: list[str] = []
        self._unsettled: set[str] = set()
        self.messages: dict[str, list[tuple[str, str]]] = defaultdict(list)  # case -> [(message id, kind)]
        self.refused: dict[int, str] = {}            # outbox seq -> first refusal seen
        self.iterations = 0
        self._estimate_s = 3.0                       # how long a whole sync run takes, lately
        self._proc: subprocess.Popen | None = None
        self._kill_lock = threading.Lock()
        self._kill_reason = ""
        self.orthanc = self.hub = self.proxy = self.station = self.expert = None
        self._started = time.monotonic()

    # -- set-up and tear-down ------------------------------------------------------------------

    def start(self) -> None:
        from app.services.station import Station
        from app.sync.hub_client import HubClient, enroll
        from server.local_pacs import LocalOrthanc
        from tests.support.hub import RunningHub

        self.orthanc = LocalOrthanc(self.folder / "orthanc").start()
        self.hub = RunningHub(self.folder / "hub", self.hub_database_url, pacs_url=self.orthanc.dicomweb_url).start()
        self.proxy = CampaignProxy(self.hub.port)
        self.station = Station(self.data_dir)
        _, code = self.hub.register("station", facility=FACILITY, name="TTYT Mèo Vạc")
        self.station.sync.enroll(self.proxy.url, code)
        self.client_id = self.station.sync.credential().client_id
        _, code = self.hub.register("expert", hospital="bachmai", specialty="cardiology", name="Bs. Trần Văn Tim")
        self.expert = HubClient(enroll(self.hub.url, code), timeout=20)

    def close(self) -> None:
        proc = self._proc
        self._kill("closing")
        if proc is not None:
            proc.wait(30)  # our own child, killed: reaped, not left a zombie
            self._proc = None
        for closing in (lambda: self.expert.close(), lambda: self.station.close(), lambda: self.proxy.close(),
                        lambda: self.hub.stop(), lambda: self.orthanc.stop(), lambda: self._log_file.close()):
            try:
                closing()
            except Exception:  # noqa: BLE001 - tear everything down that was started
                pass

    # -- the log --------------------------------------------------------------------------------

    def log(self, text: str) -> None:
        line = f"[{time.monotonic() - self._started:7.2f}s] {text}"
        self._log_tail.append(line)
        self._log_file.write(line + "\n")
        self._log_file.flush()

    def problem(self, category: str, what: str) -> None:
        self.problems.append((category, what))
        self.log(f"PROBLEM {category}: {what}")

    # -- the whole campaign ---------------------------------------------------------------------

    def run(self) -> None:
        """Iterations for `seconds`, a clean pass, the checks. Errors of the harness itself name the seed too."""
        stage = "start"
        try:
            self.start()
            stage = "iterations"
            self.log(f"seed {self.seed}: {self.seconds:g} s of iterations")
            deadline = time.monotonic() + self.seconds
            next_progress = time.monotonic() + self.progress_every_s
            while time.monotonic() < deadline and self.iterations < max(20, int(self.seconds * 4)):
                self.iterations += 1
                self.iterate(self.iterations)
                if self.progress_every_s and time.monotonic() >= next_progress:
                    next_progress += self.progress_every_s
                    print(f"campaign seed {self.seed}: {self.iterations} iterations, {sum(self.kills.values())} "
                          f"kills, {len(self.case_ids)} cases, {len(self.problems)} problems so far", flush=True)
            stage = "clean pass"
            self.clean_pass()
            stage = "checks"
            self.check()
        except Exception as error:
            self.log(traceback.format_exc())
            raise CampaignError(f"seed {self.seed}: the campaign harness failed during {stage} "
                                f"(iteration {self.iterations}): {type(error).__name__}: {error}\n"
                                + self.log_excerpt()) from error

    # -- cases and answers ------------------------------------------------------------------------

    def submit(self, station=None) -> str:
        """A case as a doctor sends it, sizes from the seed: photo, recording, maybe a document, maybe a CT."""
        from app.domain.attachment import AttachmentKind
        from app.domain.lifecycle import Urgency
        from app.domain.vitals import Vitals
        from tests.support.dicom_series import ct_series

        station = station or self.station
        rng = self.rng
        photo = rng.choice([6_000, 40_000, 150_000, 600_000])
        audio = rng.choices([20_000, 300_000, 2 * MB, 5 * MB, 9 * MB], weights=[30, 25, 22, 15, 8])[0]
        document = rng.choice([0, 0, 0, 80_000, 1_500_000])
        slices = rng.choices([0, 2, 5, 9], weights=[30, 25, 30, 15])[0]
        size = rng.choice([64, 128, 256])
        key_images = rng.randint(0, min(2, slices))
        cases = station.cases
        case = cases.create_case()
        case = cases.save_draft(replace(
            case, patient=replace(case.patient, full_name=rng.choice(NAMES), birth="12/03/1961", sex="female",
                                  cccd="001161012345", bhyt="DN4010123456789", phone="0912345678"),
            urgency=rng.choice([Urgency.URGENT, Urgency.ROUTINE, Urgency.EMERGENCY]), reason="Đau ngực, khó thở",
            question="Có chỉ định can thiệp mạch vành?", history="Tăng huyết áp 10 năm", examination="Tim nhịp đều",
            specialty="cardiology", hospital="bachmai", diagnosis_code="I20.0",
            diagnosis_text="Đau thắt ngực không ổn định",
            vitals=Vitals(pulse="96", blood_pressure="150/90", spo2="94", temperature="37.2", resp_rate="22",
                          weight="58")))
        station.attachments.add_bytes(case.id, b"\xff\xd8\xff\xe0" + rng.randbytes(photo), "anh-ecg.jpg",
                                      AttachmentKind.PHOTO)
        station.attachments.add_bytes(case.id, b"fLaC" + rng.randbytes(audio), "ghi-am-tim.flac",
                                      AttachmentKind.AUDIO)
        if document:
            station.attachments.add_bytes(case.id, b"%PDF-1.4\n" + rng.randbytes(document), "xet-nghiem.pdf",
                                          AttachmentKind.LAB)
        if slices:
            station.imports.import_paths(case.id, ct_series(self.folder / "ct" / case.id[:8], slices=slices,
                                                            size=size))
            images = sorted((a for a in station.attachments.list(case.id) if a.kind == AttachmentKind.IMAGING),
                            key=lambda a: a.original_name)
            for attachment in images[:key_images]:
                station.imaging.set_key_image(case.id, attachment.id, 0, True)
        cases.mark_ready(case.id)
        cases.submit(case.id)
        self.case_ids.append(case.id)
        self._unsettled.add(case.id)
        total = photo + audio + document + slices * (size * size * 2)
        self.figures["cases"] += 1
        self.log(f"submitted case {case.id}: photo {photo // 1000} kB, audio {audio // 1000} kB, document "
                 f"{document // 1000} kB, {slices} slices of {size}x{size} ({key_images} key), ~{total // 1000} kB")
        return case.id

    def expert_answers(self) -> None:
        """The expert writes on a case the hub has (its ServiceRequest), rarely a second time."""
        from sqlalchemy import select

        from app.wire import mapping
        from server.tables import resources

        with self.hub.engine.connect() as conn:
            on_hub = set(conn.execute(select(resources.c.id).where(resources.c.type == "ServiceRequest")).scalars())
        known = [c for c in self.case_ids if c in on_hub]
        fresh = [c for c in known if c not in self.messages]
        if not known:
            self.log("expert: no case on the hub yet")
            return
        case_id = self.rng.choice(fresh) if fresh and self.rng.random() < 0.85 else self.rng.choice(known)
        kind = self.rng.choices(["conclusion", "answer", "question"], weights=[50, 25, 25])[0]
        message_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        case = self.station.cases.get_case(case_id)
        try:
            self.expert.put(mapping.communication_resource(message_id, case_id, case.patient.id,
                                                           f"Ý kiến {kind} cho ca {case_id[:8]}", kind,
                                                           {"display": "Bs. Trần Văn Tim"}))
        except Exception as error:  # noqa: BLE001 - the hub refusing an expert is a finding
            self.problem("expert", f"the expert could not write {kind} {message_id} on case {case_id}: {error}")
            return
        self.messages[case_id].append((message_id, kind))
        self.figures[f"expert {kind}s"] += 1
        self.log(f"expert: {kind} {message_id} on case {case_id}")

    def _active_cases(self) -> int:
        """Cases submitted and not at the hub yet (once there, a case does not come back)."""
        from app.domain.lifecycle import Status

        self._unsettled = {c for c in self._unsettled if self.station.cases.get_case(c).status == Status.SUBMITTED}
        return len(self._unsettled)

    def _pending_kinds(self) -> Counter:
        """What the outbox holds, as the kinds of answer its sending gets."""
        from sqlalchemy import select

        from app.storage.attachments import AttachmentRepository
        from app.storage.models import OutboxRow

        found: Counter = Counter()
        with self.station.db.transaction() as session:
            rows = session.execute(select(OutboxRow.kind, OutboxRow.ref_id, OutboxRow.upload_url)
                                   .where(OutboxRow.done_at.is_(None))).all()
            repo = AttachmentRepository()
            for kind, ref_id, upload_url in rows:
                if kind == "case":
                    found["transaction"] += 1
                elif kind == "task":
                    found["task"] += 1
                elif kind == "file":
                    attachment = repo.get(session, ref_id)
                    size = attachment.size if attachment is not None else 0
                    if attachment is not None and attachment.media_type == "application/dicom":
                        found["dicom"] += 1
                        found["dicom bytes"] += size
                    else:
                        found["file"] += 1
                        found["new-file"] += 0 if upload_url else 1
                        found["big-file"] += size >= MID_BODY_MIN
        return found

    # -- one iteration ----------------------------------------------------------------------------

    def plan(self, n: int) -> Plan:
        rng = self.rng
        est = max(1.5, min(self._estimate_s, 15.0))
        plan = Plan(rate_mbps=rng.choices([8, 16, 24, 40, 64], weights=[25, 30, 20, 15, 10])[0],
                    kill=rng.choices(["aimed", "random", "none"], weights=[45, 40, 15])[0])
        pending = self._pending_kinds()
        weights = {"search": 0.4, "token": 0.2}
        if pending["transaction"]:
            weights["transaction"] = 2.0
        if pending["task"] or pending["transaction"]:
            weights["task"] = 2.0
        if pending["file"]:
            weights.update({"tus-head": 2.0, "tus-patch": 3.0, "docref": 2.0})
            if pending["big-file"]:
                weights["mid tus-patch"] = 4.0
            if pending["new-file"]:
                weights["tus-post"] = 1.5
        if pending["dicom"]:
            weights.update({"stow": 3.0, "qido": 2.0, "imagingstudy": 1.0})
            if pending["dicom bytes"] >= MID_BODY_MIN:
                weights["mid stow"] = 1.0
        kinds = sorted(weights)
        plan.aim_kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        plan.aim_nth = rng.choices([1, 2, 3], weights=[60, 25, 15])[0]
        plan.aim_delay_s = rng.uniform(0.0, 0.05)
        plan.aim_fraction = rng.uniform(0.05, 0.7)
        plan.kill_at_s = rng.uniform(0.6, 0.9 + est)  # the process needs about 0.9 s to start
        for _ in range(rng.choices([0, 1, 2], weights=[45, 40, 15])[0]):
            kind = rng.choices(["cut", "stall", "503", "outage", "cut-after"], weights=[30, 25, 15, 15, 15])[0]
            if kind == "cut-after":
                plan.cut_after = rng.randint(20_000, 8 * MB)
            else:
                plan.faults.append((rng.uniform(0.9, 1.0 + est), kind, rng.uniform(0.2, 3.5)))
        plan.faults.sort()
        if rng.random() < 0.15:
            plan.answer_at_s = rng.uniform(0.3, 0.5 + est)
        if rng.random() < 0.08:
            plan.submit_at_s = rng.uniform(0.3, 0.5 + est)
        # Restarted at once, the next process meets the dead one's bytes still arriving at the hub.
        at_once = 85 if plan.kill == "aimed" and plan.aim_kind.startswith("mid ") else 50
        plan.after_kill = rng.choices(["at once", "cut", "pause"], weights=[at_once, 20, 25])[0]
        plan.pause_s = rng.uniform(0.3, 2.0)
        return plan

    def iterate(self, n: int) -> None:
        rng = self.rng
        active = self._active_cases()
        wants = 0.9 if active == 0 else 0.35
        if active < MAX_ACTIVE_CASES and rng.random() < wants:
            self.submit()
        plan = self.plan(n)
        self.log(f"#{n}: {plan.describe()}")
        proxy = self.proxy
        proxy.set_rate(plan.rate_mbps * 1_000_000)
        proxy.generation = n
        if plan.cut_after is not None:
            proxy.cut_after = proxy.upstream_bytes + plan.cut_after
            self.faults["cut-after"] += 1
        events: list[tuple[float, str]] = []
        for at, kind, seconds in plan.faults:
            events += [(at, f"{kind} on"), (at + seconds, f"{kind} off")]
            self.faults[kind] += 1
        if plan.kill == "random":
            events.append((plan.kill_at_s, "kill"))
        if plan.answer_at_s is not None:
            events.append((plan.answer_at_s, "answer"))
        if plan.submit_at_s is not None:
            events.append((plan.submit_at_s, "submit"))
        events.sort()
        out, err = self.runs_dir / f"{n}.out", self.runs_dir / f"{n}.err"
        self._kill_reason = ""
        with out.open("wb") as stdout, err.open("wb") as stderr:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "app", "--data-dir", str(self.data_dir), "sync", "--json"],
                stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, cwd=REPO,
                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        proc = self._proc
        started = time.monotonic()
        if plan.kill == "aimed":
            proxy.aim = Aim(plan.aim_kind, plan.aim_nth, 0.0 if plan.aim_kind.startswith("mid ") else plan.aim_delay_s,
                            n, self._kill, plan.aim_fraction)
        while not _exited(proc.pid):
            now = time.monotonic() - started
            while events and events[0][0] <= now:
                self._event(events.pop(0)[1])
            if now > RUN_BOUND_S:
                self._kill("bounded")
            if now > RUN_BOUND_S + 30:
                raise RuntimeError(f"`diemcau sync` (pid {proc.pid}) did not die after SIGKILL")
            time.sleep(0.005)
        elapsed = time.monotonic() - started
        aim, proxy.aim = proxy.aim, None
        with self._kill_lock:
            self._proc = None
            code = proc.wait()
        for _, what in events:  # what the plan had not come to yet
            if what in ("answer", "submit"):
                self._event(what)
        proxy.stalled.clear()
        proxy.unavailable = proxy.down = False
        proxy.cut_after = None
        outcome = self._outcome(n, code, elapsed, plan, aim, out, err)
        unusual = proxy.unusual.pop(n, None)
        self.log(f"#{n}: {outcome}" + (f" [answers: {', '.join(f'{k} x{v}' for k, v in unusual.items())}]"
                                       if unusual else ""))
        if code == -signal.SIGKILL:
            if plan.after_kill == "cut":
                proxy.cut()
            elif plan.after_kill == "pause":
                time.sleep(plan.pause_s)
        self._check_database(n)
        self._check_refusals(n)

    def _event(self, what: str) -> None:
        proxy = self.proxy
        if what == "kill":
            self._kill("random")
        elif what == "answer":
            self.expert_answers()
        elif what == "submit":
            if self._active_cases() < MAX_ACTIVE_CASES + 1:
                self.submit()
        elif what == "cut on":
            proxy.cut()
        elif what == "stall on":
            proxy.stalled.set()
        elif what == "stall off":
            proxy.stalled.clear()
        elif what == "503 on":
            proxy.unavailable = True
            proxy.cut()  # a kept-alive connection would never see it
        elif what == "503 off":
            proxy.unavailable = False
        elif what == "outage on":
            proxy.down = True
            proxy.cut()
        elif what == "outage off":
            proxy.down = False

    def _kill(self, reason: str) -> None:
        """SIGKILL the running `diemcau sync`, once; never a process already reaped (its pid may be reused)."""
        with self._kill_lock:
            proc = self._proc
            if proc is None or self._kill_reason:
                return
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except OSError:
                return
            self._kill_reason = reason

    def _outcome(self, n: int, code: int, elapsed: float, plan: Plan, aim: Aim | None, out: Path, err: Path) -> str:
        if code == -signal.SIGKILL:
            reason = self._kill_reason or "?"
            self.kills[reason] += 1
            self.figures["runs killed"] += 1
            text = f"killed ({reason}) after {elapsed:.2f} s"
        else:
            if plan.kill == "aimed" and aim is not None and not aim.hit:
                self.kills[f"aim missed: {plan.aim_kind} #{plan.aim_nth}"] += 1
            elif self._kill_reason:
                self.kills[f"too late: {self._kill_reason}"] += 1
            self._estimate_s = 0.7 * self._estimate_s + 0.3 * elapsed
            try:
                summary = json.loads(out.read_text(encoding="utf-8").strip().splitlines()[-1])
            except (ValueError, IndexError):
                summary = None
            if code not in (0, 1) or summary is None:
                self.figures["runs crashed"] += 1
                tail = err.read_text(encoding="utf-8", errors="replace")[-1500:]
                self.problem("crash", f"iteration {n}: `diemcau sync` exited {code} after {elapsed:.2f} s: {tail}")
                return f"exited {code} after {elapsed:.2f} s (crash)"
            self.figures["runs online" if summary["online"] else "runs offline"] += 1
            for case_id, why in summary.get("failed_cases", {}).items():
                self.figures["runs with a refused case"] += 1
                self.log(f"#{n}: the station holds case {case_id} as refused: {why}")
            text = (f"exited {code} after {elapsed:.2f} s: {'online' if summary['online'] else 'offline'}, "
                    f"sent {summary['sent']}, {len(summary['synced_cases'])} synced, "
                    f"{len(summary['new_answers'])} answered, {summary['unsent']} waiting"
                    + (f"; error: {summary['error'][:160]}" if summary.get("error") else ""))
            err.unlink(missing_ok=True)
        out.unlink(missing_ok=True)
        return text

    def _check_database(self, n: int) -> None:
        """SQLite intact after every kill."""
        conn = sqlite3.connect(f"file:{self.data_dir / 'station.db'}?mode=ro", uri=True, timeout=30)
        try:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
        if verdict != "ok":
            self.problem("sqlite", f"iteration {n}: the station's database fails quick_check: {verdict}")

    def _check_refusals(self, n: int) -> None:
        """Nothing in this campaign deserves a refusal: every row is valid, every fault passes."""
        from sqlalchemy import select

        from app.storage.models import OutboxRow
        from app.storage.stamps import to_db

        horizon = to_db(datetime.now(timezone.utc) + REFUSED_AFTER)
        with self.station.db.transaction() as session:
            rows = session.execute(select(OutboxRow.seq, OutboxRow.case_id, OutboxRow.kind, OutboxRow.last_error)
                                   .where(OutboxRow.done_at.is_(None), OutboxRow.next_try_at > horizon)).all()
        for seq, case_id, kind, error in rows:
            if seq not in self.refused:
                self.refused[seq] = error
                self.problem("refused", f"iteration {n}: case {case_id} {kind} row {seq} held back for hours: {error}")

    # -- after the iterations ----------------------------------------------------------------------

    def clean_pass(self) -> None:
        """No faults: the station (opened afresh, as after a restart) syncs until nothing is left."""
        from app.domain.lifecycle import Status
        from app.services.station import Station

        proxy = self.proxy
        proxy.set_rate(None)
        proxy.stalled.clear()
        proxy.unavailable = proxy.down = False
        proxy.cut_after, proxy.aim = None, None
        proxy.cut()
        self.station.close()
        self.station = Station(self.data_dir)
        self.station.sync.timeout_s = 20.0
        started = time.monotonic()
        for attempt in range(1, CLEAN_PASSES + 1):
            report = self.station.sync.run_once(force=True)
            status = self.station.sync.status()
            self.figures["clean passes"] += 1
            self.log(f"clean pass {attempt}: online {report.online}, sent {report.sent_rows}, synced "
                     f"{len(report.synced_cases)}, answers {len(report.new_answers)}, failed {report.failed_cases}, "
                     f"{status.unsent_rows} waiting; {report.error}")
            submitted = [c for c in self.case_ids if self.station.cases.get_case(c).status == Status.SUBMITTED]
            if attempt >= 2 and report.online and not status.unsent_rows and not submitted:
                break
            if time.monotonic() - started > CLEAN_PASS_BOUND_S:
                break
        self.figures["clean pass seconds"] = round(time.monotonic() - started)

    def check(self) -> None:
        """The invariants, against the hub's database, its API, the PACS and the station."""
        from sqlalchemy import select

        from app.domain.lifecycle import Status
        from app.storage.models import OutboxRow
        from app.sync.hub_client import Credential, HubClient
        from app.wire import mapping
        from app.wire.imaging import imaging_study_id
        from server.tables import audit, resources, uploads

        station = self.station
        cases = {c: station.cases.get_case(c) for c in self.case_ids}
        expected: set[tuple[str, str]] = set()
        local_files: dict[str, object] = {}          # DocumentReference id -> local attachment
        local_sops: dict[str, set[str]] = {}         # study id on the hub -> SOP instance UIDs
        for case_id, case in cases.items():
            expected |= {(r["resourceType"], r["id"]) for r in mapping.case_resources(case, FACILITY)}
            expected.add(("Task", mapping.task_id(case_id)))
            expected |= {("Communication", m) for m, _ in self.messages.get(case_id, [])}
            for attachment in station.attachments.list(case_id):
                stored = hashlib.sha256(station.attachments.path(attachment).read_bytes()).hexdigest()
                if stored != attachment.sha256:
                    self.problem("byte mismatch", f"case {case_id}: the station's own file of {attachment.id} "
                                 "no longer matches its hash")
                if attachment.media_type == "application/dicom":
                    study, sop = _dicom_uids(station.attachments.path(attachment))
                    local_sops.setdefault(imaging_study_id(case_id, study), set()).add(sop)
                    expected.add(("ImagingStudy", imaging_study_id(case_id, study)))
                else:
                    local_files[attachment.id] = attachment
                    expected.add(("DocumentReference", attachment.id))
                    self.figures["files"] += 1
                    self.figures["file bytes"] += attachment.size
            # The station's Key Object Selection of a case with key images: made by its sync, sent with them.
            made = sorted((station.paths.outgoing / case_id / "imaging").glob("key-object-*.dcm"))
            for path in made:
                study, sop = _dicom_uids(path)
                local_sops.setdefault(imaging_study_id(case_id, study), set()).add(sop)
            if not made and station.imaging.key_images(case_id) and case.status != Status.SUBMITTED:
                self.problem("missing", f"case {case_id}: its key images went without a key object selection")
        self.figures["DICOM instances"] = sum(len(s) for s in local_sops.values())

        with self.hub.engine.connect() as conn:
            rows = conn.execute(select(resources.c.type, resources.c.id, resources.c.version, resources.c.request_id,
                                       resources.c.content)).all()
            upload_rows = conn.execute(select(uploads).where(uploads.c.client_id == self.client_id)).all()
            failures = conn.execute(select(audit.c.action, audit.c.resource_type, audit.c.detail)
                                    .where(audit.c.outcome >= 500)).all()
        on_hub = {(r.type, r.id): r for r in rows}
        for key in sorted(expected - set(on_hub)):
            self.problem("missing", f"{key[0]}/{key[1]} is not on the hub")
        for key in sorted(set(on_hub) - expected):
            self.problem("duplicate", f"{key[0]}/{key[1]} is on the hub but the station has no such record")
        for (kind, rid), row in on_hub.items():
            if kind not in ("Task", "ImagingStudy") and row.version != 1:
                self.problem("re-versioned", f"{kind}/{rid} is at version {row.version} (identical PUTs must not "
                             "make versions)")
        by_content = Counter((r.request_id, _sha256_of(r.content)) for r in rows if r.type == "DocumentReference")
        for (request, sha256), count in by_content.items():
            if count > 1:
                self.problem("duplicate", f"case {request}: {count} DocumentReferences for one file (sha256 {sha256})")

        # Files: the hub's copy, downloaded as the station would, byte for byte.
        own = station.sync.credential()
        reader = HubClient(Credential(self.hub.url, own.client_id, own.facility, own.private_key_pem,
                                      f"{self.hub.url}/auth/token"), timeout=60)
        try:
            target = self.folder / "downloaded"
            for (kind, rid), row in sorted(on_hub.items()):
                if kind != "DocumentReference" or rid not in local_files:
                    continue
                attachment = local_files[rid]
                url = row.content["content"][0]["attachment"]["url"]
                if _sha256_of(row.content) != attachment.sha256:
                    self.problem("byte mismatch", f"DocumentReference/{rid} names sha256 {_sha256_of(row.content)}, "
                                 f"the station's file is {attachment.sha256}")
                try:
                    reader.download(self.hub.url + urlsplit(url).path, target)
                except Exception as error:  # noqa: BLE001 - a file the hub cannot give back is a finding
                    self.problem("missing", f"DocumentReference/{rid}: its file {url} cannot be read: {error}")
                    continue
                got = hashlib.sha256(target.read_bytes()).hexdigest()
                if got != attachment.sha256:
                    self.problem("byte mismatch", f"DocumentReference/{rid}: the hub's file is {got} "
                                 f"({target.stat().st_size} bytes), the station's {attachment.sha256} "
                                 f"({attachment.size} bytes)")
        finally:
            reader.close()
        contents = Counter((u.sha256, u.length) for u in upload_rows)
        wanted = {(a.sha256, a.size) for a in local_files.values()}
        for upload in upload_rows:
            if not upload.complete:
                self.problem("stuck", f"upload {upload.id} ({upload.length} bytes) is not complete: offset "
                             f"{upload.offset}")
        for content in set(contents) - wanted:
            self.problem("duplicate", f"an upload of content {content[0][:12]}… the station never had")
        for content, count in contents.items():
            if count > 1:
                self.problem("duplicate", f"{count} uploads of one content {content[0][:12]}…")

        # Imaging: every instance in the PACS once, and named by its case's ImagingStudy.
        in_pacs = Counter(self.orthanc.instances())
        every_sop = set().union(*local_sops.values()) if local_sops else set()
        for sop, count in in_pacs.items():
            if count > 1:
                self.problem("duplicate", f"SOP instance {sop} is {count} times in the PACS")
        for sop in sorted(every_sop - set(in_pacs)):
            self.problem("missing", f"SOP instance {sop} is not in the PACS")
        for sop in sorted(set(in_pacs) - every_sop):
            self.problem("duplicate", f"SOP instance {sop} is in the PACS but at no station")
        for study_id, sops in local_sops.items():
            row = on_hub.get(("ImagingStudy", study_id))
            if row is None:
                continue
            listed = [i["uid"] for s in row.content.get("series", []) for i in s.get("instance", [])]
            if Counter(listed) != Counter(sops):
                self.problem("missing", f"ImagingStudy/{study_id} lists {len(listed)} instances "
                             f"({len(set(listed) - sops)} unknown, {len(sops - set(listed))} absent) of {len(sops)}")

        # The station: nothing pending, each case where its rows and answers put it.
        with station.db.transaction() as session:
            pending = session.execute(select(OutboxRow.case_id, OutboxRow.kind, OutboxRow.seq, OutboxRow.attempts,
                                             OutboxRow.last_error).where(OutboxRow.done_at.is_(None))).all()
        for case_id, kind, seq, attempts, error in pending:
            self.problem("pending", f"case {case_id}: {kind} row {seq} still unsent after {attempts} tries: {error}")
        unsent = station.sync.status().unsent_rows
        if unsent != len(pending):
            self.problem("pending", f"status() says {unsent} rows unsent, the outbox {len(pending)}")
        for case_id, case in cases.items():
            answered = any(kind in ("answer", "conclusion") for _, kind in self.messages.get(case_id, []))
            waiting = any(p.case_id == case_id for p in pending)
            implied = Status.SUBMITTED if waiting else Status.ANSWERED if answered else Status.SYNCED
            if case.status != implied:
                self.problem("stuck", f"case {case_id} is {case.status.value}, its rows and answers say "
                             f"{implied.value}")
            elif waiting:
                self.problem("stuck", f"case {case_id} is still submitted: its rows never all went")
            got = Counter(m.id for m in station.sync.messages(case_id) if m.direction == "in")
            for message_id, kind in self.messages.get(case_id, []):
                if got[message_id] != 1:
                    self.problem("missing", f"case {case_id}: the expert's {kind} {message_id} is at the station "
                                 f"{got[message_id]} times")
        for action, kind, detail in failures:
            self.problem("hub 500", f"the hub failed on {action} {kind}: {detail}")

    # -- what to say ------------------------------------------------------------------------------

    def counts(self) -> Counter:
        bad: Counter = Counter()
        for category, _ in self.problems:
            bad[category] += 1
        return bad

    def figures_text(self) -> str:
        bad = self.counts()
        aimed = {k: v for k, v in self.kills.items() if k.startswith("aimed")}
        lines = [
            f"fault campaign, seed {self.seed}: {self.iterations} iterations in "
            f"{time.monotonic() - self._started:.0f} s ({self.seconds:g} s of iterations)",
            f"  cases {self.figures['cases']}, files {self.figures['files']} "
            f"({self.figures['file bytes'] / MB:.1f} MiB), DICOM instances {self.figures['DICOM instances']}, "
            f"expert messages {sum(len(v) for v in self.messages.values())}",
            f"  runs: killed {self.figures['runs killed']}, finished online {self.figures['runs online']}, "
            f"offline {self.figures['runs offline']}, crashed {self.figures['runs crashed']}",
            f"  kills: random {self.kills['random']}, aimed {sum(aimed.values())}, bounded {self.kills['bounded']}",
            "  aimed kills by answer: " + (", ".join(f"{k[6:]} {v}" for k, v in sorted(aimed.items())) or "-"),
            "  aims missed (no such answer in the run): " + (", ".join(
                f"{k[12:]} {v}" for k, v in sorted(self.kills.items()) if k.startswith("aim missed")) or "-"),
            "  faults: " + (", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())) or "-"),
            "  hub answers the station got: " + ", ".join(f"{k} {v}" for k, v in sorted(self.proxy.answers.items())
                                                         if v) if self.proxy else "",
            f"  clean pass: {self.figures['clean passes']} pass(es), {self.figures['clean pass seconds']} s",
            f"  duplicates {bad['duplicate']}, missing {bad['missing']}, byte mismatches {bad['byte mismatch']}, "
            f"stuck {bad['stuck']}, pending rows {bad['pending']}, refused rows {bad['refused']}, "
            f"crashes {bad['crash']}, hub 500s {bad['hub 500']}, re-versioned {bad['re-versioned']}, "
            f"SQLite damaged {bad['sqlite']}, expert refused {bad['expert']}",
        ]
        return "\n".join(lines)

    def log_excerpt(self) -> str:
        return (f"iteration log (last {len(self._log_tail)} lines; all of it in {self.log_path}, the station's own "
                f"log in {self.data_dir / 'logs' / 'station.log'}):\n  " + "\n  ".join(self._log_tail))

    def failure(self) -> str | None:
        """None when every invariant held; else the message, starting with the seed."""
        if not self.problems:
            return None
        shown = "\n".join(f"  {category}: {what}" for category, what in self.problems[:40])
        more = f"\n  ... and {len(self.problems) - 40} more" if len(self.problems) > 40 else ""
        return (f"seed {self.seed}: {len(self.problems)} problem(s) (replay with DIEMCAU_CAMPAIGN_SEED={self.seed})\n"
                f"{shown}{more}\n{self.figures_text()}\n{self.log_excerpt()}")


def _exited(pid: int) -> bool:
    """Whether the child has ended, without reaping it (so its pid cannot be reused under a late kill)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _sha256_of(document_reference: dict) -> str:
    from app.wire import systems

    for extension in document_reference["content"][0]["attachment"].get("extension", []):
        if extension.get("url") == systems.SHA256_EXTENSION:
            return extension.get("valueString", "")
    return ""


def _dicom_uids(path: Path) -> tuple[str, str]:
    import pydicom

    header = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["StudyInstanceUID", "SOPInstanceUID"])
    return str(header.StudyInstanceUID), str(header.SOPInstanceUID)


def campaign_seed() -> int:
    """DIEMCAU_CAMPAIGN_SEED, or a fresh one (printed with every failure)."""
    given = os.environ.get("DIEMCAU_CAMPAIGN_SEED", "").strip()
    return int(given) if given else int.from_bytes(os.urandom(4), "big")
