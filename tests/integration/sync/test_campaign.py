"""The fault campaign (tests/support/campaign.py): kills, cuts, stalls, 503s and outages, then the invariants.

`make test` runs the short one (DIEMCAU_CAMPAIGN_SECONDS of iterations, 45 by default); `make soak`
the long one (DIEMCAU_SOAK_SECONDS, 1200 by default), which prints its figures. A failure starts
with its seed: DIEMCAU_CAMPAIGN_SEED=<seed> plays the same plan again. DIEMCAU_CAMPAIGN_HUB=postgresql
puts the hub on PostgreSQL.
"""

import os

import pytest

from tests.support.campaign import Campaign, campaign_seed

SOAK_SECONDS = float(os.environ.get("DIEMCAU_SOAK_SECONDS") or 1200)


def run_campaign(folder, seconds: float, progress_every_s: float = 0.0) -> Campaign:
    hub_url = None
    server = None
    if os.environ.get("DIEMCAU_CAMPAIGN_HUB", "sqlite") == "postgresql":
        from tests.support.postgres import PostgresServer

        server = PostgresServer().start()
        hub_url = server.new_database()
    campaign = Campaign(folder, campaign_seed(), seconds, hub_url, progress_every_s)
    try:
        campaign.run()
    finally:
        campaign.close()
        if server is not None:
            server.stop()
    print("\n" + campaign.figures_text(), flush=True)
    failure = campaign.failure()
    if failure:
        pytest.fail(failure, pytrace=False)
    return campaign


def test_a_short_fault_campaign_loses_duplicates_and_strands_nothing(tmp_path):
    run_campaign(tmp_path / "campaign", float(os.environ.get("DIEMCAU_CAMPAIGN_SECONDS") or 45))


@pytest.mark.soak
@pytest.mark.timeout(SOAK_SECONDS + 900)
def test_a_long_fault_campaign_loses_duplicates_and_strands_nothing(tmp_path):
    if "DIEMCAU_SOAK_SECONDS" not in os.environ:
        pytest.skip("the long campaign runs with `make soak` (DIEMCAU_SOAK_SECONDS)")
    run_campaign(tmp_path / "campaign", SOAK_SECONDS, progress_every_s=60.0)


def test_the_relay_follows_each_request_and_answer_however_the_bytes_are_split():
    import random

    from tests.support.campaign import _HttpStream, answer_kind

    requests = (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n{\"a\": \"b\"}\n"
                b"HEAD /files/abc HTTP/1.1\r\nHost: h\r\n\r\n"
                b"PATCH /files/abc HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + b"P" * 5000 +
                b"POST /dicomweb/studies/1.2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nHTTP/\r\n3;x=1\r\nabc\r\n0\r\n\r\n"
                b"GET /Task?_count=200 HTTP/1.1\r\n\r\n")
    answers = (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{}\r\n"
               b"HTTP/1.1 200 OK\r\nContent-Length: 9999\r\nUpload-Offset: 0\r\n\r\n"   # HEAD: no body
               b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nUpload-Offset: 5000\r\n\r\n"
               b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nHTTP\r\n0\r\nX-T: 1\r\n\r\n"
               b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
    rng = random.Random(7)
    for _ in range(50):
        heads, ends, body, said = [], [], [0], []
        up = _HttpStream(lambda line, headers: heads.append(line.split(" ")[:2]) or "framed", lambda: ends.append(1),
                         lambda n: body.__setitem__(0, body[0] + n))

        def answer_head(line, headers):
            status = int(line.split(" ")[1])
            if status < 200:
                return None
            method, target = heads[len(said)]
            said.append((answer_kind(method, target), status))
            return "none" if method == "HEAD" or status == 204 else "framed-or-close"
        down = _HttpStream(answer_head, lambda: None)
        for stream, data in ((up, requests), (down, answers)):
            at = 0
            while at < len(data):
                step = rng.choice([1, 2, 3, 7, 50, 4096])
                stream.feed(data[at:at + step])
                at += step
        assert not up.lost and not down.lost
        assert [kind for kind, _ in said] == ["transaction", "tus-head", "tus-patch", "stow", "search"]
        assert [status for _, status in said] == [200, 200, 204, 200, 503]
        assert len(ends) == 5 and body[0] == 11 + 5000 + 5 + 2 + 3 + 2
