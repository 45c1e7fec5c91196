"""Back up a small hub on PostgreSQL while it runs, restore it into a new database and folder, and find
everything again: every record with its history, the audit rows, the file bytes, for the same station
(docs/retention.md describes these very steps)."""

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import httpx
from sqlalchemy import MetaData, create_engine, select

from app.sync.hub_client import HubClient
from app.wire import consultation as wire
from app.wire import systems
from server.db import make_engine
from tests.support.hub import RunningHub

ROOT = Path(__file__).resolve().parents[3]


def hub_cli(data: Path, database: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server", "--data", str(data), "--database", database, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (alembic_version included), in primary-key order."""
    engine = make_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {name: [tuple(row) for row in conn.execute(
                        select(table).order_by(*(table.primary_key.columns or table.columns)))]
                    for name, table in sorted(meta.tables.items())}
    finally:
        engine.dispose()


def file_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def write_a_consultation(station: HubClient, expert: HubClient) -> tuple[str, bytes]:
    """A case with two versions of its patient, a question, a reply carrying an uploaded photo; the file URL."""
    patient = {"resourceType": "Patient", "id": "pat-1", "name": [{"text": "Nguyễn Thị Hường"}],
               "identifier": [{"system": systems.CCCD, "value": "002178004512"}]}
    request = {"resourceType": "ServiceRequest", "id": "case-1", "status": "active", "intent": "order",
               "subject": {"reference": "Patient/pat-1"},
               "category": [{"coding": [{"system": systems.SPECIALTY, "code": "oncology"}]}],
               "performer": [{"identifier": {"system": systems.CENTRAL_HOSPITAL, "value": "k"}}]}
    station.transaction([patient, request])
    station.put(dict(patient, name=[{"text": "Nguyễn Thị Hường"}], gender="female"))   # version 2
    expert.put(wire.message("q-1", "case-1", "pat-1", wire.QUESTION, "Xin phim CT thì động mạch?",
                            "2026-11-29T08:00:00+07:00"))
    photo = os.urandom(300_000)
    url = station.create_upload(len(photo), hashlib.sha256(photo).hexdigest(), {"filename": "ảnh-tổn-thương.jpg"})
    station.upload_chunk(url, 0, photo)
    station.transaction([
        {"resourceType": "DocumentReference", "id": "doc-1", "status": "current",
         "subject": {"reference": "Patient/pat-1"}, "context": {"related": [{"reference": "ServiceRequest/case-1"}]},
         "content": [{"attachment": {"url": url, "contentType": "image/jpeg"}}]},
        wire.message("r-1", "case-1", "pat-1", wire.REPLY, "Gửi ảnh tổn thương; CT sẽ gửi sau.",
                     "2026-11-29T08:30:00+07:00", attachments=("doc-1",)),
    ])
    return url, photo


def moved(client: HubClient, hub: RunningHub) -> HubClient:
    """The same credential (client id and private key) at the restored hub's address."""
    return HubClient(replace(client.credential, hub_url=hub.url, token_endpoint=f"{hub.url}/auth/token"))


def everything_seen_by(station: HubClient) -> dict:
    return {"patient": station.read("Patient", "pat-1"),
            "history": [e["resource"] for e in station._send("GET", f"{station.base}/Patient/pat-1/_history")
                        .json()["entry"]],
            "messages": sorted((m["id"], m["payload"][0]["contentString"])
                               for m in station.search("Communication", {"based-on": "ServiceRequest/case-1"})),
            "document": station.read("DocumentReference", "doc-1")}


def test_a_hub_restored_from_its_backup_holds_and_serves_everything(postgres, enrolled, tmp_path):
    original = RunningHub(tmp_path / "hub", postgres.new_database()).start()
    restored = None
    try:
        station = enrolled(original, facility="0100A")
        expert = enrolled(original, "expert", hospital="k", specialty="oncology")
        url, photo = write_a_consultation(station, expert)
        seen_before = everything_seen_by(station)
        assert [v["meta"]["versionId"] for v in seen_before["history"]] == ["2", "1"]
        before = snapshot(original.config.database_url)
        assert len(before["resource_history"]) == 6 and len(before["audit_events"]) >= 8

        # Backed up while the hub runs; then a new database and a new folder.
        backup_dir = tmp_path / "backup"
        done = hub_cli(original.config.files_dir.parent, original.config.database_url, "backup", "--to",
                       str(backup_dir))
        assert done.returncode == 0, done.stderr
        manifest = json.loads((backup_dir / "manifest.json").read_text())
        assert "database.dump" in manifest["files"] and "secret.key" in manifest["files"]
        new_url, new_data = postgres.new_database(), tmp_path / "restored"
        done = hub_cli(new_data, new_url, "restore", "--from", str(backup_dir))
        assert done.returncode == 0, done.stderr

        # Every row of every table, and every file, identical.
        assert snapshot(new_url) == before
        assert file_hashes(new_data / "files") == file_hashes(original.config.files_dir)
        assert (new_data / "secret.key").read_bytes() == (original.config.files_dir.parent / "secret.key").read_bytes()

        # The restored hub serves it all to the same station and expert credentials.
        restored = RunningHub(new_data, new_url).start()
        again, expert_again = moved(station, restored), moved(expert, restored)
        try:
            # Nothing of a consultation can be deleted through the hub (TT 49/2017: kept 10 years).
            file_path = url.removeprefix(original.url)
            for path in ("/Patient/pat-1", "/ServiceRequest/case-1", "/Communication/r-1", "/DocumentReference/doc-1",
                         file_path):
                gone = httpx.delete(f"{restored.url}{path}", headers={"Authorization": f"Bearer {again.token()}"})
                assert gone.status_code == 405, (path, gone.status_code)
            assert everything_seen_by(again) == seen_before
            fetched = tmp_path / "photo"
            again.download(url.replace(original.url, restored.url), fetched)
            assert hashlib.sha256(fetched.read_bytes()).digest() == hashlib.sha256(photo).digest()
            reply = expert_again.read("Communication", "r-1")
            assert reply["payload"][0]["contentString"] == "Gửi ảnh tổn thương; CT sẽ gửi sau."
            # It goes on where the original stopped: new audit rows follow the restored ones.
            expert_again.put(wire.message("q-2", "case-1", "pat-1", wire.QUESTION, "Đã nhận ảnh.",
                                          "2026-11-30T08:00:00+07:00"))
        finally:
            again.close()
            expert_again.close()
        after = snapshot(new_url)
        assert after["audit_events"][:len(before["audit_events"])] == before["audit_events"]
        assert len(after["audit_events"]) > len(before["audit_events"])
    finally:
        original.stop()
        if restored:
            restored.stop()


def test_restore_refuses_a_damaged_backup_and_never_overwrites_a_hub(postgres, enrolled, tmp_path):
    original = RunningHub(tmp_path / "hub", postgres.new_database()).start()
    try:
        station = enrolled(original, facility="0100A")
        data = b"x" * 1000
        url = station.create_upload(len(data), hashlib.sha256(data).hexdigest(), {})
        station.upload_chunk(url, 0, data)
    finally:
        original.stop()
    folder, backup_dir = original.config.files_dir.parent, tmp_path / "backup"
    assert hub_cli(folder, original.config.database_url, "backup", "--to", str(backup_dir)).returncode == 0
    # Into the database it came from: refused, nothing touched.
    refused = hub_cli(tmp_path / "elsewhere", original.config.database_url, "restore", "--from", str(backup_dir))
    assert refused.returncode == 1 and "not empty" in refused.stderr
    # Over a data folder that has files: refused.
    refused = hub_cli(folder, postgres.new_database(), "restore", "--from", str(backup_dir))
    assert refused.returncode == 1 and "exists" in refused.stderr
    # One changed byte in the backup: refused before anything is restored.
    stored = next(p for p in (backup_dir / "files").rglob("*") if p.is_file() and p.read_bytes() == data)
    stored.write_bytes(b"y" + data[1:])
    empty = postgres.new_database()
    refused = hub_cli(tmp_path / "new", empty, "restore", "--from", str(backup_dir))
    assert refused.returncode == 1 and "damaged" in refused.stderr
    engine = create_engine(empty.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").scalar() == 0
    finally:
        engine.dispose()
    # Into the same kind of database only.
    stored.write_bytes(data)
    refused = hub_cli(tmp_path / "lite", f"sqlite:///{tmp_path / 'lite.db'}", "restore", "--from", str(backup_dir))
    assert refused.returncode == 1 and "postgresql" in refused.stderr


def test_the_one_machine_hub_on_sqlite_backs_up_and_restores_too(enrolled, tmp_path):
    original = RunningHub(tmp_path / "hub").start()
    try:
        station = enrolled(original, facility="0100A")
        station.transaction([{"resourceType": "Patient", "id": "pat-1", "name": [{"text": "Lò Văn Páo"}]}])
        backup_dir = tmp_path / "backup"
        done = hub_cli(tmp_path / "hub", original.config.database_url, "backup", "--to", str(backup_dir))
        assert done.returncode == 0, done.stderr
        before = snapshot(original.config.database_url)
    finally:
        original.stop()
    new_url = f"sqlite:///{tmp_path / 'restored' / 'hub.db'}"
    done = hub_cli(tmp_path / "restored", new_url, "restore", "--from", str(backup_dir))
    assert done.returncode == 0, done.stderr
    assert snapshot(new_url) == before
    restored = RunningHub(tmp_path / "restored").start()
    again = moved(station, restored)
    try:
        assert again.read("Patient", "pat-1")["name"][0]["text"] == "Lò Văn Páo"
    finally:
        again.close()
        restored.stop()
