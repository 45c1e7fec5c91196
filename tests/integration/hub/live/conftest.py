"""A hub with a Janus of its own (`serve --local-sfu`), stations and experts, and a case to talk about."""

import asyncio
import time

import httpx
import pytest

from app.live.janus import Handle, JanusError, JanusSession

from ..test_access import consultation

CASE, PATIENT = "case-live", "pat-live"


def case_of(station, case_id=CASE, patient_id=PATIENT, **routing):
    """A consultation of `station`'s facility, routed to Bạch Mai cardiology unless `routing` says otherwise."""
    resources = consultation(case_id, patient_id, **routing)
    resources[0].update({"name": [{"text": "Nguyễn Thị Lan"}], "gender": "female", "birthDate": "1980-05-02"})
    resources[1]["identifier"] = [{"system": "urn:diemcau:case-number", "value": "0100A-2026-0042"}]
    station.transaction(resources)
    return case_id


class Api:
    """A client's bearer-token calls to the live routes (or none: no token)."""

    def __init__(self, hub, client=None):
        self.base, self.client = hub.url, client

    def __call__(self, method, path, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.client.token()}"} if self.client else {}
        return httpx.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kwargs)


def wait_for(condition, timeout_s=15.0, what="the condition"):
    """Polls `condition()` until it returns something true; that value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Participant:
    """A participant in the room as the hub's joining details say (no media: a publisher that joins)."""

    def __init__(self, details: dict, room_token: str | None = None, token: str | None = None):
        self.details, self.janus = details, details["janus"]
        self.room_token = room_token or self.janus["room_token"]
        self.token = token or self.janus["token"]
        self.session: JanusSession | None = None
        self.handle: Handle | None = None
        self.participant = ""

    async def join(self) -> dict:
        self.session = await JanusSession(self.janus["url"], self.token).create()
        # Attached with the ticket's opaque id: Janus's events name the ticket by it (attendance).
        answer = await self.session.post(f"/{self.session.id}", {"janus": "attach", "plugin": "janus.plugin.videoroom",
                                                                  "opaque_id": self.janus["opaque_id"],
                                                                  "transaction": "attach"})
        self.handle = Handle(self.session, answer["data"]["id"], "janus.plugin.videoroom")
        self.session.handles[self.handle.id] = self.handle
        data, _ = await self.handle.message({"request": "join", "ptype": "publisher", "room": self.janus["room"],
                                             "display": self.details["display"], "token": self.room_token})
        self.participant = data.get("id", "")
        return data

    async def leave(self) -> None:
        await self.handle.message({"request": "leave"})

    async def close(self) -> None:
        if self.session is not None:
            await self.session.destroy()


async def refused(details: dict, why: str) -> None:
    """Janus refuses a participant joining with `details` for `why` (a regular expression)."""
    someone = Participant(details)
    try:
        with pytest.raises(JanusError, match=why):
            await someone.join()
    finally:
        await someone.close()


def run(coro):
    return asyncio.run(coro)
