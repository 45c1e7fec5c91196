"""The command line speaks the language asked for, and says no more than it checked."""

from app.__main__ import main


def test_check_only_the_link_in_vietnamese(hub, data_dir, capsys):
    code = main(["--data-dir", str(data_dir), "--lang", "vi", "check", "--only", "link", "--url", hub.url])
    out = capsys.readouterr().out
    assert "Station is ready for the session" not in out and "Điểm cầu sẵn sàng" not in out
    assert "đường truyền" in out
    assert out.strip().splitlines()[-1].startswith("Đã kiểm tra: đường truyền")
    assert code in (0, 1)


def test_check_in_english_by_default(hub, data_dir, capsys):
    main(["--data-dir", str(data_dir), "check", "--only", "link", "--url", hub.url])
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1].startswith("Checked: link")


def test_devices_in_vietnamese(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "--lang", "vi", "devices"]) == 0
    out = capsys.readouterr().out
    assert "Cameras (USB)" not in out and "Configured camera" not in out
    assert "Camera (USB):" in out and "Camera đã chọn:" in out


def test_sync_not_enrolled_in_vietnamese(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "--lang", "vi", "sync"]) == 2
    err = capsys.readouterr().err
    assert "not enrolled" not in err and "chưa đăng ký với máy chủ" in err


def test_enroll_failure_in_vietnamese(hub, data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "--lang", "vi", "enroll", hub.url, "WRONG-CODE"]) == 1
    err = capsys.readouterr().err
    assert "Enrollment failed" not in err and err.startswith("Đăng ký thất bại:")
