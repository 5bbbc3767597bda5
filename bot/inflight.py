"""Work still running for interactions already answered: kept referenced so the event loop does not
collect it, and awaited at shutdown so in-flight actions finish."""

from __future__ import annotations

import asyncio
from typing import Any

_in_flight: set[asyncio.Future[Any]] = set()


def keep(task: asyncio.Future[Any]) -> None:
    _in_flight.add(task)
    task.add_done_callback(_in_flight.discard)


def running() -> set[asyncio.Future[Any]]:
    """The kept work that has not finished yet."""
    return {t for t in list(_in_flight) if not t.done()}


async def drain(grace: float) -> int:
    """Wait for in-flight work (at shutdown). Returns how many were still running after."""
    pending = running() - {asyncio.current_task()}
    if pending:
        await asyncio.wait(pending, timeout=grace)
    return sum(1 for t in pending if not t.done())
