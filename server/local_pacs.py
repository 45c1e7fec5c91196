"""An Orthanc PACS with DICOMweb, run by the hub's own tools on this machine (tests, trials, one-box set-ups).

Orthanc has no bind-address option: it listens on every interface, so remote access is switched
off and a generated password guards even local requests. Production runs its own Orthanc (see
the README) and gives the hub its address with `--pacs`.
"""

import json
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

ORTHANC = "Orthanc"
PLUGIN_DIRS = (Path("/usr/share/orthanc/plugins"), Path("/usr/lib/orthanc"))


class PacsError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dicomweb_plugin() -> Path | None:
    for folder in PLUGIN_DIRS:
        for path in sorted(folder.glob("libOrthancDicomWeb.so*")):
            return path
    return None


def available() -> bool:
    return shutil.which(ORTHANC) is not None and dicomweb_plugin() is not None


def _die_with_parent() -> None:
    """In the child: end when the process that started Orthanc ends, even killed with -9 (Linux)."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class LocalOrthanc:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.password = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dicomweb_url(self) -> str:
        """With the credentials, as the hub's `--pacs` takes it."""
        return f"http://hub:{self.password}@127.0.0.1:{self.port}/dicom-web"

    def start(self, timeout_s: float = 20.0) -> "LocalOrthanc":
        if not available():
            raise PacsError("Orthanc with its DICOMweb plugin is not installed (apt-get install orthanc "
                            "orthanc-dicomweb)")
        storage = self.folder / "storage"
        storage.mkdir(parents=True, exist_ok=True)
        self.port, self.password = free_port(), secrets.token_urlsafe(16)
        config = {
            "Name": "diemcau-pacs", "StorageDirectory": str(storage), "IndexDirectory": str(storage),
            "HttpPort": self.port, "DicomPort": free_port(), "DicomServerEnabled": False,
            "RemoteAccessAllowed": False, "AuthenticationEnabled": True,
            "RegisteredUsers": {"hub": self.password}, "Plugins": [str(dicomweb_plugin())],
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/", "EnableWado": False},
            "StorageCompression": False, "HttpTimeout": 300, "ConcurrentJobs": 2,
            "LimitFindResults": 0, "LimitFindInstances": 0,
        }
        path = self.folder / "orthanc.json"
        path.write_text(json.dumps(config, indent=2))
        path.chmod(0o600)
        deadline = time.monotonic() + timeout_s
        self._launch(path)
        while True:
            try:
                if httpx.get(f"{self.url}/system", auth=("hub", self.password), timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise PacsError(f"Orthanc did not start; see {self.folder / 'orthanc.log'}")
            if self.process.poll() is not None:
                # Most often the previous Orthanc on this storage is still closing its index
                # (its hub was just killed): try again in a moment.
                time.sleep(0.5)
                self._launch(path)
            time.sleep(0.05)

    def _launch(self, config: Path) -> None:
        with (self.folder / "orthanc.log").open("ab") as log:
            self.process = subprocess.Popen([ORTHANC, str(config)], stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                            preexec_fn=_die_with_parent)

    def instances(self) -> list[str]:
        """Every SOP Instance UID stored (for checks)."""
        answer = httpx.get(f"{self.url}/dicom-web/instances", auth=("hub", self.password), timeout=30)
        answer.raise_for_status()
        return [item["00080018"]["Value"][0] for item in answer.json()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
