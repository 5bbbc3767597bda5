"""The refreshes of each incident's cards, queued: one at a time per incident, so a card never goes
back to an older state, and the changes that arrive while one waits join it, so a burst of
changes costs one re-read of the incident."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from bot.surface import Surface


@dataclass
class Pending:
    """The changes one refresh of an incident's cards carries."""

    notes: list[str] = field(default_factory=list)  # thread replies, in the order of the changes
    tell: list[Surface] = field(default_factory=list)  # whom to tell if the cards stay stale


class CardQueue:
    def __init__(self) -> None:
        self._waiting: dict[str, Pending] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def join(self, incident_id: str, note: str | None, tell: Surface) -> bool:
        """Add a change to the incident's waiting refresh; True when none was waiting, and the
        caller must start one."""
        pending = self._waiting.get(incident_id)
        fresh = pending is None
        if pending is None:
            pending = self._waiting[incident_id] = Pending()
        if note:
            pending.notes.append(note)
        pending.tell.append(tell)
        return fresh

    @contextlib.asynccontextmanager
    async def turn(self, incident_id: str) -> AsyncIterator[Pending]:
        """The incident's turn: the refreshes before it have finished. What it carries is taken
        at the start; changes from then on start the next refresh."""
        lock = self._locks.setdefault(incident_id, asyncio.Lock())
        async with lock:
            pending = self._waiting.pop(incident_id, None) or Pending()
            try:
                yield pending
            finally:
                # No refresh waiting: nobody else holds this lock, which can go.
                if incident_id not in self._waiting:
                    self._locks.pop(incident_id, None)
