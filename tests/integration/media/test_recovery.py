"""A voice note the station was killed in the middle of: recovered, repaired, readable by common readers."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import soundfile

from app.domain.attachment import AttachmentKind
from app.media.audio import dominant_frequency

RECORDER = textwrap.dedent("""
    import sys, time
    from app.domain.attachment import AttachmentKind
    from app.media.audio import MicrophoneCapture
    from app.services.station import Station

    station = Station(sys.argv[1])
    mic = MicrophoneCapture(device="pulse").start()
    assert mic.first_block.wait(10)
    pending = station.capture.start_recording(sys.argv[2], AttachmentKind.AUDIO, ".flac")
    recording = mic.start_recording(pending.path)
    target = mic.levels.blocks + 95  # about two seconds
    while mic.levels.blocks < target:
        time.sleep(0.02)
    print("recording", flush=True)
    time.sleep(600)
""")


def ffprobe_duration(path: Path) -> float | None:
    found = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                           capture_output=True, text=True, check=True)
    value = json.loads(found.stdout).get("format", {}).get("duration")
    return float(value) if value is not None else None


def test_a_voice_note_killed_mid_recording_is_repaired_before_it_is_attached(microphone_source, station, data_dir):
    case = station.cases.create_case()
    recorder = subprocess.Popen([sys.executable, "-c", RECORDER, str(data_dir), case.id], stdout=subprocess.PIPE,
                                text=True, cwd=Path(__file__).parents[3], env=dict(os.environ, PYTHONPATH="."))
    try:
        assert recorder.stdout.readline().strip() == "recording"
    finally:
        recorder.send_signal(signal.SIGKILL)
        recorder.wait(10)
        recorder.stdout.close()
    assert recorder.returncode == -signal.SIGKILL

    recovered = station.capture.recover()
    assert len(recovered) == 1 and recovered[0].kind is AttachmentKind.AUDIO and recovered[0].details["recovered"]
    path = station.attachments.path(recovered[0])
    info = soundfile.info(path)
    assert info.samplerate == 48000 and 1.5 < info.duration < 3.0
    assert abs(ffprobe_duration(path) - info.duration) < 0.05
    data, _rate = soundfile.read(path)
    assert abs(dominant_frequency(data) - 440) < 5
    assert recovered[0].details["duration_s"] == round(info.duration, 1)
