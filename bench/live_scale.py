"""How many receive-only video subscribers one Janus carries: the figure behind the 700–2,000-site plan.

One Janus (server/live/janus_process.py, as the hub runs it) on loopback, one aiortc publisher of a
generated 640x360 VP8 video at 30 fps with Opus audio, and N subscribers of it, stepped up
(1, 5, 10, 20, 40, ...). Per step: Janus's CPU (its own pid only, all its threads, from
/proc/<pid>/stat) and RSS, each subscriber's delivered frame rate against the frames the publisher
sent, and the machine's total busy time.

The subscribers are as light as an honest receiver can be: aiortc does ICE, DTLS and SRTP
(so Janus does for each exactly the work a real participant costs it: its own DTLS session, SRTP
encryption per packet, RTCP), but the decrypted RTP packet is only counted (frames = video packets
with the marker bit, the last packet of each frame) instead of going through aiortc's jitter buffer
and decoder, which would cost this machine far more than Janus does. They run in worker processes of
their own (several subscribers per Janus session, one session per worker), apart from the publisher.

Everything shares this machine's cores (2 here): Janus, the publisher's encoder and the subscribers.
The knee this bench finds is therefore the machine's, not Janus's alone; Janus's own cost per
subscriber (CPU and memory slopes over the steps) is what extrapolates to a dedicated server.
The RESULT line's limit is that extrapolation: the N at which Janus alone would fill every core of
this machine, from its measured per-subscriber CPU. The ratio says how much of it the shared
machine reached. A step is carried when the subscribers got >= 95 % of the publisher's frames on
average and none got less than 90 %. On a machine busy with other work, run it under `nice -n -10`
(Janus and the workers inherit it) and read the load average it prints.

    .venv/bin/python bench/live_scale.py [--steps 1,5,10,20,40,80,120,160,200] [--seconds 8] [--workers 2]
                                         [--profile standard|low]
"""

import argparse
import asyncio
import multiprocessing
import os
import secrets
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TICK = os.sysconf("SC_CLK_TCK")
WIDTH, HEIGHT = 640, 360
# The room's bitrate cap (Janus's REMB, which aiortc's encoder obeys) and the frame rate of each profile:
# standard as a station sends to a room with the hub's default cap, low as Quality.LOW sends.
PROFILES = {"standard": (30, 1_000_000), "low": (15, 300_000)}
FPS = 30


# --- /proc readings -------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# --- the publisher (main process) -------------------------------------------------------------------

def generated_frames(count: int = 60):
    """Frames with motion everywhere (a still picture would encode to almost nothing)."""
    import numpy as np

    base = np.indices((HEIGHT, WIDTH)).sum(axis=0).astype(np.int32)
    noise = np.random.default_rng(7).integers(0, 40, (HEIGHT, WIDTH), dtype=np.int32)
    return [(np.stack([base + i * 5 + noise, base * 2 - i * 3, np.roll(base, i * 9, axis=1) + noise], axis=-1)
             % 256).astype(np.uint8) for i in range(count)]


def make_track():
    from aiortc import VideoStreamTrack
    from av import VideoFrame

    images = generated_frames()

    class Generated(VideoStreamTrack):
        sent = 0
        started = None

        async def recv(self):
            if self.started is None:
                self.started = time.monotonic()
            delay = self.started + Generated.sent / FPS - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            frame = VideoFrame.from_ndarray(images[Generated.sent % len(images)], format="bgr24")
            frame.pts, frame.time_base = int(Generated.sent * 90000 / FPS), Fraction(1, 90000)
            Generated.sent += 1
            return frame

    return Generated()


async def publish(url: str, token: str, room: str, room_token: str):
    from aiortc import AudioStreamTrack

    from app.live.janus import JanusSession
    from app.live.peer import offer_loopback
    from tests.support import videoroom

    offer_loopback(True)
    session = await JanusSession(url, token).create()
    track = make_track()
    # silence, encoded as Opus: subscribers get audio packets too
    pc, feed = await videoroom.publish(session, room, room_token, "Trạm phát", [AudioStreamTrack(), track])
    return session, pc, type(track), feed


# --- the subscribers (worker processes) -------------------------------------------------------------

class Counter:
    __slots__ = ("packets", "frames", "bytes")

    def __init__(self):
        self.packets = self.frames = self.bytes = 0


def _count_instead_of_decoding() -> None:
    """Decrypted RTP goes no further than a counter: no jitter buffer, no decoder."""
    from aiortc.rtcdtlstransport import RTCDtlsTransport

    async def counted(self, data: bytes, arrival_time_ms: int) -> None:
        counter = self.__dict__.get("_bench_counter")
        if counter is None:
            counter = self.__dict__["_bench_counter"] = Counter()
        counter.packets += 1
        counter.bytes += len(data)
        if data[1] & 0x80 and (data[1] & 0x7F) in VIDEO_TYPES:  # marker bit: a video frame's last packet
            counter.frames += 1

    RTCDtlsTransport._handle_rtp_data = counted


VIDEO_TYPES: set[int] = set()


def _video_payload_types(sdp: str) -> set[int]:
    types = set()
    for line in sdp.splitlines():
        if line.startswith("m=video"):
            types.update(int(t) for t in line.split()[3:])
    return types


async def _subscriber_worker(conn, url: str, token: str, room: str, room_token: str, feed: str) -> None:
    from app.live.janus import JanusSession
    from app.live.peer import offer_loopback
    from tests.support import videoroom

    offer_loopback(True)
    _count_instead_of_decoding()
    session = await JanusSession(url, token).create()  # one session, a handle per subscriber
    peers = []
    loop = asyncio.get_running_loop()

    async def subscribe():
        pc = await videoroom.subscribe(session, room, room_token, feed)
        VIDEO_TYPES.update(_video_payload_types(pc.remoteDescription.sdp))
        transport = pc.getTransceivers()[0].receiver.transport
        deadline = time.monotonic() + 30
        while transport.__dict__.get("_bench_counter") is None or transport._bench_counter.frames < 1:
            if time.monotonic() > deadline:
                raise RuntimeError("a subscriber got no frame in 30 s")
            await asyncio.sleep(0.05)
        peers.append((pc, transport))

    while True:
        command, argument = await loop.run_in_executor(None, conn.recv)
        if command == "add":
            for _ in range(argument):  # one at a time: Janus asks the publisher for a keyframe for each
                await subscribe()
            conn.send(len(peers))
        elif command == "count":
            conn.send([(t._bench_counter.frames, t._bench_counter.packets, t._bench_counter.bytes)
                       for _pc, t in peers])
        elif command == "stop":
            for pc, _t in peers:
                await pc.close()
            await session.destroy()
            conn.send("stopped")
            return


def subscriber_worker(conn, *args) -> None:
    asyncio.run(_subscriber_worker(conn, *args))


# --- the run ---------------------------------------------------------------------------------------

def carried_well(row: dict) -> bool:
    """A step Janus carried: >= 95 % of the frames delivered on average, and no subscriber starved
    (a mean can hide one subscriber getting a tenth of its frames while the others catch up a backlog)."""
    return row["delivered"] >= 0.95 and row["worst"] >= 0.90


def slope(xs, ys) -> float:
    """Least-squares slope of ys over xs."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0


async def run(steps: list[int], seconds: float, workers: int, bitrate: int) -> None:
    from server.live.janus_admin import JanusAdmin
    from server.live.janus_process import JanusProcess
    from server.live.tokens import signed_token

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        janus = JanusProcess(Path(tmp) / "janus").start()
        try:
            room, secret = "scale-" + secrets.token_hex(4), secrets.token_hex(8)
            room_pub, room_sub = secrets.token_hex(8), secrets.token_hex(8)
            JanusAdmin(janus.settings).create_room(room, secret, [room_pub, room_sub], publishers=2,
                                                   bitrate=bitrate)
            token = signed_token(janus.settings.token_secret, 3600)
            session, pc, track, feed = await publish(janus.url, token, room, room_pub)
            await asyncio.sleep(2)  # the publisher's ICE/DTLS and first frames

            context = multiprocessing.get_context("spawn")
            pipes, processes = [], []
            for _ in range(workers):
                mine, theirs = context.Pipe()
                process = context.Process(target=subscriber_worker,
                                          args=(theirs, janus.url, token, room, room_sub, feed), daemon=True)
                process.start()
                pipes.append(mine)
                processes.append(process)

            loop = asyncio.get_running_loop()
            rows, total = [], 0
            janus_pid = janus.process.pid
            print(f"Janus pid {janus_pid}; publisher 640x360 VP8 + Opus at {FPS} fps, capped at {bitrate // 1000} "
                  f"kbit/s; {workers} subscriber "
                  f"processes; {cores} cores shared by all", flush=True)
            print(f"{'N':>5} {'janus %core':>11} {'janus MB':>9} {'subs %core':>10} {'pub %core':>9} "
                  f"{'machine %':>9} {'pub fps':>7} {'delivered':>9} {'worst':>6} {'kbit/s/sub':>10}", flush=True)
            for n in steps:
                add = n - total
                shares = [add // workers + (1 if i < add % workers else 0) for i in range(workers)]
                for pipe, k in zip(pipes, shares):
                    if k:
                        pipe.send(("add", k))
                for pipe, k in zip(pipes, shares):
                    if k:
                        await loop.run_in_executor(None, pipe.recv)
                total = n
                await asyncio.sleep(2)  # settle: keyframes, bitrate estimates

                def snapshot():
                    counts = []
                    for pipe in pipes:
                        pipe.send(("count", None))
                        counts.extend(pipe.recv())
                    return (time.monotonic(), track.sent, cpu_seconds(janus_pid),
                            sum(cpu_seconds(p.pid) for p in processes), cpu_seconds(os.getpid()),
                            machine_busy(), counts)

                t0, sent0, j0, s0, p0, m0, c0 = await loop.run_in_executor(None, snapshot)
                await asyncio.sleep(seconds)
                t1, sent1, j1, s1, p1, m1, c1 = await loop.run_in_executor(None, snapshot)
                took = t1 - t0
                sent = sent1 - sent0
                frames = [b[0] - a[0] for a, b in zip(c0, c1)]
                kbits = [(b[2] - a[2]) * 8 / took / 1000 for a, b in zip(c0, c1)]
                delivered = sum(frames) / (len(frames) * sent) if sent else 0.0
                worst = min(frames) / sent if sent else 0.0
                row = dict(n=n, janus=(j1 - j0) / took, rss=rss_mb(janus_pid), subs=(s1 - s0) / took,
                           pub=(p1 - p0) / took, machine=(m1[0] - m0[0]) / (m1[1] - m0[1]),
                           pub_fps=sent / took, delivered=delivered, worst=worst, kbits=sum(kbits) / len(kbits))
                rows.append(row)
                print(f"{n:>5} {row['janus'] * 100:>11.1f} {row['rss']:>9.1f} {row['subs'] * 100:>10.1f} "
                      f"{row['pub'] * 100:>9.1f} {row['machine'] * 100:>9.1f} {row['pub_fps']:>7.1f} "
                      f"{delivered:>9.3f} {worst:>6.3f} {row['kbits']:>10.0f}", flush=True)
                if not carried_well(row):
                    break
            for pipe in pipes:
                pipe.send(("stop", None))
            for pipe in pipes:
                await loop.run_in_executor(None, pipe.recv)
            for process in processes:
                process.join(10)
            await pc.close()
            await session.destroy()
        finally:
            janus.stop()

    # Janus's own cost from the steps it carried (at the knee the machine, not Janus, is the limit).
    kept = [r for r in rows if carried_well(r)] or rows[:1]
    ns = [r["n"] for r in kept]
    cpu_per_sub = slope(ns, [r["janus"] for r in kept]) if len(kept) > 1 else kept[0]["janus"] / kept[0]["n"]
    mb_per_sub = slope(ns, [r["rss"] for r in kept]) if len(kept) > 1 else 0.0
    knee = next((r["n"] for r in rows if not carried_well(r)), None)
    carried = max((r["n"] for r in rows if carried_well(r)), default=0)
    idle_janus = kept[0]["janus"] - cpu_per_sub * kept[0]["n"]
    limit = (cores - max(idle_janus, 0.0)) / cpu_per_sub if cpu_per_sub > 0 else float("inf")
    kbits = sum(r["kbits"] for r in kept) / len(kept)
    print(f"Janus per subscriber: {cpu_per_sub * 100:.3f} % of a core, {mb_per_sub * 1024:.0f} kB RSS "
          f"(slopes over N = {ns}); stream {kbits:.0f} kbit/s per subscriber")
    if knee is None:
        print(f"delivered frame rate stayed >= 95 % up to N = {carried} (the largest step tried)")
    else:
        print(f"delivered frame rate fell below 95 % (or a subscriber below 90 %) at N = {knee}; machine busy "
              f"{rows[-1]['machine'] * 100:.0f} % (subscribers {rows[-1]['subs'] * 100:.0f} %, "
              f"Janus {rows[-1]['janus'] * 100:.0f} % of a core)")
    print(f"load average {Path('/proc/loadavg').read_text().split()[1]} over the last 5 minutes "
          f"(other work on this machine shares its cores too)")
    print(f"Janus alone would fill {cores} cores at N ~ {limit:.0f} (its per-subscriber CPU, extrapolated)")
    print(f"RESULT live_scale_subscribers {carried} subscribers limit={limit:.0f} ratio={carried / limit:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", default="1,5,10,20,40,80,120,160,200,250,300")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="standard",
                        help="standard: 30 fps under 1 Mbit/s; low: 15 fps under 300 kbit/s (Quality.LOW)")
    args = parser.parse_args()
    global FPS
    FPS, bitrate = PROFILES[args.profile]
    asyncio.run(run([int(s) for s in args.steps.split(",")], args.seconds, args.workers, bitrate))


if __name__ == "__main__":
    main()
