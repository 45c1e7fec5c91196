"""A Janus (the SFU, Debian's `janus`) run by the hub on this machine: the embedded default and the tests.

Its configuration is written into a folder of its own (never /etc/janus): HTTP on 127.0.0.1 only,
the VideoRoom plugin alone, rooms creatable only with the hub's admin key, every request carrying
a token signed with the hub's Janus secret, and its events posted to the hub (attendance).
Production runs Janus as a service of its own and points the hub at it (README, "Live").
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

JANUS = "/usr/bin/janus"
LIBDIR = Path("/usr/lib/x86_64-linux-gnu/janus")
# Built by `make` (server/live/loopback_ifaddrs.c): lets Janus offer 127.0.0.1 as an ICE candidate.
LOOPBACK_SHIM = Path(__file__).resolve().parents[2] / ".build" / "libloopback_ifaddrs.so"


class JanusNotAvailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class JanusSettings:
    """What the hub needs to know of a Janus: where, and the secrets it shares with it."""
    url: str                       # the Janus API root clients use, e.g. http://127.0.0.1:8088/janus
    admin_key: str = field(repr=False)   # VideoRoom's admin_key: only the hub creates rooms
    token_secret: str = field(repr=False)  # token_auth_secret: tokens are HMAC-signed by the hub
    events_user: str = "janus"
    events_password: str = field(repr=False, default="")
    ice_servers: tuple = ()        # STUN/TURN handed to participants (production: coturn)


def write_config(folder: Path, http_port: int, settings: JanusSettings, events_url: str = "",
                 rtp_ports: str = "20000-40000", recordings: Path | None = None) -> Path:
    """The config folder of a Janus serving `settings` on 127.0.0.1:`http_port`; returns it."""
    conf = folder / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    events = "true" if events_url else "false"
    (conf / "janus.jcfg").write_text(f"""general: {{
    configs_folder = "{conf}"
    plugins_folder = "{LIBDIR / 'plugins'}"
    transports_folder = "{LIBDIR / 'transports'}"
    events_folder = "{LIBDIR / 'events'}"
    loggers_folder = "{LIBDIR / 'loggers'}"
    debug_level = 3
    token_auth = true
    token_auth_secret = "{settings.token_secret}"
    admin_secret = "{secrets.token_hex(16)}"
    session_timeout = 30
    server_name = "diemcau-sfu"
}}
media: {{
    rtp_port_range = "{rtp_ports}"
}}
nat: {{
    nice_debug = false
    full_trickle = true
}}
plugins: {{
    disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}}
transports: {{
    disable = "libjanus_websockets.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
}}
events: {{
    broadcast = {events}
    disable = "libjanus_gelfevh.so,libjanus_mqttevh.so,libjanus_nanomsgevh.so,libjanus_rabbitmqevh.so,libjanus_wsevh.so"
}}
loggers: {{
    disable = "libjanus_jsonlog.so"
}}
""")
    (conf / "janus.transport.http.jcfg").write_text(f"""general: {{
    json = "compact"
    base_path = "/janus"
    http = true
    port = {http_port}
    ip = "127.0.0.1"
    https = false
}}
admin: {{
    admin_http = false
}}
cors: {{
}}
""")
    (conf / "janus.plugin.videoroom.jcfg").write_text(f"""general: {{
    admin_key = "{settings.admin_key}"
    lock_rtp_forward = true
    string_ids = true
}}
""")
    backend = events_url
    (conf / "janus.eventhandler.sampleevh.jcfg").write_text(f"""general: {{
    enabled = {events}
    events = "sessions,handles,plugins"
    grouping = true
    json = "compact"
    backend = "{backend}"
    backend_user = "{settings.events_user}"
    backend_pwd = "{settings.events_password}"
    max_retransmissions = 5
    retransmissions_backoff = 100
}}
""")
    if recordings is not None:
        recordings.mkdir(parents=True, exist_ok=True)
    return conf


class JanusProcess:
    """Janus as a child process on 127.0.0.1, configured in `folder`."""

    def __init__(self, folder: Path, settings: JanusSettings | None = None, events_url: str = "",
                 http_port: int | None = None, die_with_parent: bool = False):
        """`die_with_parent`: Janus ends when the process that started it ends, even killed with -9 (the
        hub's own Janus, `serve --local-sfu`); the starting thread must live as long as Janus should."""
        self.folder = Path(folder)
        self.die_with_parent = die_with_parent
        if settings is not None:  # its address says which port
            from urllib.parse import urlsplit

            http_port = urlsplit(settings.url).port
        self.http_port = http_port or free_port()
        self.settings = settings or JanusSettings(url=f"http://127.0.0.1:{self.http_port}/janus",
                                                  admin_key=secrets.token_hex(16),
                                                  token_secret=secrets.token_hex(16),
                                                  events_password=secrets.token_hex(16))
        self.events_url = events_url
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return self.settings.url

    def start(self, timeout_s: float = 15.0) -> "JanusProcess":
        if not Path(JANUS).exists():
            raise JanusNotAvailable("Janus is not installed (apt-get install janus)")
        conf = write_config(self.folder, self.http_port, self.settings, self.events_url,
                            recordings=self.folder / "recordings")
        env = dict(os.environ)
        if LOOPBACK_SHIM.exists():
            env["LD_PRELOAD"] = str(LOOPBACK_SHIM)
        log = (self.folder / "janus.log").open("ab")
        self.process = subprocess.Popen([JANUS, "--configs-folder", str(conf), "--disable-colors"],
                                        stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env,
                                        cwd=self.folder, preexec_fn=_die_with_parent if self.die_with_parent else None)
        log.close()
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise JanusNotAvailable(f"Janus stopped at start; see {self.folder / 'janus.log'}")
            try:
                with urllib.request.urlopen(self.url + "/info", timeout=1) as answer:
                    json.load(answer)
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise JanusNotAvailable(f"Janus did not answer; see {self.folder / 'janus.log'}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


def _die_with_parent() -> None:
    """In the child: end when the thread that started Janus ends, even killed with -9 (Linux)."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def installed() -> bool:
    return Path(JANUS).exists() and shutil.which("janus") is not None
