"""The hub on this very machine (SQLite), for a station used on its own or for trying things out.

`make run` starts the station this way: a local hub process, the station enrolled with it, so
submitting a case and getting an answer work end to end without any server set up. With Orthanc
installed (make run installs it) the local hub has its own PACS, and imaging takes the same
DICOMweb path as with a central hub; with Janus installed it has its own video server (--local-sfu),
so a live consultation can be tried on this machine. Without either the hub goes on without it.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

EMBEDDED_FACILITY = "00000"


class EmbeddedHubError(RuntimeError):
    pass


def _free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:`port` now (as the hub binds: address reuse on)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class EmbeddedHub:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.process: subprocess.Popen | None = None
        self.url = ""
        self._wanted = False  # started and not stopped on purpose since

    @property
    def died(self) -> bool:
        """It should be running (started, never stopped on purpose) but its process has ended."""
        return self._wanted and (self.process is None or self.process.poll() is not None)

    def _command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "server", "--data", str(self.folder), *args]

    def start(self, timeout_s: float = 30.0) -> str:
        """The hub listens on the port it had last time when that is free (the console's address, bookmarked
        by whoever answers here, stays the same from one start to the next), else on any free port."""
        self._wanted = True
        ready = self.folder / "port"
        last = ready.read_text().strip() if ready.exists() else ""
        self.folder.mkdir(parents=True, exist_ok=True)
        if last.isdigit() and 0 < int(last) < 65536 and _free(int(last)):
            try:
                return self._start_on(last, ready, timeout_s)
            except EmbeddedHubError:
                pass  # taken meanwhile by another program: any free one
        return self._start_on("0", ready, timeout_s)

    def _start_on(self, port: str, ready: Path, timeout_s: float) -> str:
        ready.unlink(missing_ok=True)
        with (self.folder / "hub.log").open("ab") as log:  # the child keeps its own handle
            self.process = subprocess.Popen(self._command("serve", "--port", port, "--ready-file", str(ready),
                                                          "--exit-with", str(os.getpid()), "--local-pacs",
                                                          "--local-sfu"),
                                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        while not ready.exists() or not ready.read_text().strip():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._end()
                raise EmbeddedHubError(f"the local hub did not start; see {self.folder / 'hub.log'}")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{ready.read_text().strip()}"
        return self.url

    def enrollment_code(self) -> str:
        done = subprocess.run(self._command("add-station", "--facility", EMBEDDED_FACILITY, "--name",
                                            "Máy trạm này (trung tâm cục bộ)", "--json"),
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise EmbeddedHubError(done.stderr.strip() or "the local hub refused to register this station")
        return json.loads(done.stdout)["enrollment_code"]

    @property
    def console_url(self) -> str:
        return f"{self.url}/console" if self.url else ""

    def console_account(self, hospital: str, specialty: str, name: str) -> tuple[str, str]:
        """(login, password) of a trial expert of `hospital` and `specialty` on this local hub's console,
        made the first time it is asked for: whoever tries the station can answer its cases themselves.

        The passwords are kept beside the hub's data (readable by this user only): this hub serves this
        machine alone (127.0.0.1) and holds only what was typed here.
        """
        login = f"thu.{hospital}.{specialty}"
        store = self.folder / "console-accounts.json"
        known = json.loads(store.read_text()) if store.exists() else {}
        if login in known:
            return login, known[login]
        password = secrets.token_urlsafe(12)
        done = subprocess.run(self._command("user", "add", "--login", login, "--name", name, "--role", "expert",
                                            "--hospital", hospital, "--specialty", specialty, "--title", "BS",
                                            "--password-stdin"),
                              input=password + "\n", capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise EmbeddedHubError(done.stderr.strip() or "the local hub refused to make a console account")
        known[login] = password
        fd = os.open(store.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(known, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(store.with_suffix(".tmp"), store)
        return login, password

    def stop(self) -> None:
        self._wanted = False
        self._end()

    def _end(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
