"""Cached reads that Slack interactions need within their 3-second budget."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from bot.incidentio.cache import SingleFlightCache
from bot.incidentio.client import IncidentIoClient
from bot.incidentio.errors import IncidentIoError, NotFoundError, PermissionDeniedError
from bot.incidentio.fields import CustomField
from bot.incidentio.models import CHANGEABLE_CATEGORIES, Catalog, Incident, IncidentUpdate

logger = logging.getLogger("bot.incidentio")


class CatalogCache:
    """Severities, statuses, types, roles and custom fields: loaded together, cached for
    `ttl_seconds`.

    A cold load fetches the five lists concurrently (one parallel round trip); concurrent callers
    share that load; a stale catalog is served at once while it refreshes in the background.
    """

    def __init__(
        self,
        client: IncidentIoClient,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._cache = SingleFlightCache(self._load, ttl_seconds, clock=clock, name="catalog")

    async def _load(self) -> Catalog:
        severities, statuses, types, roles, fields = await asyncio.gather(
            self._client.list_severities(),
            self._client.list_incident_statuses(),
            self._client.list_incident_types(),
            self._client.list_incident_roles(),
            self._custom_fields(),
        )
        return Catalog(
            severities=tuple(severities),
            statuses=tuple(statuses),
            types=tuple(types),
            roles=tuple(roles),
            custom_fields=tuple(fields),
        )

    async def _custom_fields(self) -> list[CustomField]:
        # A key without `custom_fields.view` (or an API without the deprecated v1 list) still
        # declares and edits: the forms then show no custom fields.
        try:
            return await self._client.list_custom_fields()
        except (PermissionDeniedError, NotFoundError) as error:
            logger.warning("custom fields not shown: %s (request_id %s)", error, error.request_id)
            return []

    async def get(self) -> Catalog:
        return await self._cache.get()

    def peek(self) -> Catalog | None:
        """The cached catalog (fresh or stale) without I/O; None before the first load."""
        return self._cache.peek()

    async def warm(self) -> bool:
        """Load the catalog now (at start-up). Logs and returns False if incident.io fails."""
        try:
            await self._cache.refresh()
        except IncidentIoError as error:
            logger.warning(
                "could not warm the catalog: %s (request_id %s)", error, error.request_id
            )
            return False
        return True

    def invalidate(self) -> None:
        self._cache.invalidate()

    @property
    def counters(self) -> SingleFlightCache[Catalog]:
        """The underlying cache, for its hit, miss and refresh-failure counts."""
        return self._cache


class OpenIncidentsCache:
    """Incidents a verb may act on, cached briefly for Slack's option requests and for "which
    incident's channel is this": open ones (triage, live, paused) and post-incident ones, which
    still take messages and can be closed. Each verb filters for the incidents it acts on."""

    def __init__(
        self,
        client: IncidentIoClient,
        ttl_seconds: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._cache = SingleFlightCache(self._load, ttl_seconds, clock=clock, name="open incidents")

    async def _load(self) -> tuple[Incident, ...]:
        # Test incidents are included: commands must work inside a drill's own channel too.
        found = self._client.list_incidents(
            status_categories=CHANGEABLE_CATEGORIES, modes=("standard", "retrospective", "test")
        )
        return tuple([incident async for incident in found])

    async def get(self) -> list[Incident]:
        return list(await self._cache.get())

    def peek(self) -> list[Incident] | None:
        cached = self._cache.peek()
        return list(cached) if cached is not None else None

    async def reread(self, older_than: float) -> list[Incident] | None:
        """Reload the list if it is older than `older_than` seconds (concurrent callers share one
        load); None when it is newer, so a reload would tell nothing new."""
        age = self._cache.age
        if age is not None and age < older_than:
            return None
        return list(await self._cache.refresh())

    def invalidate(self) -> None:
        """Forget the list, after a write that may have opened or closed an incident."""
        self._cache.invalidate()

    def record(self, incident: Incident, *, after_write: bool = True) -> None:
        """Write-through after the bot's own write (or a fresh read of one incident), so the
        next command needs no re-read."""

        def apply(cached: tuple[Incident, ...]) -> tuple[Incident, ...]:
            others = tuple(i for i in cached if i.id != incident.id)
            return (incident, *others) if incident.is_changeable else others

        self._cache.update(apply, after_write=after_write)

    def record_update(self, update: IncidentUpdate) -> None:
        """Apply an update's new status and severity to the cached incident it moved."""
        cached = self._cache.peek()
        current = next((i for i in cached or () if i.id == update.incident_id), None)
        if current is None:
            # Not cached (or nothing is): the next read loads the list as it is now.
            self._cache.update(lambda value: value)
            return
        self.record(
            current.model_copy(
                update={
                    "incident_status": update.new_incident_status,
                    "severity": update.new_severity or current.severity,
                    "updated_at": update.created_at,
                }
            )
        )

    @property
    def counters(self) -> SingleFlightCache[tuple[Incident, ...]]:
        """The underlying cache, for its hit, miss and refresh-failure counts."""
        return self._cache
