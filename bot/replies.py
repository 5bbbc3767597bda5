"""Where the person is, and the one place that tells them something went wrong.

Every failure a flow does not handle itself ends in `report()`: it is logged with incident.io's
request_id and shown where the person is looking (their modal, or an ephemeral message).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.forms import FormError
from bot.incidentio.errors import IncidentIoError
from bot.mrkdwn import truncate
from bot.observability import interaction as ix
from bot.ui.common import SANDBOX_NOTICE, mark_sandbox_view, message_modal, with_request_id

log = logging.getLogger("bot.replies")


class UserError(Exception):
    """Something the person can fix or should know (unknown incident, wrong state).

    `message` is mrkdwn the raiser has already escaped.
    """

    def __init__(self, message: str, *, usage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


def describe(error: BaseException) -> tuple[str, str | None]:
    """A message fit to show a person, and incident.io's request_id when there is one."""
    if isinstance(error, UserError):
        text = error.message + (f"\n{error.usage}" if error.usage else "")
        return text, None
    if isinstance(error, FormError):
        # Raised without an input to point at (damaged private_metadata): the message is ours.
        return error.message or "This form could not be read. Close it and start again.", None
    if isinstance(error, IncidentIoError):
        return error.user_message, error.request_id
    if isinstance(error, SlackApiError):
        return f"Slack refused the request ({error.response.get('error', 'unknown error')}).", None
    return "Something went wrong in the bot; the error is in its logs.", None


def log_failure(error: BaseException, where: str) -> None:
    interaction = ix.current()
    if interaction is not None:
        interaction.fail(_outcome(error), type(error).__name__)
    if isinstance(error, UserError | FormError):
        log.info("user error in %s: %s", where, error)
    elif isinstance(error, IncidentIoError):
        log.warning(
            "incident.io error in %s: %s", where, error, extra={"request_id": error.request_id}
        )
    elif isinstance(error, SlackApiError):
        log.warning("Slack API error in %s: %s", where, error.response.get("error"))
    else:
        log.error("unexpected error in %s", where, exc_info=error)


def _outcome(error: BaseException) -> str:
    if isinstance(error, UserError | FormError):
        return "user_error"
    if isinstance(error, IncidentIoError):
        return "api_error"
    if isinstance(error, SlackApiError):
        return "slack_error"
    return "error"


@dataclass
class Reply:
    """The person's surfaces for one interaction."""

    client: AsyncWebClient
    sandbox: bool = False
    respond: AsyncRespond | None = None
    channel_id: str | None = None
    user_id: str | None = None
    view_id: str | None = None

    def view(self, view: View) -> View:
        return mark_sandbox_view(view) if self.sandbox else view

    def text(self, text: str) -> str:
        return f"{SANDBOX_NOTICE}\n{text}" if self.sandbox else text

    async def open_view(self, trigger_id: str, view: View) -> dict[str, Any]:
        response = await self.client.views_open(trigger_id=trigger_id, view=self.view(view))
        opened: dict[str, Any] = response["view"]
        self.view_id = opened["id"]
        return opened

    async def update_view(self, view: View, *, view_hash: str | None = None) -> None:
        if self.view_id is None:
            raise RuntimeError("no view to update")
        kwargs: dict[str, Any] = {"view_id": self.view_id, "view": self.view(view)}
        if view_hash:
            kwargs["hash"] = view_hash
        await self.client.views_update(**kwargs)

    async def ephemeral(self, text: str, blocks: Sequence[Block] | None = None) -> None:
        text = self.text(truncate(text, 3000))
        payload_blocks = list(blocks) if blocks else None
        if self.respond is not None:
            answer = await self.respond(
                text=text, blocks=payload_blocks, response_type="ephemeral", replace_original=False
            )
            # Unlike the Web API client, respond() returns Slack's refusal instead of raising it.
            if answer.status_code != 200 or '"ok":false' in answer.body.replace(" ", ""):
                log.warning(
                    "could not reply on the response_url (HTTP %d): %s",
                    answer.status_code,
                    truncate(answer.body, 200),
                )
        elif self.channel_id and self.user_id:
            await self.client.chat_postEphemeral(
                channel=self.channel_id, user=self.user_id, text=text, blocks=payload_blocks
            )
        else:
            log.warning("no surface to tell the user: %s", text)


async def report(
    error: BaseException,
    reply: Reply,
    *,
    where: str,
    restore: Callable[[str], View] | None = None,
) -> None:
    """Log the failure and show it where the person is: their modal, else an ephemeral message."""
    log_failure(error, where)
    message, request_id = describe(error)
    shown = with_request_id(message, request_id)
    try:
        if reply.view_id is not None:
            view = restore(shown) if restore else message_modal("Could not finish", shown)
            await reply.update_view(view)
        else:
            await reply.ephemeral(shown)
    except SlackApiError as slack_error:
        # The person cannot be told; at least the log says what they would have seen.
        log.error(
            "could not show an error to the user (%s): %s",
            slack_error.response.get("error"),
            shown,
        )
