"""Who is on call, cached briefly so that `/incident oncall` and the page modal answer inside
Slack's 3 s: escalation paths (each with its current responders) and every schedule's shifts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.incidentio.cache import SingleFlightCache
from bot.incidentio.client import IncidentIoClient
from bot.incidentio.oncall_models import EscalationPath, Schedule, ScheduleEntry


@dataclass(frozen=True)
class Rota:
    """A schedule and its final shifts over the window loaded."""

    schedule: Schedule
    shifts: tuple[ScheduleEntry, ...]

    def on_call(self, moment: datetime) -> list[ScheduleEntry]:
        """The shifts running at `moment` (several when layers overlap)."""
        return [s for s in self.shifts if s.covers(moment)]


class OnCallCache:
    """Paths and rotas, each loaded at most once per `ttl_seconds` (concurrent callers share a
    load; a stale value is served while it refreshes). Shifts are loaded for `window` ahead, so
    "who is on call now" stays right while the cached value ages."""

    def __init__(
        self,
        client: IncidentIoClient,
        ttl_seconds: float = 30.0,
        *,
        window: timedelta = timedelta(hours=12),
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._window = window
        self.now = now
        self._paths = SingleFlightCache(self._load_paths, ttl_seconds, clock=clock, name="paths")
        self._rotas = SingleFlightCache(self._load_rotas, ttl_seconds, clock=clock, name="rotas")

    async def _load_paths(self) -> tuple[EscalationPath, ...]:
        return tuple([path async for path in self._client.list_escalation_paths()])

    async def _load_rotas(self) -> tuple[Rota, ...]:
        schedules = [s async for s in self._client.list_schedules()]
        start = self.now()
        entries = await asyncio.gather(
            *(
                self._client.list_schedule_entries(s.id, start, start + self._window)
                for s in schedules
            )
        )
        return tuple(Rota(s, tuple(e.final)) for s, e in zip(schedules, entries, strict=True))

    async def paths(self) -> list[EscalationPath]:
        return list(await self._paths.get())

    async def rotas(self) -> list[Rota]:
        return list(await self._rotas.get())
