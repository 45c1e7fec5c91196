"""The pre-session check against real devices: PulseAudio, generated video, MJPEG, HTTP."""

import json
import socket
import subprocess
from dataclasses import replace

import pytest

from app.domain.check import Grade
from app.services import precheck
from app.services.settings import Settings
from tests.support.link_server import LinkServer
from tests.support.mjpeg import MjpegCamera


@pytest.fixture
def settings(video_file):
    return Settings(camera=str(video_file), microphone="pulse", speaker="pulse")


def test_a_good_camera(settings):
    item = precheck.check_camera(settings, seconds=1.5)
    assert item.grade is Grade.GOOD and 25 <= item.measured["fps"] <= 35
    assert (item.measured["width"], item.measured["height"]) == (640, 480)


def test_a_slow_ip_camera_is_poor_and_a_missing_one_unfit(settings):
    camera = MjpegCamera(fps=15)
    try:
        slow = precheck.check_camera(replace(settings, camera=camera.url), seconds=1.5)
    finally:
        camera.close()
    assert slow.grade is Grade.POOR and slow.advice == "camera.slow"
    missing = precheck.check_camera(replace(settings, camera="9"))
    assert missing.grade is Grade.UNFIT and missing.detail == "no camera at USB index 9"


def test_microphone_with_signal_silence_and_speech(settings, microphone_source, tmp_path):
    assert precheck.check_microphone(settings, seconds=1.0).grade is Grade.GOOD  # the tone source
    microphone_source.set_default_source("fedmic")  # nothing plays into it: digital silence
    silent = precheck.check_microphone(settings, seconds=1.0)
    assert silent.grade is Grade.UNFIT and silent.advice == "microphone.silent"
    speech = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "vi", "-w", str(speech), "Xin chào, đây là điểm cầu huyện Mường Tè"],
                   check=True)
    player = microphone_source.play_into_microphone(speech)
    try:
        spoken = precheck.check_microphone(settings, seconds=1.0)
    finally:
        player.wait(20)
    assert spoken.grade is Grade.GOOD and spoken.measured["rms_dbfs"] > -60


def test_speaker(settings, microphone_source):
    assert precheck.check_speaker(settings).grade is Grade.GOOD


def test_a_fast_link_is_good():
    server = LinkServer()
    try:
        item = precheck.check_link(Settings(check_url=server.url))
    finally:
        server.close()
    assert item.grade is Grade.GOOD and item.measured["up_kbps"] > 1500 and item.measured["down_kbps"] > 2000


def test_a_district_link_too_slow_for_video_is_unfit():
    server = LinkServer(rate_kbps=500, delay_ms=60)
    try:
        item = precheck.check_link(Settings(check_url=server.url))
    finally:
        server.close()
    assert item.grade is Grade.UNFIT and item.advice == "link.unfit"
    assert item.measured["up_kbps"] < 750 and item.measured["rtt_ms"] >= 60


def test_an_unreachable_hub_and_no_address():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    item = precheck.check_link(Settings(check_url=f"http://127.0.0.1:{port}/check"))
    assert item.grade is Grade.UNFIT and item.advice == "link.unreachable"
    assert precheck.check_link(Settings()).advice == "link.unconfigured"


def test_reports_are_kept_and_exported(station, settings, microphone_source, tmp_path):
    server = LinkServer()
    try:
        report = station.checks.run(replace(settings, check_url=server.url), parts=("microphone", "link"))
    finally:
        server.close()
    assert report.fit and [i.part for i in report.items] == ["microphone", "link"]
    assert station.checks.history()[0] == report
    exported = tmp_path / "checks.json"
    assert station.checks.export(exported) == 1
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data[0]["fit"] is True and data[0]["items"][1]["advice_text"].startswith("Link to the hub is good")


def test_the_measured_rates_match_a_2_mbit_line():
    from app.sync.link import measure

    server = LinkServer(rate_kbps=2000, delay_ms=40)
    try:
        found = measure(server.url)
    finally:
        server.close()
    assert 1700 <= found.up_kbps <= 2100 and 1700 <= found.down_kbps <= 2100
    assert 38 <= found.rtt_ms <= 80


def test_a_sound_server_that_comes_up_later_is_found_by_the_check(station, settings, pulse, monkeypatch):
    from app.media.audio import list_devices, rescan

    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/socket")
    rescan()  # the station started before the sound system
    assert list_devices() == []
    monkeypatch.undo()  # the sound system is up now
    try:
        report = station.checks.run(settings, parts=("microphone", "speaker"))
    finally:
        rescan()
    assert [i.grade for i in report.items] == [Grade.GOOD, Grade.GOOD]


def test_the_link_is_checked_against_the_hub_the_station_is_enrolled_with(station, hub):
    _, code = hub.register("station", facility="01234", name="TTYT Mèo Vạc")
    station.sync.enroll(hub.url, code)
    report = station.checks.run(Settings(), parts=("link",))  # no address typed in the device settings
    (item,) = report.items
    assert item.grade is Grade.GOOD and item.advice == "link.ok", item
    assert item.measured["address"].startswith(hub.url)
    assert precheck.link_address(Settings(check_url="http://other.example/check"), hub.url) == \
        "http://other.example/check"  # an address typed in the device settings still wins
