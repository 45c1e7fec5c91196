import pytest
from server.live import janus_admin
from tests.integration.live import test_cascade as t

def test_without_publish_remotely(tmp_path, monkeypatch):
    real = janus_admin.JanusAdmin.request
    def fake(self, body):
        if body.get("request") == "publish_remotely":
            return {"videoroom": "success"}
        return real(self, body)
    monkeypatch.setattr(janus_admin.JanusAdmin, "request", fake)
    with pytest.raises(TimeoutError):
        t.test_one_publisher_reaches_subscribers_on_both_janus(tmp_path)
