"""The station's live video: camera to a remote participant's decoded frame, through Janus.

A 720p30 camera stand-in (an MJPEG video file, as a USB camera delivers MJPEG) whose frames carry their
number as black and white squares along the top. Three runs against one Janus on loopback, in this run:

1. the limit: bare aiortc publishing the same file's frames (read with OpenCV in the track, no station
   code): the same codec, the same room and Janus, the same receiver;
2. the station: app.live.session.LiveSession publishing from app.media.camera.CameraCapture over the
   file, at Quality.HIGH (720p30), with a tone as its microphone;
3. the station at Quality.LOW (360p, 15 fps, 300 kbit/s) through a 2 Mbit/s link with 100 ms of
   round trip (50 ms each way) and a 250 ms router queue: the district's link.

Each publisher runs in a process of its own (its CPU is that process's, all threads: capture, encoder,
network); the receiver is a plain aiortc subscriber in this process that decodes every frame and reads
its number. Glass-to-glass latency = the moment the receiver has the decoded frame minus the moment the
publisher had that frame from its camera (the capture's timestamp; for bare aiortc, when the track read
it): one machine, one monotonic clock. Audio: the receiver counts decoded 20 ms Opus frames and the
longest gap between two.

The link: this machine's kernel has no netem (tc refuses it), so the link is emulated in the station's
process, under aioice's UDP socket (every datagram it sends and receives is queued behind a 2 Mbit/s
token bucket, dropped when the queue holds more than 250 ms, and delivered 50 ms later). Janus's HTTP
signalling does not cross it.

Targets (issue 15): p95 <= 150 ms on loopback and <= 1.2x bare aiortc; publisher CPU <= 60 % of a core;
low-bandwidth mode: >= 15 fps at 360p and audio unbroken.

    .venv/bin/python bench/live.py [--seconds 15] [--rounds 2]
"""

import argparse
import asyncio
import fractions
import multiprocessing
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
WIDTH, HEIGHT, FPS, FRAMES = 1280, 720, 30, 300
BITS, CELL = 12, 48          # the frame number: 12 squares of 48 px along the top of a 1280-wide frame
LINK = (2_000_000, 0.050, 0.250)   # bit/s, one-way delay, queue


# --- the camera stand-in ------------------------------------------------------------------------------

def make_video(path: Path) -> None:
    """10 s of 720p30 MJPEG with motion everywhere and the frame number along the top."""
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), float(FPS), (WIDTH, HEIGHT))
    base = np.indices((HEIGHT, WIDTH)).sum(axis=0).astype(np.int32)
    noise = np.random.default_rng(3).integers(0, 30, (HEIGHT, WIDTH), dtype=np.int32)
    for number in range(FRAMES):
        image = (np.stack([base + number * 4 + noise, base * 2 - number * 3, np.roll(base, number * 7, axis=1)],
                          axis=-1) % 256).astype(np.uint8)
        image[:CELL + 8] = 128
        for bit in range(BITS):
            image[:CELL, bit * CELL:(bit + 1) * CELL] = 255 if (number >> bit) & 1 else 0
        cv2.putText(image, f"{number:04d}", (40, HEIGHT // 2), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 6)
        writer.write(image)
    writer.release()


def number_in(gray, width: int) -> int:
    """The frame number read from a luma plane (rows x at least `width` columns) of any scale."""
    cell = CELL * width / WIDTH
    y = int(cell / 2)
    number = 0
    for bit in range(BITS):
        if gray[y, int(bit * cell + cell / 2)] > 128:
            number |= 1 << bit
    return number


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


# --- the link (in the publisher's process) ------------------------------------------------------------

class Shaper:
    """One direction of a link: a token bucket of `rate` bit/s with a tail-drop queue, then a fixed delay."""

    def __init__(self, rate: int, delay: float, queue: float):
        self.rate, self.delay, self.queue = rate / 8, delay, queue
        self.free_at = 0.0
        self.dropped = 0

    def due_in(self, size: int) -> float | None:
        now = time.monotonic()
        start = max(now, self.free_at)
        if start - now > self.queue:
            self.dropped += 1
            return None
        self.free_at = start + size / self.rate
        return self.free_at - now + self.delay


def shape_link(rate: int, delay: float, queue: float) -> tuple[Shaper, Shaper]:
    """Puts every ICE datagram of this process through an emulated link (both directions)."""
    import aioice.ice

    up, down = Shaper(rate, delay, queue), Shaper(rate, delay, queue)
    protocol = aioice.ice.StunProtocol
    received = protocol.datagram_received

    class Sending:
        def __init__(self, transport):
            self._transport = transport

        def sendto(self, data, addr=None):
            due = up.due_in(len(data) + 28)  # + IP and UDP headers
            if due is not None:
                asyncio.get_running_loop().call_later(due, self._send, data, addr)

        def _send(self, data, addr):
            if not self._transport.is_closing():  # the call ended while the datagram was on the wire
                self._transport.sendto(data, addr)

        def __getattr__(self, name):
            return getattr(self._transport, name)

    def connection_made(self, transport):
        self.transport = Sending(transport)

    def datagram_received(self, data, addr):
        due = down.due_in(len(data) + 28)
        if due is not None:
            asyncio.get_running_loop().call_later(due, received, self, data, addr)

    protocol.connection_made = connection_made
    protocol.datagram_received = datagram_received
    return up, down


# --- the publishers (a process each) --------------------------------------------------------------

def publisher_process(conn, mode: str, video: str, url: str, token: str, room: str, room_token: str,
                      quality: str, link: tuple | None) -> None:
    shapers = shape_link(*link) if link else None
    produced: list[tuple[int, float]] = []
    if mode == "raw":
        asyncio.run(_raw_publisher(conn, video, url, token, room, room_token, produced))
    else:
        _station_publisher(conn, video, url, token, room, room_token, quality, produced)
    if shapers:
        conn.send(("dropped", shapers[0].dropped, shapers[1].dropped))
    conn.send(("produced", produced))


async def _raw_publisher(conn, video, url, token, room, room_token, produced) -> None:
    import cv2
    import numpy as np
    from aiortc import MediaStreamTrack, VideoStreamTrack
    from av import AudioFrame, VideoFrame

    from app.live.janus import JanusSession
    from app.live.peer import offer_loopback
    from tests.support.videoroom import publish

    class FileTrack(VideoStreamTrack):
        def __init__(self):
            super().__init__()
            self.capture = cv2.VideoCapture(video, cv2.CAP_FFMPEG)

        async def recv(self):
            pts, time_base = await self.next_timestamp()
            ok, image = self.capture.read()
            if not ok:
                self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, image = self.capture.read()
            produced.append((number_in(image[:, :, 1], image.shape[1]), time.monotonic()))
            frame = VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = pts, time_base
            return frame

    class Tone(MediaStreamTrack):
        """20 ms of a 440 Hz tone every 20 ms, at 48 kHz as the station's microphone track sends."""
        kind = "audio"
        samples = (0.3 * 32767 * np.sin(2 * np.pi * 440 * np.arange(48000) / 48000)).astype(np.int16)
        sent, started = 0, None

        async def recv(self):
            if self.started is None:
                self.started = time.monotonic()
            delay = self.started + self.sent * 0.02 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            start = self.sent * 960
            pcm = np.take(self.samples, range(start, start + 960), mode="wrap").reshape(1, -1)
            frame = AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, fractions.Fraction(1, 48000)
            self.sent += 1
            return frame

    offer_loopback(True)
    session = await JanusSession(url, token).create()
    pc, feed = await publish(session, room, room_token, "aiortc", [Tone(), FileTrack()])
    conn.send(("ready", str(feed)))
    # the track reads each frame when the encoder asks: the camera's frames are the ones sent
    await asyncio.get_running_loop().run_in_executor(None, _serve, conn, lambda: (len(produced), len(produced)))
    await pc.close()
    await session.destroy()


def _serve(conn, counts) -> None:
    """Answers the bench's "cpu" (with the frames the camera delivered and the track sent so far, from
    `counts`) until it says "stop"."""
    while True:
        command = conn.recv()
        if command == "cpu":
            conn.send(("cpu", cpu_seconds(os.getpid()), time.monotonic(), counts()))
        elif command == "stop":
            return


def _station_publisher(conn, video, url, token, room, room_token, quality, produced) -> None:
    import threading

    from app.live.details import JoinDetails
    from app.live.session import JOINED, LiveSession, Quality
    from app.media.camera import CameraCapture, CameraSource
    from tests.support.microphone import BlockFeeder

    joined = threading.Event()

    class Listener:
        def on_state(self, state, message):
            if state == JOINED:
                joined.set()

    def stamp(frame):  # the camera's own timestamp of each frame, by the number it shows
        produced.append((number_in(frame.image[:, :, 1], frame.image.shape[1]), frame.captured_at))

    camera = CameraCapture(CameraSource(video), on_frame=stamp).start()
    microphone = BlockFeeder(440.0)
    details = JoinDetails(live_id="bench", janus_url=url, token=token, room=room, room_token=room_token,
                          opaque_id="bench-" + secrets.token_hex(4), display="BS Lan — TTYT huyện Mèo Vạc",
                          site="TTYT huyện Mèo Vạc")
    session = LiveSession(details, Listener(), camera=camera, microphone=microphone, quality=Quality[quality])
    session.start()
    if not joined.wait(30):
        raise RuntimeError(f"the station did not join: {session.state} {session.message}")
    conn.send(("ready", session.participant_id))
    # what the track handed the encoder (the session's VideoSource; its stats() lag by up to a second)
    _serve(conn, lambda: (camera.frames_delivered, session._video.sent))
    session.leave()
    microphone.stop()
    camera.stop()


# --- the receiver (this process) ---------------------------------------------------------------------

class Receiver:
    def __init__(self):
        self.video: list[tuple[int, float, int]] = []   # (number, arrival, width)
        self.audio: list[float] = []

    async def join(self, url, token, room, room_token, feed):
        from app.live.janus import JanusSession
        from tests.support.videoroom import subscribe

        self.session = await JanusSession(url, token).create()
        self.pc = await subscribe(self.session, room, room_token, feed, self._frame)

    def _frame(self, kind, frame):
        import numpy as np

        now = time.monotonic()
        if kind == "audio":
            self.audio.append(now)
            return
        plane = frame.planes[0]
        luma = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)
        self.video.append((number_in(luma, frame.width), now, frame.width))

    async def close(self):
        await self.pc.close()  # ends its tracks, and the reading with them
        await self.session.destroy()


def latencies(received, produced, start: float, end: float) -> list[float]:
    """For each frame received in [start, end], its arrival minus the latest time the publisher had that
    number before it (the file loops every 10 s; a frame is never that late)."""
    by_number: dict[int, list[float]] = {}
    for number, at in produced:
        by_number.setdefault(number, []).append(at)
    out = []
    for number, arrival, _width in received:
        if not start <= arrival <= end:
            continue
        earlier = [t for t in by_number.get(number, []) if t <= arrival]
        if earlier:
            out.append((arrival - max(earlier)) * 1000)
    return out


async def measure(name: str, mode: str, video: Path, janus, room: str, room_token: str, seconds: float,
                  quality: str = "HIGH", link: tuple | None = None) -> dict:
    from server.live.tokens import signed_token

    token = signed_token(janus.settings.token_secret, 3600)
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    mine, theirs = context.Pipe()
    process = context.Process(target=publisher_process, daemon=True,
                              args=(theirs, mode, str(video), janus.url, token, room, room_token, quality, link))
    process.start()
    kind, feed = await loop.run_in_executor(None, mine.recv)
    from server.live.janus_admin import JanusAdmin

    admin, deadline = JanusAdmin(janus.settings), time.monotonic() + 30
    while not any(p["id"] == feed and p["publisher"] for p in await asyncio.to_thread(admin.participants, room)):
        if time.monotonic() > deadline:  # its PeerConnection never came up
            raise RuntimeError(f"{name}: the publisher is not publishing")
        await asyncio.sleep(0.1)
    receiver = Receiver()
    await receiver.join(janus.url, token, room, room_token, feed)
    deadline = time.monotonic() + 30
    while len(receiver.video) < 30:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name}: no video at the receiver")
        await asyncio.sleep(0.1)
    await asyncio.sleep(3)  # past the first key frames and the encoder's ramp-up

    def ask(command):
        mine.send(command)
        return mine.recv()

    _, cpu0, start, counts0 = await loop.run_in_executor(None, ask, "cpu")
    await asyncio.sleep(seconds)
    _, cpu1, end, counts1 = await loop.run_in_executor(None, ask, "cpu")
    mine.send("stop")
    dropped = (0, 0)
    while True:
        message = await loop.run_in_executor(None, mine.recv)
        if message[0] == "dropped":
            dropped = message[1:]
        elif message[0] == "produced":
            produced = message[1]
            break
    process.join(20)
    await receiver.close()

    took = end - start
    lat = latencies(receiver.video, produced, start, end)
    frames = [r for r in receiver.video if start <= r[1] <= end]
    audio = [t for t in receiver.audio if start <= t <= end]
    return dict(took=took, lat=lat, frames=len(frames), width=frames[-1][2] if frames else 0,
                cpu=cpu1 - cpu0, audio=len(audio), gaps=[(b - a) * 1000 for a, b in zip(audio, audio[1:])],
                dropped=dropped, camera=counts1[0] - counts0[0], sent=counts1[1] - counts0[1])


def pooled(name: str, parts: list[dict], link: bool) -> dict:
    """The rounds of one configuration together."""
    took = sum(p["took"] for p in parts)
    lat = [x for p in parts for x in p["lat"]]
    gaps = [x for p in parts for x in p["gaps"]]
    dropped = [sum(p["dropped"][i] for p in parts) for i in (0, 1)]
    result = dict(fps=sum(p["frames"] for p in parts) / took, width=parts[-1]["width"],
                  p50=percentile(lat, 50) if lat else float("nan"), p95=percentile(lat, 95) if lat else float("nan"),
                  cpu=sum(p["cpu"] for p in parts) / took, audio=sum(p["audio"] for p in parts) / (took * 50),
                  gap=max(gaps) if gaps else float("inf"), camera=sum(p["camera"] for p in parts) / took,
                  sent=sum(p["sent"] for p in parts) / took)
    print(f"{name}: {result['fps']:.1f} fps at width {result['width']} (the camera gave {result['camera']:.1f}, "
          f"the track sent {result['sent']:.1f}), glass-to-glass p50 {result['p50']:.0f} ms "
          f"p95 {result['p95']:.0f} ms ({len(lat)} frames), publisher {result['cpu'] * 100:.0f} % of a core, "
          f"audio {result['audio'] * 100:.1f} % of 20 ms frames, longest gap between two {result['gap']:.0f} ms"
          + (f", link drops up/down {dropped[0]}/{dropped[1]}" if link else ""), flush=True)
    return result


CONFIGURATIONS = (("bare aiortc 720p30", "raw", "HIGH", None),
                  ("station 720p30", "station", "HIGH", None),
                  ("station low-bandwidth, 2 Mbit/s 100 ms", "station", "LOW", LINK))


async def run(seconds: float, rounds: int) -> None:
    from server.live.janus_admin import JanusAdmin
    from server.live.janus_process import JanusProcess

    parts: dict[str, list[dict]] = {name: [] for name, *_ in CONFIGURATIONS}
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "camera-720p30.avi"
        make_video(video)
        janus = JanusProcess(Path(tmp) / "janus").start()
        try:
            admin = JanusAdmin(janus.settings)
            # Interleaved rounds: a load that comes and goes on the shared cores hits every configuration.
            for _ in range(rounds):
                for name, mode, quality, link in CONFIGURATIONS:
                    room, room_token = "bench-" + secrets.token_hex(4), secrets.token_hex(8)
                    admin.create_room(room, secrets.token_hex(8), [room_token])  # the hub's defaults (1 Mbit/s)
                    parts[name].append(await measure(name, mode, video, janus, room, room_token, seconds, quality,
                                                     link))
        finally:
            janus.stop()
    print(f"{rounds} rounds of {seconds:.0f} s each, interleaved; {os.cpu_count()} cores shared with everything else "
          f"on this machine (load average {Path('/proc/loadavg').read_text().split()[1]} over the last 5 minutes)")
    raw, station, low = (pooled(name, parts[name], link is not None) for name, _m, _q, link in CONFIGURATIONS)
    ratio = station["p95"] / raw["p95"]
    print(f"targets: station p95 <= 150 ms {'met' if station['p95'] <= 150 else 'NOT met'}; "
          f"<= 1.2x bare aiortc {'met' if ratio <= 1.2 else 'NOT met'} ({ratio:.2f}x); "
          f"publisher CPU <= 60 % {'met' if station['cpu'] <= 0.6 else 'NOT met'} ({station['cpu'] * 100:.0f} %); "
          f"low-bandwidth >= 15 fps at 360p {'met' if round(low['fps']) >= 15 and low['width'] == 640 else 'NOT met'} "
          f"({low['fps']:.1f} fps, width {low['width']}), audio unbroken "
          f"{'met' if low['audio'] >= 0.99 else 'NOT met'} ({low['audio'] * 100:.1f} % of the 20 ms frames)")
    print(f"RESULT live_glass_to_glass_p95 {station['p95']:.0f} ms limit={raw['p95']:.0f} ratio={ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(run(args.seconds, args.rounds))


if __name__ == "__main__":
    main()
