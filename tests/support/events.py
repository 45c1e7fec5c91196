"""A subscriber to the hub's GET /events, reading on a thread of its own (for tests and benchmarks)."""

import queue
import threading
import time

import httpx

from app.sync.push import HubEvent, hub_event, interrupt, sse_messages


class Subscription:
    def __init__(self, base_url: str, token: str | None, after: int | str | None = None,
                 last_event_id: str | None = None, path: str = "/events", cookies: dict | None = None):
        """`token`: a client's bearer token; or None and `cookies` (a console session) with `path` /console/events."""
        headers = {"Accept": "text/event-stream"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        params = {"after": str(after)} if after is not None else None
        self._http = httpx.Client(timeout=httpx.Timeout(10.0, read=120.0), cookies=cookies)
        self._events: queue.Queue = queue.Queue()
        self.status = 0
        self.body = b""
        self.ended = threading.Event()     # the hub closed the stream (or it failed)
        self.end_reason = ""
        self._open = threading.Event()
        self._response = None
        self._thread = threading.Thread(target=self._read, args=(f"{base_url}{path}", headers, params), daemon=True)
        self._thread.start()
        if not self._open.wait(15):
            raise TimeoutError("GET /events did not answer")

    def _read(self, url, headers, params) -> None:
        try:
            with self._http.stream("GET", url, headers=headers, params=params) as response:
                self.status = response.status_code
                if response.status_code != 200:
                    self.body = response.read()
                    return
                self._response = response
                self._open.set()
                for _id, name, data in sse_messages(response.iter_lines()):
                    if name == "end":
                        self.end_reason = data
                        return
                    event = hub_event(data) if data else None
                    if event is not None:
                        self._events.put((time.monotonic(), event))
        except httpx.HTTPError as error:
            self.end_reason = self.end_reason or type(error).__name__
        finally:
            self._open.set()
            self.ended.set()

    def next(self, timeout_s: float = 10.0) -> HubEvent:
        return self._events.get(timeout=timeout_s)[1]

    def next_timed(self, timeout_s: float = 10.0) -> tuple[float, HubEvent]:
        """(time.monotonic() when it arrived, the event)."""
        return self._events.get(timeout=timeout_s)

    def pending(self) -> list[HubEvent]:
        out = []
        while not self._events.empty():
            out.append(self._events.get_nowait()[1])
        return out

    def close(self) -> None:
        response = self._response
        if response is not None:
            interrupt(response)
        self._thread.join(10)
        self._http.close()


class Passes:
    """The station's sync pass, run when its push listener asks; waiters are told after each."""

    def __init__(self, station):
        self.station = station
        self.done = threading.Condition()
        self.count = 0

    def __call__(self) -> None:
        self.station.sync.run_once()
        with self.done:
            self.count += 1
            self.done.notify_all()

    def wait_for(self, condition, timeout_s: float) -> bool:
        with self.done:
            return self.done.wait_for(condition, timeout_s)
