"""The real hub, served by uvicorn on 127.0.0.1 from a thread of the test process."""

import socket
import threading
import time
from pathlib import Path

import uvicorn

from server import auth
from server.api import create_app
from server.config import HubConfig


class RunningHub:
    def __init__(self, folder: Path, database_url: str | None = None, **limits):
        config = HubConfig.in_folder(folder, database_url)
        if limits:
            from dataclasses import replace

            config = replace(config, **limits)
        self.config = config
        self.app = create_app(config)
        self.engine = self.app.state.engine
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                     log_level="error", access_log=False))
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

    def register(self, kind: str = "station", **fields) -> tuple[str, str]:
        with self.engine.begin() as conn:
            return auth.register_client(conn, kind, fields.pop("name", "test"), **fields)

    def revoke(self, client_id: str) -> None:
        with self.engine.begin() as conn:
            auth.revoke(conn, client_id)
