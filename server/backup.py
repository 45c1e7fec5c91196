"""Back up a hub and restore it: its database and its data folder, checked byte for byte.

    diemcau-hub --data /var/lib/diemcau-hub --database postgresql://diemcau@db/diemcau backup --to /backup/2026-11-29
    diemcau-hub --data /srv/hub-restored --database postgresql://diemcau@db/restored restore --from /backup/2026-11-29

A backup folder holds the database (`database.dump`, PostgreSQL's custom format from pg_dump, or `hub.db`, a
copy made with SQLite's online backup), the data folder's `files/` (uploads, minutes) and `secret.key`, and
`manifest.json` with the size and SHA-256 of each of them, written last: a folder without it is unfinished.
The hub may keep running. The database is dumped before the files are copied, so a file arriving in between is
at worst an extra file, never a record whose file is missing.

Restore goes only into an empty database and a data folder without files or key (it never overwrites a hub),
and checks every file against the manifest before and after copying. Orthanc's storage is backed up by its
own means (docs/retention.md).
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

MANIFEST = "manifest.json"
DUMP = "database.dump"
SQLITE_COPY = "hub.db"
COPIED = ("files", "secret.key")   # what of the data folder is kept (hub.db is copied by SQLite, pacs/ by Orthanc)


class BackupError(Exception):
    pass


def default_database_url(data: Path, database: str | None) -> str:
    """The URL the hub itself would use (HubConfig.in_folder), without creating anything in `data`."""
    return database or os.environ.get("DIEMCAU_HUB_DATABASE") or f"sqlite:///{Path(data) / 'hub.db'}"


def pg_tool(name: str) -> str:
    """pg_dump/pg_restore: from DIEMCAU_PG_BIN, else the newest installed PostgreSQL, else PATH.
    (pg_dump must be at least as new as the server it dumps.)"""
    folders = [Path(os.environ["DIEMCAU_PG_BIN"])] if os.environ.get("DIEMCAU_PG_BIN") else []
    folders += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                      if p.parent.name.isdigit() else 0, reverse=True)
    for folder in folders:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"PostgreSQL's {name} is not installed (Debian: postgresql-client)")
    return found


def _libpq(url: str) -> tuple[str, dict]:
    """(a libpq connection URI, environment): the password goes by PGPASSWORD, never on a command line."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(args: list[str], env: dict | None = None) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.returncode}")


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_copy(source: Path, target: Path) -> None:
    # SQLite's backup API: a consistent copy even while the hub writes (WAL included).
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inventory(folder: Path) -> dict[str, dict]:
    return {path.relative_to(folder).as_posix(): {"size": path.stat().st_size, "sha256": sha256_of(path)}
            for path in sorted(folder.rglob("*")) if path.is_file() and path.name != MANIFEST}


def backup(data: Path, database_url: str, target: Path) -> dict:
    """Back up the hub whose data folder is `data` into the new folder `target`; the manifest."""
    data, target = Path(data), Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: each backup goes into a folder of its own")
    target.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(database_url):
        _sqlite_copy(Path(make_url(database_url).database), target / SQLITE_COPY)
    else:
        uri, env = _libpq(database_url)
        _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target / DUMP}",
              f"--dbname={uri}"], env)
    for name in COPIED:   # after the database: see the module's docstring
        source = data / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    manifest = {"made": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "database": "sqlite" if _is_sqlite(database_url) else "postgresql",
                "files": _inventory(target)}
    temp = target / (MANIFEST + ".tmp")
    temp.write_text(json.dumps(manifest, indent=1))
    temp.rename(target / MANIFEST)
    return manifest


def verify(folder: Path, manifest: dict | None = None) -> dict:
    """The manifest, once every file it lists is in `folder` with its size and SHA-256; BackupError otherwise."""
    folder = Path(folder)
    if manifest is None:
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError) as error:
            raise BackupError(f"{folder} has no readable {MANIFEST}: not a finished backup ({error})") from error
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            raise BackupError(f"{name} is missing or damaged in {folder}")
    return manifest


def restore(source: Path, data: Path, database_url: str) -> dict:
    """Restore the backup in `source` into an empty database and a data folder without files; the manifest."""
    source, data = Path(source), Path(data)
    manifest = verify(source)
    kind = "sqlite" if _is_sqlite(database_url) else "postgresql"
    if manifest["database"] != kind:
        raise BackupError(f"this backup holds a {manifest['database']} database, not {kind}")
    for name in COPIED:
        present = data / name
        if present.exists() and (present.is_file() or any(present.iterdir())):
            raise BackupError(f"{present} exists: restore into a new data folder, never over a hub")
    data.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        target = Path(make_url(database_url).database)
        if target.exists() and target.stat().st_size:
            raise BackupError(f"{target} exists: restore into a new database, never over a hub")
        _sqlite_copy(source / SQLITE_COPY, target)
    else:
        from .db import make_engine

        engine = make_engine(database_url)
        try:
            with engine.connect() as conn:
                if inspect(conn).get_table_names():
                    raise BackupError("the database is not empty: restore into a new database, never over a hub")
        finally:
            engine.dispose()
        uri, env = _libpq(database_url)
        _run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={uri}", str(source / DUMP)], env)
    for name in COPIED:
        if (source / name).is_dir():
            shutil.copytree(source / name, data / name, dirs_exist_ok=True)
        elif (source / name).is_file():
            shutil.copy2(source / name, data / name)
    copied = {k: v for k, v in manifest["files"].items() if k.split("/", 1)[0] in COPIED}
    verify(data, {"files": copied})
    return manifest
