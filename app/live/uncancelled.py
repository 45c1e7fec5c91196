"""Peer-connection steps that must run to their end even if the task awaiting them is cancelled (a leave, a
lost link, a subscription replaced meanwhile): cut short, they leave UDP sockets open.

- setLocalDescription gathers ICE candidates, each a socket: stopped halfway, the sockets it opened after the
  connection's close() are never closed.
- RTCPeerConnection.close() marks itself closed first, then stops the transceivers, the data channel and last
  the ICE transport that owns the socket: stopped halfway, the socket stays open until the garbage collector
  finds it (an "unclosed transport" warning in some later, unrelated test), and a second close() waits forever
  for the first.
"""

import asyncio
import contextlib


async def to_the_end(awaitable):
    """`awaitable`'s result; if the caller is cancelled meanwhile, it is still run to its end, then the
    cancellation goes on."""
    task = asyncio.ensure_future(awaitable)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        raise


async def describe(pc, description) -> None:
    """setLocalDescription, which gathers ICE candidates (opens sockets), run to its end: the connection's
    close() can then release every socket it opened."""
    await to_the_end(pc.setLocalDescription(description))


async def close_peer(pc) -> None:
    """pc.close() run to its end (it is never an error to close)."""
    with contextlib.suppress(Exception):
        await to_the_end(pc.close())
