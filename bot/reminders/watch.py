"""When an incident's reminder clock starts and restarts.

It starts when the reminder loop first sees the incident among the open ones (however it was
declared: through the bot, in incident.io, by its API), from its last activity: its newest update,
else its creation. An incident open for longer than its interval is reminded at once.
It restarts after every refresh of the incident's cards (bot/flows/cards.py), which follows every
change the bot makes and every incident.io webhook: the next reminder is due an interval after the
newest update, never earlier than it already was (a snooze, or the next one after a reminder).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.incidentio.models import Incident, IncidentUpdate
from bot.store_api import StoreError

log = logging.getLogger("bot.reminders")


def last_activity(incident: Incident, latest: IncidentUpdate | None) -> datetime:
    """Since when the incident has been quiet: its newest update, else its creation."""
    return max(incident.created_at, latest.created_at) if latest else incident.created_at


def interval_of(deps: Deps, incident: Incident) -> timedelta | None:
    """How long it may stay quiet; None: no reminders (its severity is not in REMINDER_MINUTES)."""
    severity = incident.severity.name if incident.severity else None
    return deps.reminders.schedule.interval(severity)


async def reset_clock(deps: Deps, incident: Incident, latest: IncidentUpdate | None) -> None:
    """The incident as just re-read: restart its clock from its newest update, or stop it once
    the incident is no longer open. A store failure is logged: reminders are a nicety."""
    if not deps.reminders.schedule.on:
        return
    interval = interval_of(deps, incident)
    try:
        if incident.is_open and interval is not None:
            await deps.store.push_back(incident.id, last_activity(incident, latest) + interval)
        else:
            await deps.store.forget(incident.id)
    except StoreError as error:
        log.warning("could not reset the reminder clock of %s: %s", incident.reference, error)


async def discover(deps: Deps) -> int:
    """Watch every open incident not watched yet (the open-incidents list, cached for seconds);
    how many open incidents have reminders. Raises IncidentIoError and StoreError."""
    due = {}
    for incident in await deps.open_incidents.get():
        interval = interval_of(deps, incident)
        if incident.is_open and interval is not None:
            due[incident.id] = incident.created_at + interval
    await deps.store.watch(due)
    return len(due)
