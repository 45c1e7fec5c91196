"""A private PulseAudio server for tests, reached through PortAudio like a real microphone.

Sources: `tone` (a 440 Hz sine, played continuously into a sink whose monitor
delivers in small regular blocks like a real microphone; module-sine-source
would deliver seconds at once), `fedmic` (whatever is played into the `feed`
sink: speech from espeak-ng, tones from sox), and `speaker.monitor` (what the
station plays to its speaker).
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

CONFIG = """
load-module module-native-protocol-unix auth-anonymous=1 socket={socket}
load-module module-null-sink sink_name=speaker rate=48000 sink_properties=device.description=Speaker
load-module module-null-sink sink_name=feed rate=48000 sink_properties=device.description=Feed
load-module module-remap-source source_name=fedmic master=feed.monitor source_properties=device.description=FedMic
load-module module-null-sink sink_name=sinefeed rate=48000 sink_properties=device.description=SineFeed
load-module module-sine sink=sinefeed frequency=440
load-module module-remap-source source_name=tone master=sinefeed.monitor source_properties=device.description=Tone
set-default-source tone
set-default-sink speaker
"""


class PulseServer:
    def __init__(self, root: Path):
        for tool in ("pulseaudio", "pactl", "paplay"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing: `make test` installs it (apt-get)")
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o700)
        self.socket = root / "native"
        config = root / "default.pa"
        config.write_text(CONFIG.format(socket=self.socket))
        self.env = dict(os.environ, HOME=str(root), XDG_RUNTIME_DIR=str(root), PULSE_RUNTIME_PATH=str(root),
                        PULSE_SERVER=f"unix:{self.socket}")
        self._config = config
        self.start()

    def start(self) -> None:
        """Start the server (again, after `stop()`: same socket, same sources, as a restarted sound system)."""
        config = self._config
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "-F", str(config), "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
             "--disable-shm=yes", "--use-pid-file=no", "--system=no", "--log-target=stderr", "--log-level=error"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PulseAudio did not start: {self.process.stderr.read().decode()[-2000:]}")
            time.sleep(0.05)

    def use_environment(self) -> None:
        """Point this process's clients (PortAudio's ALSA pulse plugin) at the server."""
        for key in ("HOME", "XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER"):
            os.environ[key] = self.env[key]

    def set_default_source(self, name: str) -> None:
        subprocess.run(["pactl", "set-default-source", name], env=self.env, check=True)

    def play_into_microphone(self, wav: Path) -> subprocess.Popen:
        return subprocess.Popen(["paplay", "--device=feed", str(wav)], env=self.env)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()
