"""An HTTP MJPEG camera on 127.0.0.1 for tests: serves numbered frames to any
number of clients (or, like a USB camera, to `max_viewers` at a time: the next
one is refused with 503), and can stall (stop sending, keep the connection) or
die (drop every connection and refuse new ones) on demand."""

import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np


def make_jpeg(number: int, width: int, height: int) -> bytes:
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[:, :, 1] = (number * 7) % 255
    cv2.putText(image, f"{number:05d}", (20, height // 2), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
    return cv2.imencode(".jpg", image)[1].tobytes()


class MjpegCamera:
    def __init__(self, width: int = 640, height: int = 480, fps: float = 30.0, max_viewers: int | None = None):
        self.fps = fps
        self.max_viewers = max_viewers
        self.viewers = 0
        self.refused = 0
        self._viewers_lock = threading.Condition()
        self.frames = [make_jpeg(i, width, height) for i in range(30)]
        self.stalled = threading.Event()
        self.dead = threading.Event()
        camera = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_GET(self):
                if camera.dead.is_set():
                    self.close_connection = True
                    return
                if not camera._admit():
                    self.close_connection = True
                    self.send_error(503, "camera busy")
                    return
                try:
                    self._stream()
                finally:
                    camera._leave()

            def _gone(self) -> bool:
                """The viewer closed its end (noticed at once, not at the next failed write)."""
                readable, _, _ = select.select([self.connection], [], [], 0)
                try:
                    return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    return True

            def _stream(self):
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                number = 0
                due = time.monotonic()  # frames go out on a schedule: a late wake-up (a loaded machine) catches up
                try:
                    while not camera.dead.is_set() and not self._gone():
                        if camera.stalled.is_set():
                            time.sleep(0.05)
                            due = time.monotonic()
                            continue
                        jpeg = camera.frames[number % len(camera.frames)]
                        self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                         + str(len(jpeg)).encode() + b"\r\n\r\n" + jpeg + b"\r\n")
                        number += 1
                        due += 1 / camera.fps
                        delay = due - time.monotonic()
                        if delay > 0:
                            time.sleep(delay)
                        elif delay < -0.5:
                            due = time.monotonic()  # far behind: no burst of frames
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stream.mjpg"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def _admit(self) -> bool:
        """One more viewer, if the camera takes one (a viewer that just closed is given a moment to leave)."""
        with self._viewers_lock:
            if self.max_viewers is not None and not self._viewers_lock.wait_for(
                    lambda: self.viewers < self.max_viewers, timeout=0.5):
                self.refused += 1
                return False
            self.viewers += 1
            return True

    def _leave(self) -> None:
        with self._viewers_lock:
            self.viewers -= 1
            self._viewers_lock.notify_all()

    def close(self) -> None:
        self.dead.set()
        self.server.shutdown()
        self.server.server_close()
