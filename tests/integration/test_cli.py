"""`diemcau devices`, `configure`, `check` and `export-checks` as IT staff run them."""

import json
import os
import subprocess
import sys

from tests.support.link_server import LinkServer


def diemcau(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data_dir), *args], capture_output=True,
                          text=True, env=dict(os.environ), timeout=120)


def test_devices_lists_the_sound_servers_devices(data_dir, pulse):
    result = diemcau(data_dir, "devices", "--json")
    assert result.returncode == 0
    listed = json.loads(result.stdout)
    assert "pulse" in [d["name"] for d in listed["audio"]] and listed["cameras"] == []


def test_configure_then_check_a_fit_station(data_dir, video_file, microphone_source, tmp_path):
    server = LinkServer()
    try:
        configured = diemcau(data_dir, "configure", "--camera", str(video_file), "--resolution", "640x480",
                             "--microphone", "pulse", "--speaker", "pulse", "--check-url", server.url)
        assert configured.returncode == 0, configured.stderr
        result = diemcau(data_dir, "check", "--json")
    finally:
        server.close()
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["fit"] is True
    assert [i["part"] for i in report["items"]] == ["camera", "microphone", "speaker", "link"]
    exported = tmp_path / "checks.json"
    assert diemcau(data_dir, "export-checks", str(exported)).returncode == 0
    assert json.loads(exported.read_text(encoding="utf-8"))[0]["id"] == report["id"]


def test_an_unfit_station_exits_non_zero_and_says_why(data_dir):
    result = diemcau(data_dir, "check", "--only", "camera", "--camera", "5")
    assert result.returncode == 1
    assert "UNFIT camera" in result.stdout and "no camera at USB index 5" in result.stdout
    # Only the camera was checked: the verdict is about that part, not the whole station.
    assert "Checked: camera — NOT fit" in result.stdout and "ready" not in result.stdout


def test_bad_configuration_is_refused_by_name(data_dir):
    result = diemcau(data_dir, "configure", "--resolution", "big")
    assert result.returncode == 2 and "--resolution" in result.stderr
