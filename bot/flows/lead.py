"""Lead: `/incident lead [ref] @person` makes the person the incident's lead at once; without a
person it opens the roles modal. Slack sends a person picked from its autocomplete as
`<@U123|bea>` (the command has `should_escape: true` in manifest.yaml); a typed `@bea` it did not
turn into a mention is plain text, with no one behind it."""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.command import Verb
from bot.failures import UserError
from bot.flows import cards
from bot.flows.aim import aim
from bot.flows.context import CommandContext
from bot.flows.guarded import guarded
from bot.flows.roles import Roles, assign, outcome
from bot.flows.runner import Answer, answer_command
from bot.flows.verbs import run_command
from bot.incidentio.models import Incident
from bot.lookup import require_open
from bot.rules import Action
from bot.slacktext import escape, from_slack, truncate
from bot.ui.help import usage_line
from bot.ui.roles import holders, person

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>")


@dataclass(frozen=True)
class Person:
    id: str  # Slack user ID
    label: str  # the name Slack sent with it, decoded


def named_person(text: str) -> Person:
    """The one person the command's text (as Slack sent it) mentions; else UserError."""
    found = _MENTION.findall(text)
    if len(found) == 1 and not _MENTION.sub("", text).strip():
        user_id, label = found[0]
        return Person(user_id, from_slack(label) or user_id)
    usage = usage_line(Verb.LEAD)
    if found:
        raise UserError("Name one person, and nothing else, as the new lead.", usage=usage)
    typed = escape(truncate(from_slack(text), 40))
    raise UserError(
        f"“{typed}” is plain text to Slack, not a person. Type `@` and pick them from Slack's "
        "list, so that Slack says who they are.",
        usage=usage,
    )


async def _make_lead(ctx: CommandContext, incident: Incident, chosen: Person) -> Answer:
    lead = (await ctx.deps.catalog.get()).role_of_type("lead")
    if lead is None:
        raise UserError("incident.io lists no lead role in this organisation.")
    current = holders(incident).get(lead.id)
    if current is not None and current.slack_user_id == chosen.id:
        return Answer(f"{person(current)} already leads *{incident.reference}*: nothing changed.")
    changes: dict[str, str | None] = {lead.id: chosen.id}
    edited = await assign(ctx.deps, incident.id, changes, {chosen.id: chosen.label})
    said = outcome(edited, changes)
    # The cards show the new lead, and the thread says who made the change.
    cards.after_change(ctx.deps, incident.id, said, tell=ctx.surface)
    return Answer(said)


async def _lead(ctx: CommandContext) -> Answer:
    aimed = await aim(ctx)
    chosen = named_person(aimed.text)
    if aimed.incident is None:
        raise UserError(
            "Which incident? Give its reference, or run this in the incident's channel.",
            usage=usage_line(Verb.LEAD),
        )
    incident = require_open(aimed.incident, Verb.LEAD.value, post_incident=Roles.post_incident)
    write = functools.partial(_make_lead, ctx, incident, chosen)
    return await guarded(ctx.deps, await ctx.who(), Action.ROLES, write, incident=incident)


def command(roles: Roles) -> Callable[[CommandContext], Awaitable[None]]:
    """The handler of `/incident lead`; `roles` is the verb whose modal opens without a person."""

    async def on_command(ctx: CommandContext) -> None:
        if not ctx.command.text:
            await run_command(roles, ctx)
            return
        typed = from_slack(ctx.command.text)
        work = _lead(ctx)
        await answer_command(ctx.deps, ctx.ack, ctx.surface, work, where=Verb.LEAD, typed=typed)

    return on_command
