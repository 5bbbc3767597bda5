"""`/incident <verb> …`: parse once, answer mistakes with usage, hand the rest to the verb."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.command import CommandError, Verb, parse_command
from bot.deps import Deps
from bot.flows import browse, declare, escalate, resolve, update
from bot.flows.context import CommandContext
from bot.ids import SLASH_COMMAND
from bot.observability.interaction import tracked
from bot.replies import Reply
from bot.ui.common import sandbox_banner
from bot.ui.help import help_blocks, help_text, usage_line


async def _help(ctx: CommandContext) -> None:
    # Slack shows the blocks, not the text: the sandbox notice must be a block too.
    blocks = [sandbox_banner(), *help_blocks()] if ctx.reply.sandbox else help_blocks()
    await ctx.ack(text=ctx.reply.text(help_text()), blocks=blocks)


HANDLERS: dict[Verb, Callable[[CommandContext], Awaitable[None]]] = {
    Verb.HELP: _help,
    Verb.DECLARE: declare.on_command,
    Verb.UPDATE: update.on_command,
    Verb.ESCALATE: escalate.on_command,
    Verb.RESOLVE: resolve.on_command,
    Verb.LIST: browse.list_open,
    Verb.SHOW: browse.show,
}


def register(app: AsyncApp, deps: Deps) -> None:
    @app.command(SLASH_COMMAND)
    @tracked
    async def handle_incident_command(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        reply = Reply(
            client,
            deps.sandbox,
            respond=respond,
            channel_id=body.get("channel_id"),
            user_id=body.get("user_id"),
        )
        try:
            parsed = parse_command(str(body.get("text", "")))
        except CommandError as error:
            usage = usage_line(error.verb) if error.verb else "Try `/incident help` for the list."
            await ack(text=reply.text(f":warning: {error.message}\n{usage}"))
            return
        ctx = CommandContext.from_body(body, deps=deps, ack=ack, reply=reply, command=parsed)
        await HANDLERS[parsed.verb](ctx)
