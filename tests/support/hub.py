"""The real hub on 127.0.0.1: served by uvicorn from a thread of the test process (RunningHub), or as
processes of its own (HubProcess), e.g. two workers on one PostgreSQL database."""

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import uvicorn

from server import auth
from server.api import create_app
from server.config import HubConfig


class RunningHub:
    def __init__(self, folder: Path, database_url: str | None = None, local_sfu: bool = False, **limits):
        """`local_sfu`: a Janus of its own posting its events to this hub (`serve --local-sfu`), stopped with
        it (`self.sfu`); `janus=JanusSettings(...)` in `limits` points it at a Janus started elsewhere."""
        config = HubConfig.in_folder(folder, database_url)
        if limits:
            from dataclasses import replace

            config = replace(config, **limits)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.sfu = None
        if local_sfu:
            from server.__main__ import with_local_sfu

            config, self.sfu = with_local_sfu(config, Path(folder), f"{self.url}/live/janus-events")
            if self.sfu is None:
                raise RuntimeError("Janus is not installed")
        self.config = config
        self.app = create_app(config)
        self.engine = self.app.state.engine
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                     log_level="error", access_log=False,
                                                     # open event streams never end by themselves
                                                     timeout_graceful_shutdown=2))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> "RunningHub":
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the hub did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self.engine.dispose()
        if self.sfu is not None:
            self.sfu.stop()

    def register(self, kind: str = "station", **fields) -> tuple[str, str]:
        with self.engine.begin() as conn:
            return auth.register_client(conn, kind, fields.pop("name", "test"), **fields)

    def revoke(self, client_id: str) -> None:
        with self.engine.begin() as conn:
            auth.revoke(conn, client_id)


class HubProcess:
    """One hub worker as a process of its own (`diemcau-hub serve`), at an address of its own.

    Several on one PostgreSQL database and one data folder (the token secret) are what
    `serve --workers N` runs, except that a test knows which worker each client talks to.
    """

    def __init__(self, folder: Path, database_url: str, pacs_url: str = ""):
        """`pacs_url`: the PACS's DICOMweb root (`serve --pacs`); "" for none."""
        from server.db import make_engine

        self.folder, self.database_url, self.pacs_url = Path(folder), database_url, pacs_url
        self.engine = make_engine(database_url)
        self.process = None
        self.url = ""

    @property
    def secret(self) -> bytes:
        """The token-signing secret the workers share (what the hub's own services sign with)."""
        from server.config import load_secret

        return load_secret(self.folder)

    def start(self, timeout_s: float = 30) -> "HubProcess":
        ready = self.folder / f"ready-{time.monotonic_ns()}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "--data", str(self.folder), "--database", self.database_url, "serve",
             "--port", "0", "--ready-file", str(ready), *(["--pacs", self.pacs_url] if self.pacs_url else [])],
            cwd=Path(__file__).resolve().parents[2])
        deadline = time.monotonic() + timeout_s
        while not (ready.exists() and ready.read_text()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("the hub process did not start")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{ready.read_text()}"
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.engine.dispose()

    def register(self, kind: str = "station", **fields) -> tuple[str, str]:
        with self.engine.begin() as conn:
            return auth.register_client(conn, kind, fields.pop("name", "test"), **fields)

    def revoke(self, client_id: str) -> None:
        with self.engine.begin() as conn:
            auth.revoke(conn, client_id)
