"""The live data channel's messages as a participant could forge them: never an exception to the receiver
(helper H10's finding: arrays nested deep raised RecursionError, a slice index of 1e999 OverflowError)."""

import pytest

from app.wire.live import MAX_MESSAGE_BYTES, VIEWER, ViewerState, decode, viewer_message, viewer_state

@pytest.mark.parametrize("text", [
    "[" * 2000 + "]" * 2000,                                       # nested deep, within the size limit
    '{"type": "viewer", "body": ' + "{\"a\":" * 900 + "1" + "}" * 901,
    '{"type": "viewer", "body": {"study": "a", "series": "b", "zoom": NaN}}',
    '{"type": "viewer", "body": {"study": "a", "series": "b", "pan_x": Infinity}}',
    "x" * (MAX_MESSAGE_BYTES + 1), b"\xff\xfe", b"{" * (MAX_MESSAGE_BYTES + 1), "", "null", "[]",
    '{"type": 1}', '{"type": "viewer", "body": []}',
])
def test_what_is_not_a_message_decodes_to_none(text):
    assert decode(text) is None


@pytest.mark.parametrize("body", [
    '"index": 1e999', '"frame": 1e999', '"seq": -1e999', '"index": "x"', '"index": [1]', '"zoom": [1]',
])
def test_a_viewer_state_that_is_not_one_reads_as_none_never_raises(body):
    """(Numbers out of range but numbers, NaN zoom included, are the viewer's to fit: tests/ui/test_viewer_sync.py.)"""
    # 1e999 is valid JSON that Python reads as infinity (int() of it raised OverflowError)
    message = decode('{"type": "%s", "sender": "x", "body": {"study": "a", "series": "b", %s}}' % (VIEWER, body))
    assert message is not None and viewer_state(message) is None


def test_a_real_state_reads_back():
    state = ViewerState(study="1.2.3", series="1.2.3.4", index=7, window_center=40.0, window_width=400.0, zoom=2.0,
                        pan_x=-3.5, seq=9)
    assert viewer_state(decode(viewer_message(state, "BS Lan — TTYT huyện Mèo Vạc"))) == state


def test_a_viewer_state_carries_places_and_numbers_nothing_that_names_the_patient():
    """Every participant hears it, experts abroad too: UIDs (the de-identified copy's, app/wire/live.py), numbers
    and a flag. The original UIDs once went beside them; a new field must be as harmless as these."""
    body = decode(viewer_message(ViewerState(study="2.25.1", series="2.25.2", instance="2.25.3", seq=1))).body
    assert set(body) == {"study", "series", "index", "instance", "frame", "window_center", "window_width", "zoom",
                         "pan_x", "pan_y", "key_image", "seq"}
