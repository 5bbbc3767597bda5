"""Which incident a command means, and the text it carries for it.

A reference names the incident; without one, the incident whose channel this is. In that
channel a bare number followed by text starts the text; elsewhere a bare number that is no
incident ("/incident update 500 errors are back") is the start of the text, not a reference:
the text is kept whole and the person is asked which incident.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.failures import UserError
from bot.flows.context import CommandContext
from bot.incidentio.models import Incident
from bot.lookup import channel_incident, find_incident, visible_to


@dataclass(frozen=True)
class Aim:
    incident: Incident | None  # None: ask the person which incident
    text: str  # as Slack sent it


async def aim(ctx: CommandContext) -> Aim:
    command = ctx.command
    viewer = await ctx.viewer()
    if command.bare_number and command.text:
        # In an incident's own channel a leading number is text ("2 regions still failing"):
        # another incident is named there as INC-2, #2 or its ID, never by a bare number.
        here = await channel_incident(ctx.deps, ctx.channel_id, viewer)
        if here is not None:
            return Aim(here, command.rest)
    if command.ref is not None:
        try:
            return Aim(
                await find_incident(ctx.deps, command.ref, ctx.channel_id, viewer), command.text
            )
        except UserError:
            if not (command.bare_number and command.text):
                raise
            return Aim(await channel_incident(ctx.deps, ctx.channel_id, viewer), command.rest)
    return Aim(await channel_incident(ctx.deps, ctx.channel_id, viewer), command.text)


async def need_something_to_pick(ctx: CommandContext, verb: str, *, post_incident: bool) -> None:
    """UserError when the incident picker would offer nothing: asking would be a dead end whose
    only way out (Cancel) throws the typed text away, where the error quotes it back."""
    viewer = await ctx.viewer()
    if not any(
        (i.is_open or (post_incident and i.is_post_incident)) and visible_to(i, None, viewer)
        for i in await ctx.deps.open_incidents.get()
    ):
        raise UserError(f"There is no open incident to {verb}. To start one: `/incident declare`.")
