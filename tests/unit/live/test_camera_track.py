"""CameraTrack hands the encoder the camera's frames: every one at the camera's rate, every other one at
Quality.LOW's 15 fps, stamped with the capture's clock.

The camera is generated frames (the number in the pixels) taken exactly 30 times a second, each delivered
to the listener between 0 and 30 ms after it was taken, as a USB camera's thread does on a busy machine."""

import asyncio
import random
import threading
import time

import numpy as np
from aiortc.mediastreams import MediaStreamError

from app.live.tracks import VIDEO_CLOCK, CameraTrack, VideoSource
from app.media.camera import Frame

PERIOD = 1 / 30
FRAMES = 90   # 3 s


def image(number: int) -> np.ndarray:
    return np.full((48, 64, 3), (number % 256, number // 256, 7), np.uint8)


def number_of(video) -> int:
    pixel = video.to_ndarray(format="bgr24")[0, 0]
    return int(pixel[0]) + 256 * int(pixel[1])


class Camera(threading.Thread):
    def __init__(self, source: VideoSource, seed: int, loop=None, track=None):
        super().__init__(daemon=True)
        self.source, self.lateness, self.loop, self.track = source, random.Random(seed), loop, track
        self.captured: dict[int, float] = {}
        self.looked: set[int] = set()   # frames after which the track's loop had its turn before the next came
        self.chance: set[int] = set()

    def _turn(self, number: int, hops: int) -> None:
        # a few rounds of the loop after the frame's arrival: the track's wake-up and its recv() have run
        if hops:
            self.loop.call_soon(self._turn, number, hops - 1)
        else:
            self.looked.add(number)

    def run(self) -> None:
        start = time.monotonic() + 0.1
        for number in range(FRAMES):
            captured = start + number * PERIOD
            arrival = captured + self.lateness.uniform(0, 0.030)
            # the camera's own pace (this fake stands for the USB device), not a test's wait
            time.sleep(max(0.0, arrival - time.monotonic()))
            if number - 1 in self.looked:
                self.chance.add(number - 1)
            self.captured[number] = captured
            self.source.push(Frame(image(number), captured, number))
            if self.loop is not None:
                self.loop.call_soon_threadsafe(self._turn, number, 3)
        if self.track is not None:
            self.loop.call_soon_threadsafe(self.track.stop)


async def handed(source: VideoSource, seed: int) -> tuple[list[int], list[int], Camera]:
    """The frames (numbers and pts) the track hands the encoder while the camera delivers its 90."""
    track = CameraTrack(source)
    camera = Camera(source, seed, asyncio.get_running_loop(), track)
    camera.start()
    numbers, stamps = [], []
    try:
        while True:
            try:
                video = await track.recv()
            except MediaStreamError:
                break
            numbers.append(number_of(video))
            stamps.append(video.pts)
    finally:
        track.stop()
        await asyncio.get_running_loop().run_in_executor(None, camera.join)
    return numbers, stamps, camera


def test_every_frame_of_a_camera_at_the_quality_rate_reaches_the_encoder_once():
    runs = [asyncio.run(handed(VideoSource((640, 480), 30.0), seed)) for seed in (1, 2)]
    # A frame counts when the track's loop had its turn after it arrived and before the next one: on a
    # starved machine the next frame can replace it before the loop runs at all, whatever the track does.
    chance = sum(len(camera.chance) for _, _, camera in runs)
    lost = sorted(number for numbers, _, camera in runs for number in camera.chance - set(numbers))
    assert chance >= FRAMES, "the test's loop hardly ran: nothing measured"
    assert not lost, f"{len(lost)} of {chance} frames never sent: {lost}"
    for numbers, stamps, camera in runs:
        assert numbers == sorted(set(numbers)), "a frame handed twice or out of order"
        # pts from the capture's clock: the far end sees the camera's own spacing
        for (a, b), (pa, pb) in zip(zip(numbers, numbers[1:]), zip(stamps, stamps[1:])):
            assert abs((pb - pa) - (camera.captured[b] - camera.captured[a]) * VIDEO_CLOCK) <= 1


def test_a_camera_twice_the_quality_rate_gives_every_other_frame():
    numbers, stamps, _ = asyncio.run(handed(VideoSource((320, 240), 15.0), 3))
    gaps = [b - a for a, b in zip(numbers, numbers[1:])]
    assert stamps == sorted(set(stamps))
    assert 1 not in gaps, f"two frames in a row above the 15 fps cap: {numbers}"
    assert gaps.count(2) >= 0.9 * len(gaps), f"not evenly dropped: {numbers}"
    assert len(numbers) >= 0.45 * FRAMES


def test_a_paused_source_sends_nothing_and_resumes_with_the_camera():
    async def run():
        source = VideoSource((640, 480), 30.0)
        source.paused = True
        track = CameraTrack(source)
        camera = Camera(source, 4)
        camera.start()
        pending = asyncio.ensure_future(track.recv())
        await asyncio.get_running_loop().run_in_executor(None, camera.join)
        assert not pending.done(), "a paused track sent a frame"
        source.paused = False
        video = await asyncio.wait_for(pending, 2.0)
        assert number_of(video) == FRAMES - 1
        track.stop()
        try:
            await asyncio.wait_for(track.recv(), 2.0)
        except MediaStreamError:
            return
        raise AssertionError("a stopped track still sends")

    asyncio.run(run())
