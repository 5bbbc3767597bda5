"""The submit path update, escalate and resolve share: parse, key, write, answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import keys
from bot.deps import Deps
from bot.flows.runner import answer_submission
from bot.forms import FormError, ModalMeta
from bot.ids import Modal
from bot.observability.interaction import set_reference
from bot.replies import Reply, UserError
from bot.ui.refill import refill

F = TypeVar("F")


async def submit_change(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    *,
    callback: Modal,
    parse: Callable[[dict[str, Any]], F],
    write: Callable[[Deps, ModalMeta, F, str, str], Awaitable[View]],
    fields: Mapping[str, str],
) -> None:
    """`parse(view)` the submitted modal (FormError -> inline errors), then `write(...)` it.

    `write` gets the incident in the metadata, the form, the idempotency key (from the view id,
    so a second click on Submit is the same write) and the person's Slack handle.
    """
    view = body["view"]
    meta = ModalMeta.decode(view.get("private_metadata"))
    if not meta.incident_id:
        raise UserError("This form does not say which incident it is for. Start again.")
    set_reference(meta.reference)
    try:
        form = parse(view)
    except FormError as error:
        await ack(response_action="errors", errors=error.fields)
        return
    user = body.get("user", {})
    user_name = str(user.get("username") or user.get("name") or "")
    reply = Reply(client, deps.sandbox, user_id=meta.user_id, view_id=view["id"])
    key = keys.for_view(meta.team_id, callback.value, view["id"])
    await answer_submission(
        ack,
        reply,
        write(deps, meta, form, key, user_name),
        restore=lambda message: refill(view, message),
        fields=fields,
        budget=deps.ack_budget,
        where=callback.value,
    )
