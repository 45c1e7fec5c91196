import logging

from PySide6.QtWidgets import QMessageBox

from app.ui import crash


def test_a_bug_is_logged_with_its_traceback_and_told_calmly(qtbot, qapp, monkeypatch, caplog):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append((title, text)))
    try:
        {}["missing"]
    except KeyError as error:
        with caplog.at_level(logging.ERROR, logger="diemcau"):
            crash._report(type(error), error, error.__traceback__)
    assert "Traceback" in caplog.text and "KeyError: 'missing'" in caplog.text
    qtbot.waitUntil(lambda: bool(shown))
    title, text = shown[0]
    assert title == "Something went wrong" and "Your cases are saved" in text
