"""Acks first: work that follows an ack waits while other Slack requests still await theirs.

Slack fails any request not acknowledged within 3 s, while the work after an ack (building and
opening a modal) has the trigger_id's own 3 s and no one waiting on it. In a burst (a big outage,
everyone typing `/incident declare`) the event loop would otherwise interleave that work with the
acks still owed, and every ack would pay for the modals of the requests that came with it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars


class AckGate:
    """Counts requests whose HTTP answer has not been sent yet; lets the work waiting on them go
    one at a time.

    Woken all at once, a burst's waiters ran each stage (build, serialise, send) for every command
    before the next stage of any: the first `views.open` left only when the last command's modal
    was ready, and Slack then served them in one clump (bench/PROFILE.md, third pass). Woken in
    turn, each runs to its first real await (its request handed to the HTTP client) before the
    next is woken, so Slack is already serving the first modals while the later ones are built.
    """

    def __init__(self) -> None:
        self.owed = 0
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    def enter(self) -> None:
        self.owed += 1

    def leave(self) -> None:
        self.owed = max(0, self.owed - 1)
        self._wake_next()

    def _wake_next(self) -> None:
        if self.owed:
            return
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def quiet(self, max_wait: float) -> None:
        """Return when no ack is owed and the work queued before has started, or after
        `max_wait` (the work must not miss its trigger)."""
        if self.owed == 0 and not self._waiting:
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiting.append(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max_wait):
                    await waiter
        finally:
            # Runs after this caller's work has reached its first await, not before.
            loop.call_soon(self._wake_next)


# The HTTP answer of the Slack request being handled, set once it is handed to the socket. The
# listener's task copies this context, so work after an ack can wait for its own ack to be out.
_answered: contextvars.ContextVar[asyncio.Event | None] = contextvars.ContextVar(
    "answered", default=None
)


def answering() -> asyncio.Event:
    """Called by the HTTP handler for each Slack request; set the event once it has answered."""
    event = asyncio.Event()
    _answered.set(event)
    return event


async def answered(max_wait: float = 1.0) -> None:
    """Wait until this request's own ack has been sent (no-op outside an HTTP request).

    A `views.update` sent before Slack has our `response_action: update` would be overwritten by
    it: the person would be left looking at "Working…".
    """
    event = _answered.get()
    if event is None or event.is_set():
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(max_wait):
            await event.wait()
