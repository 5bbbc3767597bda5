"""Where the person of one request is: their response_url, channel, user and open modal.

Worked out once per request by a Bolt middleware (`surface_for`), and handed to listeners in
Bolt's context, so no listener works out by hand where to answer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.bolt_step import Step
from bot.slacktext import truncate
from bot.ui.common import SANDBOX_NOTICE, mark_sandbox_view

log = logging.getLogger("bot.surface")


@dataclass
class Surface:
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


def surface_for(
    body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond | None, *, sandbox: bool
) -> Surface:
    """Where the person of this payload is looking, whatever kind of payload it is."""
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else body.get("user_id")
    channel = body.get("channel")
    channel_id = channel.get("id") if isinstance(channel, dict) else body.get("channel_id")
    view = body.get("view") if body.get("type") == "view_submission" else None
    return Surface(
        client,
        sandbox,
        respond=respond if body.get("response_url") else None,
        channel_id=str(channel_id) if channel_id else None,
        user_id=str(user_id) if user_id else None,
        view_id=str(view.get("id")) if isinstance(view, dict) and view.get("id") else None,
    )


# The key under which the middleware leaves the Surface in Bolt's context.
SURFACE = "surface"


def surface_of(context: Mapping[str, Any]) -> Surface:
    """The Surface the middleware worked out for this request."""
    surface = context.get(SURFACE)
    if not isinstance(surface, Surface):
        raise RuntimeError("no Surface in the context: the locating middleware did not run")
    return surface


class Locate(Step):
    """Works out the Surface of each request once, for every listener of it."""

    def __init__(self, *, sandbox: bool) -> None:
        self._sandbox = sandbox

    def check(self, req: AsyncBoltRequest) -> BoltResponse | None:
        context = req.context
        context[SURFACE] = surface_for(
            req.body, context.client, context.respond, sandbox=self._sandbox
        )
        return None
