import hashlib
import io

import pytest
from hypothesis import given, settings, strategies as st

from app.storage.blobs import BlobStore


def test_content_is_stored_once_under_its_sha256(tmp_path):
    store = BlobStore(tmp_path)
    first = store.put_bytes(b"anh chup vet thuong")
    again = store.put_stream(io.BytesIO(b"anh chup vet thuong"))
    assert first.sha256 == again.sha256 == hashlib.sha256(b"anh chup vet thuong").hexdigest()
    assert first.is_new and not again.is_new
    assert store.path(first.sha256).read_bytes() == b"anh chup vet thuong"
    assert list((tmp_path / "incoming").iterdir()) == []


def test_a_failure_midway_leaves_nothing_behind(tmp_path):
    store = BlobStore(tmp_path)

    def chunks():
        yield b"x" * 1000
        raise OSError("device unplugged")

    with pytest.raises(OSError):
        store.put_chunks(chunks())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_cancel_stops_and_cleans_up(tmp_path):
    store = BlobStore(tmp_path)
    seen = []
    with pytest.raises(InterruptedError):
        store.put_stream(io.BytesIO(b"y" * (3 << 20)), progress=seen.append, cancelled=lambda: len(seen) >= 1)
    assert seen == [1 << 20]
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_leftovers_of_a_crash_are_cleaned(tmp_path):
    store = BlobStore(tmp_path)
    (tmp_path / "incoming" / "tmpabc").write_bytes(b"half")
    assert store.clean_incoming() == 1


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_read_back_identical(tmp_path_factory, data):
    store = BlobStore(tmp_path_factory.mktemp("blobs"))
    stored = store.put_bytes(data)
    assert stored.size == len(data) and store.path(stored.sha256).read_bytes() == data
