"""Bolt middleware: open an Interaction for every request, time the ack, count the outcome."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
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


class _TimedAck(AsyncAck):
    """Bolt's ack that also reports when the listener acknowledged."""

    def __init__(self, on_ack: Callable[[], None]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._on_ack = on_ack

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = await super().__call__(*args, **kwargs)
        self._on_ack()
        return response


def install(app: AsyncApp, metrics: Metrics) -> None:
    @app.middleware
    async def track_interaction(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse:
        kind, name, user = describe_request(req.body)
        interaction = ix.Interaction(kind=kind, name=name, user=user)
        interaction.on_finish.append(metrics.observe_interaction)
        started = time.monotonic()

        def acked() -> None:
            if interaction.ack_seconds is not None:
                return
            interaction.ack_seconds = time.monotonic() - started
            metrics.observe_ack(kind, interaction.ack_seconds)
            if interaction.pending <= 0:
                interaction.finish()

        # Bolt's global middleware does not wrap the listener: next() only lets dispatch go on,
        # and the listener runs after this returns, in a task that copies this context. So the
        # interaction is left set (each Slack request is dispatched in a task of its own) and
        # the ack is timed where the listener calls it.
        ix.begin(interaction)
        req.context["ack"] = _TimedAck(acked)
        await next()
        return resp
