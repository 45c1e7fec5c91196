"""tus resumable uploads: chunks, offsets after a restart, checksums, who may download."""

import base64
import hashlib
import os

import pytest

from app.sync.hub_client import HubClient, HubRejected
from app.wire import systems

from .conftest import Raw

MB = 1024 * 1024


def test_upload_in_chunks_resume_after_restart_and_download_identical(hub, enrolled, tmp_path):
    station = enrolled(hub, facility="0100A")
    data = os.urandom(3 * MB + 123)
    sha = hashlib.sha256(data).hexdigest()
    url = station.create_upload(len(data), sha, {"filename": "ct.zip"})
    assert station.upload_chunk(url, 0, data[:MB]) == MB
    # The station restarts: a new client asks where the hub is, and goes on from there.
    again = HubClient(station.credential)
    try:
        offset = again.upload_offset(url)
        assert offset == MB
        # Creating the same upload again finds the first one (nothing sent twice).
        assert again.create_upload(len(data), sha, {"filename": "ct.zip"}) == url
        while offset < len(data):
            offset = again.upload_chunk(url, offset, data[offset:offset + MB])
        target = tmp_path / "back"
        again.download(url, target)
    finally:
        again.close()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == sha


def test_damaged_chunk_and_damaged_file_are_refused(sqlite_hub, enrolled):
    station = enrolled(sqlite_hub, facility="0100A")
    raw = Raw(sqlite_hub, station)
    data = os.urandom(2 * MB)
    url = station.create_upload(len(data), hashlib.sha256(data).hexdigest(), {})
    path = url.removeprefix(sqlite_hub.url)
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    reply = raw("PATCH", path, content=data[:MB], headers={
        "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream",
        "Upload-Checksum": f"sha256 {wrong}"})
    assert reply.status_code == 460 and reply.json()["resourceType"] == "OperationOutcome"
    assert station.upload_offset(url) == 0
    mismatch = raw("PATCH", path, content=data[:MB], headers={
        "Tus-Resumable": "1.0.0", "Upload-Offset": "5", "Content-Type": "application/offset+octet-stream"})
    assert mismatch.status_code == 409
    # A file whose bytes do not give the announced SHA-256 never completes.
    liar = station.create_upload(MB, hashlib.sha256(b"x" * MB).hexdigest(), {})
    with pytest.raises(HubRejected) as error:
        station.upload_chunk(liar, 0, os.urandom(MB))
    assert error.value.status == 460 and station.upload_offset(liar) == 0
    # Damaged in its last chunk after a first one was counted: it starts again from 0, and the right
    # bytes then complete it (the reset is kept although the PATCH was answered with an error).
    right = os.urandom(MB)
    damaged = station.create_upload(MB, hashlib.sha256(right).hexdigest(), {})
    assert station.upload_chunk(damaged, 0, right[:MB // 2]) == MB // 2
    with pytest.raises(HubRejected) as error:
        station.upload_chunk(damaged, MB // 2, os.urandom(MB // 2))
    assert error.value.status == 460 and station.upload_offset(damaged) == 0
    assert station.upload_chunk(damaged, 0, right) == MB and station.upload_offset(damaged) == MB
    options = raw("OPTIONS", "/files")
    assert options.status_code == 204 and "checksum" in options.headers["Tus-Extension"]
    no_tus = raw("POST", "/files", headers={"Upload-Length": "10"})
    assert no_tus.status_code == 412


def test_only_the_owner_and_the_routed_expert_may_fetch_a_file(sqlite_hub, enrolled, tmp_path):
    owner, other = enrolled(sqlite_hub, facility="0100A"), enrolled(sqlite_hub, facility="0200B")
    data = b"photo bytes" * 1000
    sha = hashlib.sha256(data).hexdigest()
    url = owner.create_upload(len(data), sha, {"documentreference": "doc-1"})
    owner.upload_chunk(url, 0, data)
    owner.transaction([
        {"resourceType": "Patient", "id": "p1"},
        {"resourceType": "ServiceRequest", "id": "sr1", "status": "active", "intent": "order",
         "subject": {"reference": "Patient/p1"},
         "category": [{"coding": [{"system": systems.SPECIALTY, "code": "dermatology"}]}],
         "performer": [{"identifier": {"system": systems.CENTRAL_HOSPITAL, "value": "bachmai"}}]},
        {"resourceType": "DocumentReference", "id": "doc-1", "status": "current",
         "context": {"related": [{"reference": "ServiceRequest/sr1"}]},
         "content": [{"attachment": {"url": url, "contentType": "image/jpeg"}}]},
    ])
    with pytest.raises(HubRejected) as refused:
        other.download(url, tmp_path / "x")
    assert refused.value.status == 404
    expert = enrolled(sqlite_hub, "expert", hospital="bachmai", specialty="dermatology")
    expert.download(url, tmp_path / "seen")
    assert (tmp_path / "seen").read_bytes() == data
    stranger = enrolled(sqlite_hub, "expert", hospital="bachmai", specialty="cardiology")
    with pytest.raises(HubRejected):
        stranger.download(url, tmp_path / "y")


def test_overlapping_patches_of_one_upload_never_leave_it_stuck(hub, enrolled):
    """Issue 12: a killed station's PATCH still arriving while the restarted one PATCHes from the offset."""
    import socket
    import threading
    import time

    import httpx

    station = enrolled(hub, facility="0100A")
    data = os.urandom(4 * MB)
    url = station.create_upload(len(data), hashlib.sha256(data).hexdigest(), {"filename": "ct.zip"})
    partial = hub.config.files_dir / "partial" / url.rsplit("/", 1)[1]
    headers = {"Authorization": f"Bearer {station.token()}", "Tus-Resumable": "1.0.0", "Upload-Offset": "0",
               "Content-Type": "application/offset+octet-stream"}
    release_a, answers = threading.Event(), {}

    def body(parts, gate):
        yield parts[0]
        gate.wait(30)
        yield from parts[1:]

    def patch(name, parts, gate):
        length = sum(len(p) for p in parts)
        try:
            answers[name] = httpx.patch(url, content=body(parts, gate), timeout=60,
                                        headers={**headers, "Content-Length": str(length)}).status_code
        except httpx.HTTPError as error:
            answers[name] = type(error).__name__

    def wait_for(condition):
        deadline = time.monotonic() + 30
        while not condition():
            assert time.monotonic() < deadline
            time.sleep(0.01)

    a = threading.Thread(target=patch, args=("a", [data[:3 * MB], data[3 * MB:]], release_a))
    a.start()
    wait_for(lambda: partial.stat().st_size >= 2 * MB)  # most of A's first 3 MiB are on the hub's disk
    assert station.upload_offset(url) == 0  # not committed yet
    # B (the restarted station) by hand: it announces 2 MiB, sends 1 MiB and keeps the connection open.
    where = httpx.URL(url)
    b = socket.create_connection((where.host, where.port), timeout=30)
    head = "".join(f"{k}: {v}\r\n" for k, v in {**headers, "Content-Length": str(2 * MB), "Host": where.host}.items())
    b.sendall(f"PATCH {where.path} HTTP/1.1\r\n{head}\r\n".encode() + data[:MB])
    b.setblocking(False)
    early = bytearray()

    def b_answered_or_file_cut() -> bool:
        try:
            early.extend(b.recv(65536))
        except BlockingIOError:
            pass
        return bool(early) or partial.stat().st_size < 2 * MB
    wait_for(b_answered_or_file_cut)
    release_a.set()
    a.join(30)
    b.setblocking(True)
    try:
        b.sendall(data[MB:2 * MB])
        answers["b"] = (bytes(early) or b.recv(65536)).split(b"\r\n", 1)[0].decode()
    except OSError as error:
        answers["b"] = f"{type(error).__name__} {bytes(early)[:40]!r}"
    b.close()
    # Whatever each PATCH was told, the station can always finish the upload from what HEAD says.
    for _ in range(4):
        offset = station.upload_offset(url)
        if offset == len(data):
            break
        try:
            station.upload_chunk(url, offset, data[offset:])
        except HubRejected as error:
            assert error.status in (409, 460), error
    assert station.upload_offset(url) == len(data), answers
    target = hub.config.files_dir.parent / "downloaded"
    station.download(url, target)
    assert target.read_bytes() == data
