"""What an incident.io webhook event does: a hint that an incident changed outside the bot (in
incident.io's dashboard, its own Slack app, its API). The API stays the truth: the cards are
rewritten from a fresh read (bot/flows/cards.py), and never back to an older `updated_at`.

The endpoint (bot/webhook_endpoint.py) verifies the delivery and makes sure each is handled once;
`handle` says what it did in one word for the delivery's log line, and raises `NotDone` when
incident.io should deliver the event again.
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows import cards
from bot.incidentio.errors import IncidentIoError, NotFoundError
from bot.incidentio.models import Incident
from bot.incidentio.webhook_events import Event
from bot.store_api import StoreError

log = logging.getLogger("bot.flows.webhooks")


class NotDone(Exception):
    """The event could not be carried out (incident.io or Slack failing): deliver it again."""


class OwnKey:
    """The name of the bot's own API key (GET /v1/identity), read once, when first needed."""

    def __init__(self) -> None:
        self._name: str | None = None

    async def name(self, deps: Deps) -> str:
        if self._name is None:
            try:
                self._name = (await deps.incidents.get_identity()).name
            except IncidentIoError as error:
                raise NotDone(f"could not read the bot's own API key: {error}") from error
        return self._name


async def handle(deps: Deps, client: AsyncWebClient, event: Event, own_key: OwnKey) -> str:
    """Carry out one event; what was done: refreshed, announced, nothing new, no card, gone."""
    if event.escalation:
        return await _escalation(deps, client, event)
    [incident_id] = event.incident_ids
    incident = event.incident or await _read(deps, incident_id)
    if incident is None:
        return "gone"
    _remember(deps, incident)
    if await _seen(deps, incident):
        return "nothing new"
    try:
        places = await deps.store.cards_of(incident_id)
    except StoreError as error:
        raise NotDone(str(error)) from error
    if not places:
        if event.created and await _outside(deps, event, incident, own_key):
            return await _announce(deps, client, incident)
        return "no card"
    await deps.acks_first()
    if not await cards.refresh_now(deps, client, incident_id):
        raise NotDone("a card could not be brought up to date")
    return "refreshed"


async def _escalation(deps: Deps, client: AsyncWebClient, event: Event) -> str:
    if not event.incident_ids:
        return "no incident named"
    await deps.acks_first()
    # Pages change no incident's updated_at: each card is rewritten whatever state it shows.
    for incident_id in event.incident_ids:
        if not await cards.refresh_now(deps, client, incident_id):
            raise NotDone(f"the cards of {incident_id} could not be brought up to date")
    return "refreshed"


async def _read(deps: Deps, incident_id: str) -> Incident | None:
    try:
        return await deps.incidents.get_incident(incident_id)
    except NotFoundError:
        # Deleted, or hidden from this key since: nothing of it to show.
        return None
    except IncidentIoError as error:
        raise NotDone(f"could not re-read {incident_id}: {error}") from error


def _remember(deps: Deps, incident: Incident) -> None:
    """The open-incidents cache takes the change now rather than at its TTL, unless it holds a
    newer state of the incident (events arrive out of order)."""
    cached = next((i for i in deps.open_incidents.peek() or () if i.id == incident.id), None)
    if cached is None or cached.updated_at <= incident.updated_at:
        deps.open_incidents.record(incident)


async def _seen(deps: Deps, incident: Incident) -> bool:
    """Whether the cards show this state, or a newer one, already."""
    shown = await cards.version(deps, incident.id)
    return shown is not None and shown >= incident.updated_at


async def _outside(deps: Deps, event: Event, incident: Incident, own_key: OwnKey) -> bool:
    """Declared outside the bot: the bot's own declare posts its cards itself, and its key is
    the creator (a webhook may come before the card is recorded)."""
    if incident.is_private or not deps.settings.incident_announce_channel:
        return False
    if event.api_key_name is None:
        return True
    return event.api_key_name != await own_key.name(deps)


async def _announce(deps: Deps, client: AsyncWebClient, incident: Incident) -> str:
    posted = await cards.post_cards(deps, client, incident, None, "")
    if not posted.channels:
        # Posted but not recorded counts as done: a retry would post a second card.
        raise NotDone(f"could not post {incident.reference}'s card in the announce channel")
    log.info("posted %s's card in the announce channel", incident.reference)
    return "announced"
