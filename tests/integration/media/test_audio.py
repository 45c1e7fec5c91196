"""The microphone and speaker code against a real PulseAudio server, through PortAudio."""

import subprocess

import numpy as np
import pytest
import soundfile

from app.media.audio import (AudioUnavailable, MicrophoneCapture, dominant_frequency, list_devices, play, rescan,
                             tone)


def capture(seconds: float, **kwargs) -> tuple[MicrophoneCapture, np.ndarray]:
    mic = MicrophoneCapture(device="pulse", **kwargs).start()
    try:
        assert mic.first_block.wait(10), "no audio arrived"
        deadline_blocks = mic.levels.blocks + int(seconds * 48000 / 1024) + 1
        while mic.levels.blocks < deadline_blocks:
            mic.first_block.wait(0.05)
        return mic, mic.last(seconds)
    finally:
        mic.stop()


def test_devices_are_listed_through_the_sound_server(pulse):
    names = [d.name for d in list_devices()]
    assert "pulse" in names


def test_the_tone_source_is_heard_at_its_frequency(microphone_source):
    mic, samples = capture(1.0)
    assert abs(dominant_frequency(samples) - 440) < 5
    assert mic.levels.rms_dbfs > -40 and mic.levels.peak_dbfs <= 0.0
    assert mic.overflows == 0


def test_a_recording_is_streamed_to_flac_and_checked_by_frequency(microphone_source, tmp_path):
    mic = MicrophoneCapture(device="pulse").start()
    try:
        assert mic.first_block.wait(10)
        recording = mic.start_recording(tmp_path / "note.flac")
        target = mic.levels.blocks + 95  # about two seconds
        while mic.levels.blocks < target:
            mic.first_block.wait(0.05)
    finally:
        mic.stop()
    data, rate = soundfile.read(recording.path)
    assert rate == 48000 and 1.8 < len(data) / rate < 2.4
    assert abs(dominant_frequency(data) - 440) < 5


def test_known_audio_played_into_the_microphone_comes_back(microphone_source, tmp_path):
    wav = tmp_path / "1khz.wav"
    subprocess.run(["sox", "-n", "-r", "48000", "-c", "1", str(wav), "synth", "3", "sine", "1000", "vol", "0.5"],
                   check=True)
    microphone_source.set_default_source("fedmic")
    mic = MicrophoneCapture(device="pulse").start()
    try:
        assert mic.first_block.wait(10)  # a monitor source starts late: wait before playing
        player = microphone_source.play_into_microphone(wav)
        player.wait(20)
        samples = mic.last(2.0)
    finally:
        mic.stop()
    assert abs(dominant_frequency(samples) - 1000) < 10


def test_the_speaker_test_tone_reaches_the_speaker(microphone_source):
    microphone_source.set_default_source("speaker.monitor")
    mic = MicrophoneCapture(device="pulse").start()
    try:
        assert mic.first_block.wait(10)
        play(tone(660, 1.5), device="pulse")
        samples = mic.last(1.0)
    finally:
        mic.stop()
    assert abs(dominant_frequency(samples) - 660) < 10


def test_no_sound_server_means_a_clear_no_microphone(pulse, monkeypatch):
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/socket")
    rescan()
    try:
        with pytest.raises(AudioUnavailable) as raised:
            MicrophoneCapture(device="pulse").start()
        assert "microphone" in str(raised.value) and raised.value.fix
    finally:
        monkeypatch.undo()
        rescan()


def test_portaudio_is_never_restarted_under_an_open_stream(microphone_source):
    """A rescan restarts PortAudio, which frees every stream it has: refused while one of ours is open
    (the capture tab's retry timer and the check's worker both ask for one)."""
    import time

    mic = MicrophoneCapture(device="pulse").start()
    try:
        assert mic.first_block.wait(10)
        assert rescan() is False
        before = mic.levels.blocks
        time.sleep(0.3)
        assert mic.levels.blocks > before and not mic.lost  # the stream went on, untouched
    finally:
        mic.stop()
    assert rescan() is True
