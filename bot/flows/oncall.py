"""`/incident oncall [name]`: who is on call now, from a short cache (Slack's 3 s)."""

from __future__ import annotations

import asyncio

from bot.flows.context import CommandContext
from bot.flows.runner import Answer, answer_command
from bot.slacktext import from_slack
from bot.ui.oncall import oncall_blocks, oncall_text


async def on_command(ctx: CommandContext) -> None:
    await answer_command(ctx.deps, ctx.ack, ctx.surface, _oncall(ctx), where="oncall")


async def _oncall(ctx: CommandContext) -> Answer:
    query = from_slack(ctx.command.text).strip()
    cache = ctx.deps.oncall
    rotas, paths = await asyncio.gather(cache.rotas(), cache.paths())
    now = cache.now()
    needle = query.casefold()
    if needle:
        # Named: the schedules and paths whose name contains it (any case).
        rotas = [r for r in rotas if needle in r.schedule.name.casefold()]
        known = [r.schedule.name for r in await cache.rotas()] + [p.name for p in paths]
        paths = [p for p in paths if needle in p.name.casefold()]
    else:
        known, paths = [], []  # every schedule; paths only when asked for by name
    blocks = oncall_blocks(rotas, paths, now, query=query, known=known)
    return Answer(oncall_text(rotas, paths, query), blocks)
