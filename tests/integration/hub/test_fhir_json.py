"""FHIR decimals keep their digits through the hub and its database (1.50 stays 1.50, never 1.5)."""

import json

from .conftest import Raw

# Written without an exponent, as clinical values are: PostgreSQL's JSONB keeps every digit of those
# but writes 1E+3 as 1000 and has no negative zero (the same values).
DECIMALS = ("1.50", "0.000001230", "12345678901234567.10", "-7.250", "36.60")


def vital(oid: str) -> str:
    """An Observation written by hand, so its numbers are exactly the text above."""
    values = [f'{{"code":{{"text":"c{n}"}},"valueQuantity":{{"value":{text},"unit":"mg"}}}}'
              for n, text in enumerate(DECIMALS[1:])]
    return (f'{{"resourceType":"Observation","id":"{oid}","status":"final","code":{{"text":"Nhiệt độ"}},'
            f'"valueQuantity":{{"value":{DECIMALS[0]},"unit":"mg"}},"component":[{",".join(values)}]}}')


def assert_exact(text: str):
    for number in DECIMALS:
        assert f'"value":{number}' in text.replace(" ", ""), (number, text[:400])


def test_decimals_read_back_as_sent(hub, enrolled):
    raw = Raw(hub, enrolled(hub, facility="01001"))
    written = raw("PUT", "/Observation/d-1", content=vital("d-1"))
    assert written.status_code == 201, written.text
    assert_exact(written.text)
    for path in ("/Observation/d-1", "/Observation/d-1/_history/1", "/Observation/d-1/_history",
                 "/Observation?_id=d-1"):
        reply = raw("GET", path)
        assert reply.status_code == 200, (path, reply.text)
        assert_exact(reply.text)
    # The same text again is the same resource: no new version.
    assert raw("PUT", "/Observation/d-1", content=vital("d-1")).headers["ETag"] == 'W/"1"'
    # Through a transaction as well.
    bundle = ('{"resourceType":"Bundle","type":"transaction","entry":[{"resource":' + vital("d-2")
              + ',"request":{"method":"PUT","url":"Observation/d-2"}}]}')
    assert raw("POST", "/", content=bundle).status_code == 200
    assert_exact(raw("GET", "/Observation/d-2").text)
    assert json.loads(raw("GET", "/Observation/d-2").text)["valueQuantity"]["value"] == 1.5
