"""The reminder loop: one background task per process (`serve` starts it in HTTP and Socket Mode,
and in each worker), every REMINDER_CHECK_SECONDS: watch the open incidents not watched yet, claim
the reminders that are due, handle each (bot/reminders/due.py).

Each process claims under an owner ID of its own (host, pid, a random part), so a reminder held
by one replica is not claimed by another until the lease (REMINDER_LEASE_SECONDS) runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.incidentio.errors import IncidentIoError
from bot.reminders.due import remind
from bot.reminders.leases import Claim
from bot.reminders.watch import discover
from bot.store_api import StoreError

log = logging.getLogger("bot.reminders")
# Claimed at a time: the lease must cover handling them all (they are handled concurrently).
BATCH = 10


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class ReminderLoop:
    def __init__(self, deps: Deps, client: AsyncWebClient, owner: str | None = None) -> None:
        self.deps, self.client = deps, client
        self.owner = owner or owner_id()
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> list[str]:
        """One pass: what became of each reminder claimed (see due.remind)."""
        try:
            await discover(self.deps)
        except (IncidentIoError, StoreError) as error:
            log.warning("reminders: could not look for open incidents: %s", error)
        outcomes: list[str] = []
        while True:
            now = self.deps.reminders.clock()
            lease_until = now + self.deps.reminders.lease
            claims = await self.deps.store.claim(self.owner, now, lease_until, BATCH)
            if claims:
                log.debug("claimed the reminders of %s", ", ".join(c.incident_id for c in claims))
            outcomes += await asyncio.gather(*(self._one(c) for c in claims))
            if len(claims) < BATCH:
                return outcomes

    async def _one(self, claim: Claim) -> str:
        try:
            return await remind(self.deps, self.client, self.owner, claim)
        except StoreError as error:
            log.warning("reminder of %s: %s", claim.incident_id, error)
            return "retry"

    async def names_checked(self) -> bool:
        """Say loudly when REMINDER_MINUTES names a severity incident.io does not have (a typo
        turns reminders off for the one meant). Not a reason to stop: the catalog can change.
        True once the catalog could be read."""
        try:
            catalog = await self.deps.catalog.get()
        except IncidentIoError as error:
            log.warning("reminders: could not read incident.io's severities yet: %s", error)
            return False
        problem = self.deps.reminders.schedule.unknown(s.name for s in catalog.severities)
        if problem is not None:
            log.warning("reminders: %s", problem)
        return True

    async def _run(self) -> None:
        settings = self.deps.reminders
        log.info(
            "reminders on (%s), checked every %g s as %s",
            settings.schedule,
            settings.check_seconds,
            self.owner,
        )
        named = False
        while True:
            try:
                named = named or await self.names_checked()
                await self.check()
            except StoreError as error:
                log.warning("reminders: %s", error)
            except Exception:
                # A bug in one pass must not end reminders for the life of the process.
                log.exception("reminders: a check failed")
            await asyncio.sleep(settings.check_seconds)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def start(deps: Deps, client: AsyncWebClient) -> ReminderLoop | None:
    """The running loop, or None when REMINDER_MINUTES turns reminders off."""
    if not deps.reminders.schedule.on:
        log.info("reminders off: REMINDER_MINUTES is not set")
        return None
    loop = ReminderLoop(deps, client)
    loop.start()
    return loop
