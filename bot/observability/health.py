"""Liveness and readiness: ready means this process can serve (its catalog is loaded, and in
Socket Mode its socket is connected).

incident.io's reachability is reported beside readiness, never part of it: during an incident.io
outage every replica would go unready at once, the ingress would answer Slack with 503s, and
people would lose the bot's own answer ("incident.io is failing", with what they typed) for an
error page. Whether incident.io answers is for /metrics and alerts, not for routing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.incidentio.catalog import CatalogCache, OpenIncidentsCache
from bot.incidentio.client import ApiCall, IncidentIoClient
from bot.incidentio.errors import IncidentIoError
from bot.incidentio.models import Identity

log = logging.getLogger("bot.health")


class Health:
    """Tracks incident.io reachability from the calls the bot makes anyway (no extra traffic)."""

    def __init__(
        self,
        incidents: IncidentIoClient,
        catalog: CatalogCache,
        open_incidents: OpenIncidentsCache,
    ) -> None:
        self._incidents = incidents
        self._catalog = catalog
        self._open_incidents = open_incidents
        self._checks: dict[str, Callable[[], Awaitable[bool]]] = {}
        self.last_ok: float | None = None
        self.last_failure: float | None = None
        self.last_error: str | None = None
        self._probing: asyncio.Future[Identity] | None = None

    def add_check(self, name: str, check: Callable[[], Awaitable[bool]]) -> None:
        """Another condition of readiness (Socket Mode: the socket is connected)."""
        self._checks[name] = check

    def observe_call(self, call: ApiCall) -> None:
        # A 4xx is an answer: incident.io is reachable. Only transport failures and 5xx count.
        if call.status is not None and call.status < 500:
            self.last_ok = time.monotonic()
        else:
            self.last_failure = time.monotonic()
            self.last_error = call.error or f"HTTP {call.status}"

    @property
    def reachable(self) -> bool:
        if self.last_ok is None:
            return False
        return self.last_failure is None or self.last_ok >= self.last_failure

    async def warm(self) -> None:
        """Load the catalog and the open incidents at start, together, so the first commands
        open their modals and find their incidents without waiting on incident.io."""
        results = await asyncio.gather(
            self._catalog.get(), self._open_incidents.get(), return_exceptions=True
        )
        for what, result in zip(("catalog", "open incidents"), results, strict=True):
            if isinstance(result, IncidentIoError):
                log.warning("could not load the %s at start: %s", what, result)
            elif isinstance(result, BaseException):
                raise result
            else:
                log.info("%s loaded", what)

    async def _probe(self) -> None:
        """One attempt, shared by the probes that ask meanwhile: during an outage each /readyz
        costs incident.io one request and the log one line, not a round of retries each."""
        if self._probing is None or self._probing.done():
            self._probing = asyncio.ensure_future(self._incidents.get_identity(once=True))
        # Shielded: a probe that timed out leaves the attempt to finish for the next one.
        await asyncio.shield(self._probing)

    async def ready(self, *, within: float) -> tuple[bool, dict[str, Any]]:
        catalog_loaded = self._catalog.peek() is not None
        try:
            async with asyncio.timeout(within):
                if not catalog_loaded:
                    await self._catalog.get()
                    catalog_loaded = True
                elif not self.reachable:
                    # Probe only while unreachable, so a healthy bot adds no traffic; the answer
                    # is information for the operator, not a condition of readiness.
                    await self._probe()
        except (IncidentIoError, TimeoutError) as error:
            log.info("incident.io did not answer the readiness probe: %s", error)
        detail: dict[str, Any] = {
            "catalog_loaded": catalog_loaded,
            "incidentio_reachable": self.reachable,
        }
        if self.last_error and not self.reachable:
            detail["last_error"] = self.last_error
        ready = catalog_loaded
        for name, check in self._checks.items():
            detail[name] = await check()
            ready = ready and detail[name]
        detail["status"] = "ready" if ready else "not ready"
        return ready, detail
