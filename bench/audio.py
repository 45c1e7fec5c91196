"""Ten minutes of 48 kHz microphone capture with the level meter and a FLAC recording.

Runs a private PulseAudio (a continuous 440 Hz tone as the microphone) so it needs no sound card. The
station's MicrophoneCapture (meter + ring + recording to FLAC) and a raw
sounddevice InputStream with an empty callback (the limit) capture the same
source at the same time. Targets: 0 overflows; meter updated at >= 20 Hz.

    .venv/bin/python bench/audio.py [--minutes 10]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.pulse import PulseServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = PulseServer(Path(tmp) / "pulse")
        server.use_environment()
        import sounddevice as sd
        import soundfile

        from app.media.audio import BLOCK, MicrophoneCapture

        sd._terminate()
        sd._initialize()
        raw_blocks, raw_overflows = [0], [0]

        def raw_callback(_indata, _frames, _time, status):
            raw_blocks[0] += 1
            raw_overflows[0] += bool(status.input_overflow)

        raw = sd.InputStream(device="pulse", samplerate=48000, channels=1, dtype="float32", blocksize=BLOCK,
                             callback=raw_callback)
        mic = MicrophoneCapture(device="pulse").start()
        raw.start()
        mic.first_block.wait(10)
        recording = mic.start_recording(Path(tmp) / "bench.flac")
        seconds = args.minutes * 60
        started = time.monotonic()
        seen_updates, last_blocks, meter_reads = 0, mic.levels.blocks, 0
        raw_start = raw_blocks[0]
        while time.monotonic() - started < seconds:
            time.sleep(1 / 30)  # the interface reads the meter 30 times a second
            levels = mic.levels
            meter_reads += 1
            if levels.blocks != last_blocks:
                seen_updates += 1
                last_blocks = levels.blocks
        elapsed = time.monotonic() - started
        raw_rate = (raw_blocks[0] - raw_start) / elapsed
        mic.stop()
        raw.stop()
        raw.close()
        info = soundfile.info(recording.path)
        server.stop()
    meter_rate = seen_updates / elapsed
    print(f"{elapsed / 60:.1f} minutes at 48 kHz")
    print(f"station: {mic.overflows} overflows, meter moved {meter_rate:.1f} times/s "
          f"(blocks {mic.levels.blocks / elapsed:.1f}/s), FLAC {info.duration:.0f} s recorded")
    print(f"raw sounddevice stream: {raw_overflows[0]} overflows, {raw_rate:.1f} callbacks/s")
    print(f"targets: 0 overflows {'met' if mic.overflows == 0 else 'NOT met'}; "
          f"meter >= 20 Hz {'met' if meter_rate >= 20 else 'NOT met'}")
    print(f"RESULT audio_meter_rate {meter_rate:.1f} Hz limit={raw_rate:.1f} ratio={meter_rate / raw_rate:.2f}")


if __name__ == "__main__":
    main()
