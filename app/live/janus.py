"""Janus's HTTP API (sessions, handles, long-poll events), asyncio and Qt-free.

One `JanusSession` per participant: it creates the Janus session, keeps it alive, reads events by
long poll and hands each to the handle it names. A `Handle` sends plugin messages (with an SDP when
there is one) and waits for the plugin's answer to each transaction.
"""

import asyncio
import secrets
from collections.abc import Callable

import httpx

KEEPALIVE_S = 15  # Janus drops a session after 30 s of silence (session_timeout in its config)


class JanusError(Exception):
    """Janus (or its plugin) refused a request; `code` is Janus's or the plugin's error code."""

    def __init__(self, message: str, code: int = 0):
        super().__init__(message)
        self.code = code


class JanusUnreachable(JanusError):
    pass


def _transaction() -> str:
    return secrets.token_hex(8)


class Handle:
    def __init__(self, session: "JanusSession", handle_id: int, plugin: str):
        self.session, self.id, self.plugin = session, handle_id, plugin
        self.on_event: Callable[[dict], None] = lambda _event: None  # plugin events nobody waited for
        self.on_hangup: Callable[[str], None] = lambda _reason: None
        self._waiting: dict[str, asyncio.Future] = {}

    async def message(self, body: dict, jsep: dict | None = None, timeout_s: float = 15.0) -> tuple[dict, dict | None]:
        """Sends a plugin request; returns (plugin data, jsep) of its answer, synchronous or by event."""
        transaction = _transaction()
        future = asyncio.get_running_loop().create_future()
        if self.session.closed:  # no answer could reach us
            raise JanusUnreachable("the video server session is over")
        self._waiting[transaction] = future
        request = {"janus": "message", "body": body, "transaction": transaction}
        if jsep is not None:
            request["jsep"] = jsep
        try:
            answer = await self.session.post(f"/{self.session.id}/{self.id}", request)
            if answer.get("janus") == "success":  # a synchronous request (create, list, ...)
                return _plugin_data(answer), None
            return await asyncio.wait_for(future, timeout_s)
        finally:
            self._waiting.pop(transaction, None)

    async def trickle_done(self) -> None:
        await self.session.post(f"/{self.session.id}/{self.id}",
                                {"janus": "trickle", "candidate": {"completed": True}, "transaction": _transaction()})

    async def detach(self) -> None:
        try:
            await self.session.post(f"/{self.session.id}/{self.id}", {"janus": "detach", "transaction": _transaction()})
        except JanusError:
            pass

    def fail_waiting(self, error: JanusError) -> None:
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(error)

    def deliver(self, event: dict) -> None:
        kind = event.get("janus")
        if kind == "hangup":
            self.on_hangup(event.get("reason", ""))
            return
        if kind != "event":
            return
        future = self._waiting.get(event.get("transaction", ""))
        data = _plugin_data(event)
        if future is not None and not future.done():
            if "error" in data:
                future.set_exception(JanusError(data["error"], data.get("error_code", 0)))
            else:
                future.set_result((data, event.get("jsep")))
            return
        self.on_event(dict(data, _jsep=event.get("jsep")))


def _plugin_data(answer: dict) -> dict:
    return answer.get("plugindata", {}).get("data", {})


class JanusSession:
    """A session on the Janus at `url` (e.g. http://127.0.0.1:8088/janus), authorised by `token`."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url.rstrip("/"), token
        self.id = 0
        self.handles: dict[int, Handle] = {}
        self.on_lost: Callable[[str], None] = lambda _why: None
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=40.0))
        self._tasks: list[asyncio.Task] = []
        self._closed = False

    async def post(self, path: str, request: dict) -> dict:
        request = dict(request, token=self.token)
        try:
            response = await self._client.post(self.url + path, json=request)
        except httpx.HTTPError as error:
            raise JanusUnreachable(f"the video server did not answer: {error}") from error
        answer = response.json()
        if answer.get("janus") == "error":
            error = answer.get("error", {})
            raise JanusError(error.get("reason", "refused"), error.get("code", 0))
        return answer

    async def create(self) -> "JanusSession":
        answer = await self.post("", {"janus": "create", "transaction": _transaction()})
        self.id = answer["data"]["id"]
        self._tasks = [asyncio.create_task(self._poll()), asyncio.create_task(self._keepalive())]
        return self

    async def attach(self, plugin: str = "janus.plugin.videoroom", opaque_id: str = "") -> Handle:
        """`opaque_id`: the hub's tag for this join; Janus's events carry it, so attendance knows whose handle."""
        request = {"janus": "attach", "plugin": plugin, "transaction": _transaction()}
        if opaque_id:
            request["opaque_id"] = opaque_id
        answer = await self.post(f"/{self.id}", request)
        handle = Handle(self, answer["data"]["id"], plugin)
        self.handles[handle.id] = handle
        return handle

    async def _poll(self) -> None:
        failures = 0
        while not self._closed:
            try:
                response = await self._client.get(f"{self.url}/{self.id}", params={"maxev": 10, "rid": _transaction(),
                                                                                  "token": self.token})
                events = response.json()
                failures = 0
            except (httpx.HTTPError, ValueError) as error:
                failures += 1
                if failures >= 3:  # ~3 tries over a few seconds: the link or Janus is gone
                    self._lose(f"the video server stopped answering: {error}")
                    return
                await asyncio.sleep(1.0)
                continue
            for event in events if isinstance(events, list) else [events]:
                if event.get("janus") == "error" and event.get("error", {}).get("code") == 458:  # no such session
                    self._lose("the video server ended the session")
                    return
                handle = self.handles.get(event.get("sender"))
                if handle is not None:
                    handle.deliver(event)

    async def _keepalive(self) -> None:
        while not self._closed:
            await asyncio.sleep(KEEPALIVE_S)
            try:
                await self.post(f"/{self.id}", {"janus": "keepalive", "transaction": _transaction()})
            except JanusError:
                pass  # the poll notices a lost session

    @property
    def closed(self) -> bool:
        """Lost or destroyed: its poll is over, so no answer reaches a handle any more."""
        return self._closed

    def _lose(self, why: str) -> None:
        if not self._closed:
            self._closed = True
            for handle in self.handles.values():  # no answer can come now: their waits end with why
                handle.fail_waiting(JanusUnreachable(why))
            self.on_lost(why)

    async def destroy(self) -> None:
        closing_cleanly = not self._closed
        self._closed = True
        for task in self._tasks:
            task.cancel()
        if closing_cleanly and self.id:
            try:
                await self.post(f"/{self.id}", {"janus": "destroy", "transaction": _transaction()})
            except JanusError:
                pass
        await self._client.aclose()
