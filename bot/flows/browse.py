"""`/incident list` and `/incident show`: read-only, answered ephemerally."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.deps import Deps
from bot.failures import UserError
from bot.flows.context import CommandContext
from bot.flows.paging import pages_blocks
from bot.flows.runner import Answer, answer_command
from bot.incidentio.models import CHANGEABLE_CATEGORIES, Incident
from bot.lookup import channel_incident, find_incident
from bot.slacktext import escape, from_slack
from bot.ui.incident import card_blocks, ignored_note, list_blocks, list_text

LATEST_UPDATES = 3


async def list_open(ctx: CommandContext) -> None:
    await answer_command(ctx.deps, ctx.ack, ctx.surface, _list(ctx), where="list")


async def _list(ctx: CommandContext) -> Answer:
    deps, viewer = ctx.deps, await ctx.viewer()
    # Read through the API (every page), not the picker cache: a list must be current.
    incidents = [
        i
        # Post-incident ones too: resolved, but not closed while their follow-ups go on.
        async for i in deps.incidents.list_incidents(status_categories=CHANGEABLE_CATEGORIES)
        # A private one only to the people on it (never by its channel: the list is everywhere).
        if not i.is_private or (viewer is not None and i.involves(viewer))
    ]
    now = datetime.now(UTC)
    return Answer(list_text(incidents), list_blocks(incidents, now))


async def show(ctx: CommandContext) -> None:
    await answer_command(ctx.deps, ctx.ack, ctx.surface, _show(ctx), where="show")


async def _show(ctx: CommandContext) -> Answer:
    ref = ctx.command.ref
    viewer = await ctx.viewer()
    if ref is not None:
        incident = await find_incident(ctx.deps, ref, ctx.channel_id, viewer)
    else:
        found = await channel_incident(ctx.deps, ctx.channel_id, viewer)
        if found is None:
            raise UserError(
                "Which incident? Name it, for example `/incident show INC-12`; in an "
                "incident's own channel, `/incident show` alone shows that incident."
            )
        incident = found
    answer = await details(ctx.deps, incident)
    if ctx.command.ignored:
        # "/incident show INC-1 extra words": shown, and said what was left out.
        ignored = ignored_note(from_slack(ctx.command.ignored))
        return Answer(answer.text, [*answer.blocks, ignored])
    return answer


async def details(deps: Deps, incident: Incident) -> Answer:
    """What `/incident show` (and the card's Details button) shows of one incident."""
    updates = [
        u async for u in deps.incidents.list_incident_updates(incident.id, limit=LATEST_UPDATES)
    ]
    blocks = card_blocks(incident, updates)
    blocks.extend(await pages_blocks(deps, incident.id))
    return Answer(f"{incident.reference}: {escape(incident.name)}", blocks)
