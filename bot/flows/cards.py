"""The incident's cards in Slack: posted when it is declared, brought up to date after every
change the bot makes, each change threaded under every card.

Where the cards are is in the store (bot/store_api.py). A card is a nicety beside the change
itself: neither the store nor Slack failing ever undoes or delays a write to incident.io. The
person is told the card could not be updated, and since every refresh re-reads the incident and
rewrites the whole card, the next change brings it up to date.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.acks import answered
from bot.deps import Deps
from bot.failures import SLACK_UNREACHABLE
from bot.flows.card_queue import Pending
from bot.flows.paging import card_pages
from bot.incidentio.errors import IncidentIoError
from bot.incidentio.models import Incident, IncidentUpdate
from bot.inflight import keep
from bot.reminders.watch import reset_clock
from bot.store_api import CardPlace, StoreError
from bot.surface import Surface
from bot.ui.card import PostedCards, card_text, incident_card
from bot.ui.common import sandbox_banner

log = logging.getLogger("bot.flows.cards")
# How long the declare confirmation waits for the card's link before it shows without it.
CARD_BUDGET = 1.0
PERMALINK_BUDGET = 0.5
NOT_UPDATED = (
    ":warning: Done in incident.io, but the incident's card in Slack could not be updated. "
    "The next change will bring it up to date."
)
_SLACK_FAILED = (SlackApiError, *SLACK_UNREACHABLE)
# How many times a refresh writes the cards again when another replica recorded a newer state
# while it wrote (each time from a fresh read, which is at least as new).
REWRITES = 3


async def permalink(client: AsyncWebClient, channel: str, ts: str) -> str | None:
    """A message's link, or None when Slack does not give it in time (a link is a nicety)."""
    try:
        async with asyncio.timeout(PERMALINK_BUDGET):
            response = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except _SLACK_FAILED as error:
        log.info("no permalink for %s/%s: %s", channel, ts, error)
        return None
    link = response.get("permalink")
    return str(link) if link else None


def _blocks(
    deps: Deps, incident: Incident, latest: IncidentUpdate | None, pages: Sequence[Block] = ()
) -> list[Block]:
    blocks = incident_card(incident, latest, deps.card_buttons, now=datetime.now(UTC))
    blocks[-1:-1] = pages  # above the buttons
    # Sandbox incidents are not real: a card in a real channel must say so.
    return [sandbox_banner(), *blocks] if deps.sandbox else blocks


async def post_cards(
    deps: Deps, client: AsyncWebClient, incident: Incident, channel_id: str | None, user_id: str
) -> PostedCards:
    """Post a new incident's card where it was declared and in the announce channel, and record
    each; a private incident's card goes to its declarer alone (ephemeral, so never updated)."""
    blocks, text = _blocks(deps, incident, None), card_text(incident)
    if incident.is_private:
        if not channel_id:
            return PostedCards(private=True)
        try:
            await client.chat_postEphemeral(
                channel=channel_id, user=user_id, blocks=blocks, text=text
            )
        except _SLACK_FAILED as error:
            log.warning("could not show %s's card to its declarer: %s", incident.reference, error)
            return PostedCards(private=True, failed=(channel_id,))
        return PostedCards(private=True, channels=(channel_id,))
    wanted = [c for c in (channel_id, deps.settings.incident_announce_channel) if c]
    posted: list[CardPlace] = []
    failed: list[str] = []
    for channel in dict.fromkeys(wanted):
        try:
            response = await client.chat_postMessage(channel=channel, blocks=blocks, text=text)
        except _SLACK_FAILED as error:
            log.warning("could not post %s's card in %s: %s", incident.reference, channel, error)
            failed.append(channel)
            continue
        place = CardPlace(incident.id, str(response["channel"]), str(response["ts"]))
        posted.append(place)
        try:
            await deps.store.add_card(place)
        except StoreError as error:
            # Posted, but no later change can find it: said in the confirmation.
            log.warning("could not record %s's card in %s: %s", incident.reference, channel, error)
            failed.append(channel)
    if posted:
        await shown_now(deps, incident)
    link = await permalink(client, posted[0].channel_id, posted[0].ts) if posted else None
    return PostedCards(
        link=link, channels=tuple(p.channel_id for p in posted), failed=tuple(failed)
    )


async def post_within(
    deps: Deps, client: AsyncWebClient, incident: Incident, channel_id: str | None, user_id: str
) -> PostedCards:
    """`post_cards`, waited for at most CARD_BUDGET: the confirmation does not wait longer for
    the link (the posting goes on)."""
    task = asyncio.ensure_future(post_cards(deps, client, incident, channel_id, user_id))
    keep(task)
    done, _ = await asyncio.wait({task}, timeout=CARD_BUDGET)
    if task in done:
        return task.result()
    return PostedCards(pending=True)


async def _latest(deps: Deps, incident_id: str) -> IncidentUpdate | None:
    async for update in deps.incidents.list_incident_updates(incident_id, limit=1):
        return update
    return None


async def refresh_cards(
    deps: Deps, client: AsyncWebClient, incident_id: str, notes: Sequence[str]
) -> bool:
    """Rewrite every card of the incident from its current state, and thread each of `notes`
    (mrkdwn) under each. False when a card could not be (store or Slack failing): the next
    refresh repairs it, since it rewrites the whole card."""
    try:
        places = await deps.store.cards_of(incident_id)
    except StoreError as error:
        log.warning("could not read the cards of %s: %s", incident_id, error)
        return False
    if not places:
        return True
    for attempt in range(REWRITES):
        try:
            incident, latest, pages = await asyncio.gather(
                deps.incidents.get_incident(incident_id),
                _latest(deps, incident_id),
                card_pages(deps, incident_id),
            )
        except IncidentIoError as error:
            log.warning("could not re-read %s for its cards: %s", incident_id, error)
            return False
        await reset_clock(deps, incident, latest)  # an update from anywhere restarts the clock
        blocks = _blocks(deps, incident, latest, pages)
        ok, current = await _rewrite(deps, client, places, incident, blocks, notes)
        if not ok or current:
            return ok
        # Another replica recorded a newer state while this one was written over it: again,
        # from what incident.io says now (which is at least that newer state).
        notes = ()
        log.info("%s changed while its cards were written; rewriting (%d)", incident_id, attempt)
    return True


async def _rewrite(
    deps: Deps,
    client: AsyncWebClient,
    places: Sequence[CardPlace],
    incident: Incident,
    blocks: list[Block],
    notes: Sequence[str],
) -> tuple[bool, bool]:
    """Write `incident`'s state on every card and thread the notes: (all written, still the
    newest state recorded). A card showing a newer state (`updated_at`) is left as it is."""
    shown = await version(deps, incident.id)
    behind = shown is not None and shown > incident.updated_at
    if behind:
        log.info("%s's cards show a newer state than this read; left as they are", incident.id)
    text = card_text(incident)
    ok = True
    for place in places:
        try:
            if not behind:
                await client.chat_update(
                    channel=place.channel_id, ts=place.ts, blocks=blocks, text=text
                )
            for note in notes:
                await client.chat_postMessage(
                    channel=place.channel_id, thread_ts=place.ts, text=note
                )
        except _SLACK_FAILED as error:
            log.warning("could not update the card %s/%s: %s", place.channel_id, place.ts, error)
            ok = False
    if behind or not ok:
        return ok, True
    return ok, await shown_now(deps, incident)


async def version(deps: Deps, incident_id: str) -> datetime | None:
    """The state (`updated_at`) the incident's cards show, if known."""
    try:
        return await deps.store.version_of(incident_id)
    except StoreError as error:
        log.warning("could not read which state %s's cards show: %s", incident_id, error)
        return None


async def shown_now(deps: Deps, incident: Incident) -> bool:
    """Record that the cards show `incident` as it is; False when a newer state was recorded
    (a store failure counts as recorded: the next change repairs the cards anyway)."""
    try:
        return await deps.store.advance_version(incident.id, incident.updated_at)
    except StoreError as error:
        log.warning("could not record which state %s's cards show: %s", incident.id, error)
        return True


async def refresh_now(deps: Deps, client: AsyncWebClient, incident_id: str) -> bool:
    """After a change made outside the bot (a webhook): bring the cards up to date now, in the
    incident's turn, carrying the bot's own changes that wait for it; False when they could not
    be (the caller has incident.io deliver it again)."""
    async with deps.card_queue.turn(incident_id) as pending:
        return await _carry(deps, client, incident_id, pending)


def made_by(user_id: str, verb: str) -> str:
    """The thread note of a change whose verb said nothing of its own."""
    return f":pencil2: <@{user_id}> used `/incident {verb}`."


def telling(surface: Surface, channel_id: str | None, user_id: str | None) -> Surface:
    """Where to tell a person about their cards: their own surface (a command's response_url),
    else an ephemeral message in the channel they acted from (a modal has neither)."""
    if surface.respond is not None or surface.channel_id:
        return surface
    return Surface(surface.client, surface.sandbox, channel_id=channel_id, user_id=user_id)


def after_change(deps: Deps, incident_id: str, note: str | None, *, tell: Surface) -> None:
    """After a change the bot made: in the background, once the person's answer is out, bring
    every card of the incident up to date and thread `note` under each; a failure is told to
    the person (`tell`), ephemerally. Changes that come while a refresh waits join it."""
    if deps.card_queue.join(incident_id, note, tell):
        keep(asyncio.ensure_future(_refresh(deps, incident_id, tell.client)))


async def _refresh(deps: Deps, incident_id: str, client: AsyncWebClient) -> None:
    await answered()
    await deps.acks_first()
    async with deps.card_queue.turn(incident_id) as pending:
        await _carry(deps, client, incident_id, pending)


async def _carry(deps: Deps, client: AsyncWebClient, incident_id: str, pending: Pending) -> bool:
    if await refresh_cards(deps, client, incident_id, pending.notes):
        return True
    for surface in pending.tell:
        try:
            await surface.ephemeral(NOT_UPDATED)
        except _SLACK_FAILED as error:
            log.warning("could not tell the person the card was not updated: %s", error)
    return False
