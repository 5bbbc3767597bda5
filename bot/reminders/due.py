"""One claimed reminder: checked against incident.io (the record), then posted, put off or stopped.

Webhooks may not be configured, so a claim never trusts the schedule alone: the incident is
re-read, and an update that came since puts the reminder off instead; a resolved or vanished
incident stops them. The reminder goes under the incident's first card (where it was declared);
an incident without a card gets it in its own Slack channel, one without either gets none (its
clock goes on, in case a card is posted later).

While this runs the process holds the lease; a failure that may pass (incident.io or Slack not
reachable) leaves it held, so the reminder is tried again once the lease runs out. A process that
dies after posting but before releasing is the one case in which a reminder may be posted twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.failures import SLACK_UNREACHABLE
from bot.incidentio.errors import IncidentIoError
from bot.incidentio.models import Incident, IncidentUpdate
from bot.reminders.leases import Claim
from bot.reminders.watch import interval_of, last_activity
from bot.ui.common import sandbox_banner
from bot.ui.reminder import reminder, reminder_text

log = logging.getLogger("bot.reminders")


@dataclass(frozen=True)
class Place:
    channel_id: str
    thread_ts: str | None  # the card's ts; None in the incident's own channel


async def _read(deps: Deps, incident_id: str) -> tuple[Incident, IncidentUpdate | None]:
    async def latest() -> IncidentUpdate | None:
        async for update in deps.incidents.list_incident_updates(incident_id, limit=1):
            return update
        return None

    return await asyncio.gather(deps.incidents.get_incident(incident_id), latest())


async def _place(deps: Deps, incident: Incident) -> Place | None:
    cards = await deps.store.cards_of(incident.id)
    if cards:
        return Place(cards[0].channel_id, cards[0].ts)
    return Place(incident.slack_channel_id, None) if incident.slack_channel_id else None


async def remind(deps: Deps, client: AsyncWebClient, owner: str, claim: Claim) -> str:
    """Handle the claim; what became of it (the log line says why): posted, put off, stopped,
    no place, or retry (the lease left to run out). Raises StoreError."""
    try:
        incident, latest = await _read(deps, claim.incident_id)
    except IncidentIoError as error:
        if error.status == 404:
            await deps.store.forget(claim.incident_id)
            log.info("reminders of %s stop: incident.io no longer has it", claim.incident_id)
            return "stopped"
        log.warning("reminder of %s: could not read it (%s); tried again", claim.incident_id, error)
        return "retry"
    interval = interval_of(deps, incident)
    if not incident.is_open or interval is None:
        await deps.store.forget(incident.id)
        why = (
            f"it is {incident.incident_status.name}"
            if not incident.is_open
            else "REMINDER_MINUTES gives its severity no interval"
        )
        log.info("reminders of %s stop: %s", incident.reference, why)
        return "stopped"
    now = deps.reminders.clock()
    since = last_activity(incident, latest)
    if since + interval > now:  # an update came that no refresh saw (no webhooks)
        log.debug("reminder of %s put off: updated since", incident.reference)
        await _release(deps, owner, claim, since + interval)
        return "put off"
    place = await _place(deps, incident)
    if place is None:
        log.info("reminder of %s not posted: it has no card and no channel", incident.reference)
        await _release(deps, owner, claim, now + interval)
        return "no place"
    blocks = reminder(incident, since, now)
    try:
        await client.chat_postMessage(
            channel=place.channel_id,
            thread_ts=place.thread_ts,
            text=reminder_text(incident, since, now),
            blocks=[sandbox_banner(), *blocks] if deps.sandbox else blocks,
        )
    except SlackApiError as error:
        # Slack said no (the card deleted, the bot not in the channel): again next interval.
        log.warning(
            "reminder of %s not posted in %s: %s", incident.reference, place.channel_id, error
        )
        await _release(deps, owner, claim, now + interval)
        return "no place"
    except SLACK_UNREACHABLE as error:
        log.warning(
            "reminder of %s: Slack not reachable (%s); tried again", incident.reference, error
        )
        return "retry"
    deps.metrics.reminders.labels("posted").inc()
    quiet = int((now - since).total_seconds())
    log.info(
        "reminded %s in %s: no update for %d s",
        incident.reference,
        place.channel_id,
        quiet,
        extra={"incident": incident.reference, "channel": place.channel_id, "quiet_seconds": quiet},
    )
    await _release(deps, owner, claim, now + interval)
    return "posted"


async def _release(deps: Deps, owner: str, claim: Claim, due: datetime) -> None:
    if not await deps.store.release(claim, owner, due):
        log.warning("reminder of %s: the lease ran out before it was released", claim.incident_id)
