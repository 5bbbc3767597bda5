"""Bolt middleware: open an Interaction for every request, time the ack, count the outcome."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.observability import interaction as ix
from bot.observability.metrics import Metrics


def describe_request(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """(kind, name, user) of a Slack payload, for logs and metrics; never user text."""
    if "command" in body:
        words = str(body.get("text", "")).split()
        verb = words[0].lower() if words else "help"
        known = ("help", "declare", "update", "escalate", "resolve", "list", "show")
        return "command", verb if verb in known else "unknown", body.get("user_id")
    kind = str(body.get("type", "unknown"))
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if kind == "view_submission":
        return kind, str(body.get("view", {}).get("callback_id", "")), user_id
    if kind in ("shortcut", "message_action"):
        return kind, str(body.get("callback_id", "")), user_id
    if kind in ("block_suggestion", "block_actions"):
        actions = body.get("actions") or [{}]
        return kind, str(body.get("action_id") or actions[0].get("action_id", "")), user_id
    return kind, kind, user_id


def install(app: AsyncApp, metrics: Metrics) -> None:
    @app.middleware
    async def track_interaction(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        kind, name, user = describe_request(req.body)
        interaction = ix.Interaction(kind=kind, name=name, user=user)
        interaction.on_finish.append(metrics.observe_interaction)
        token = ix.begin(interaction)
        started = time.monotonic()
        try:
            response = await next()
        finally:
            ix.end(token)
        interaction.ack_seconds = time.monotonic() - started
        metrics.observe_ack(kind, interaction.ack_seconds)
        if interaction.pending <= 0:
            interaction.finish()
        return response
