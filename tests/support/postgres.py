"""A private PostgreSQL server for the tests (RECIPES.md): initdb in a temp dir, 127.0.0.1, fsync off."""

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


def _bin(name: str) -> str:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (make test installs it)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PostgresServer:
    def __init__(self, durable: bool = False):
        """`durable`: PostgreSQL's own defaults (fsync on), as in production; otherwise fast and fragile."""
        self.durable = durable
        self.dir = Path(tempfile.mkdtemp(prefix="diemcau-pg-"))
        self.port = _free_port()
        self.data = self.dir / "data"

    def start(self) -> "PostgresServer":
        os.chmod(self.dir, 0o777)
        subprocess.run(_as_postgres([_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                                     "-E", "UTF8", "--no-locale"]), check=True, capture_output=True)
        subprocess.run(_as_postgres([
            _bin("pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.dir / "log"), "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=200"
            + ("" if self.durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"), "start"]),
            check=True, capture_output=True)
        return self

    def new_database(self) -> str:
        """A fresh empty database; its SQLAlchemy URL."""
        name = "t" + uuid.uuid4().hex[:12]
        subprocess.run([_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q", "-c",
                        f"CREATE DATABASE {name}"], check=True, capture_output=True)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(_as_postgres([_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)
