"""What the store keeps for reminders, one row per watched incident: when its next reminder is
due, and which process holds it (until when) while posting it. The SQL form is
bot/store/reminders.py; `MemoryReminders` is the same for one process without a database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Claim:
    """A due reminder this process now holds: `due_at` as it was when claimed."""

    incident_id: str
    due_at: datetime


class ReminderStore(Protocol):
    async def watch(self, due: Mapping[str, datetime]) -> None:
        """Start the clock of each incident not watched yet (incident ID -> first due time);
        the ones already watched keep theirs."""

    async def push_back(self, incident_id: str, due_at: datetime) -> None:
        """An update came: the next reminder is due no earlier than `due_at` (a later due time,
        a snooze or the next one after a reminder, stays). Watches the incident if it was not."""

    async def snooze(self, incident_id: str, until: datetime) -> None:
        """The next reminder is due at `until`, whatever it was."""

    async def claim(
        self, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Claim]:
        """Hold at most `limit` reminders due by `now` that no one holds (or whose holder's lease
        ran out), until `lease_until`: in one atomic step, so two processes never both get one."""

    async def release(self, claim: Claim, owner: str, due_at: datetime) -> bool:
        """Let go of a claimed reminder, due next at `due_at` unless someone moved it later
        meanwhile. False when `owner` no longer held it (its lease ran out and another took it)."""

    async def forget(self, incident_id: str) -> None:
        """No more reminders for the incident (resolved, gone, or its severity not reminded)."""

    async def due_of(self, incident_id: str) -> datetime | None:
        """When the incident's next reminder is due; None when it is not watched."""


@dataclass
class _Row:
    due_at: datetime
    owner: str | None = None
    lease_until: datetime | None = None


class MemoryReminders:
    """ReminderStore in a dict: one process, nothing kept across restarts."""

    def __init__(self) -> None:
        self._rows: dict[str, _Row] = {}

    async def watch(self, due: Mapping[str, datetime]) -> None:
        for incident_id, due_at in due.items():
            self._rows.setdefault(incident_id, _Row(due_at))

    async def push_back(self, incident_id: str, due_at: datetime) -> None:
        row = self._rows.setdefault(incident_id, _Row(due_at))
        row.due_at = max(row.due_at, due_at)

    async def snooze(self, incident_id: str, until: datetime) -> None:
        self._rows.setdefault(incident_id, _Row(until)).due_at = until

    async def claim(
        self, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Claim]:
        free = [
            (row.due_at, incident_id)
            for incident_id, row in self._rows.items()
            if row.due_at <= now and (row.lease_until is None or row.lease_until <= now)
        ]
        claims = []
        for due_at, incident_id in sorted(free)[:limit]:
            row = self._rows[incident_id]
            row.owner, row.lease_until = owner, lease_until
            claims.append(Claim(incident_id, due_at))
        return claims

    async def release(self, claim: Claim, owner: str, due_at: datetime) -> bool:
        row = self._rows.get(claim.incident_id)
        if row is None or row.owner != owner:
            return False
        if row.due_at <= claim.due_at:
            row.due_at = due_at
        row.owner = row.lease_until = None
        return True

    async def forget(self, incident_id: str) -> None:
        self._rows.pop(incident_id, None)

    async def due_of(self, incident_id: str) -> datetime | None:
        row = self._rows.get(incident_id)
        return row.due_at if row else None
