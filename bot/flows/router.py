"""`/incident <verb> …`: parse once, answer mistakes with usage, hand the rest to the verb."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.command import CommandError, Verb, parse_command
from bot.deps import Deps
from bot.failures import log_failure
from bot.flows.context import CommandContext
from bot.ids import SLASH_COMMAND
from bot.inflight import keep
from bot.observability.interaction import tracked
from bot.surface import surface_of
from bot.ui.common import sandbox_banner
from bot.ui.help import WRITES, help_blocks, help_text, usage_line

Handler = Callable[[CommandContext], Awaitable[None]]


async def _help(ctx: CommandContext) -> None:
    """Only what the person may do: the verbs the policy refuses them are left out."""
    who = await ctx.who()
    shown: dict[Verb, str | None] = {Verb.LIST: None, Verb.SHOW: None, Verb.HELP: None}
    shown[Verb.ONCALL] = None  # read-only, like list and show
    for verb, action in WRITES.items():
        decision = await ctx.deps.guard.decide(who, action)
        if decision.allowed:
            # A rule about the incident's roles is decided per incident: say whom it admits.
            rule = ctx.deps.guard.policy.rule(action)
            shown[verb] = rule.describe() if decision.pending else None
    blocks = help_blocks(shown)
    # Slack shows the blocks, not the text: the sandbox notice must be a block too.
    blocks = [sandbox_banner(), *blocks] if ctx.surface.sandbox else blocks
    await ctx.ack(text=ctx.surface.text(help_text(shown)), blocks=blocks)


def register(app: AsyncApp, deps: Deps, handlers: Mapping[Verb, Handler]) -> None:
    """The slash command; `handlers` answers every verb but help."""
    verbs: dict[Verb, Handler] = {Verb.HELP: _help, **handlers}
    missing = set(Verb) - verbs.keys()
    if missing:
        raise ValueError(f"no handler for {sorted(missing)}")

    @app.command(SLASH_COMMAND)
    @tracked
    async def handle_incident_command(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        surface = surface_of(context)
        try:
            parsed = parse_command(str(body.get("text", "")))
        except CommandError as error:
            log_failure(error, "command")
            usage = usage_line(error.verb) if error.verb else "Try `/incident help` for the list."
            await ack(text=surface.text(f":warning: {error.message}\n{usage}"))
            return
        # Who the person is, looked up while the verb looks up its incident.
        identity = asyncio.ensure_future(deps.guard.identify(body, context))
        keep(identity)
        ctx = CommandContext.from_body(
            body, deps=deps, ack=ack, surface=surface, command=parsed, identity=identity
        )
        await verbs[parsed.verb](ctx)
