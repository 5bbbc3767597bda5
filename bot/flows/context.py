"""The typed view of a slash command that every verb receives."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.command import ParsedCommand
from bot.deps import Deps
from bot.identity import Identity
from bot.modal_meta import ModalMeta
from bot.slacktext import from_slack
from bot.surface import Surface
from bot.workspace import workspace


@dataclass
class CommandContext:
    deps: Deps
    ack: AsyncAck
    surface: Surface
    command: ParsedCommand
    team_id: str
    enterprise_id: str | None
    user_id: str
    user_name: str
    channel_id: str
    trigger_id: str
    # Who the person is (bot/identity.py), looked up as the command arrives, while the
    # incident it names is looked up too.
    identity: asyncio.Future[Identity]

    @classmethod
    def from_body(
        cls,
        body: dict[str, Any],
        *,
        deps: Deps,
        ack: AsyncAck,
        surface: Surface,
        command: ParsedCommand,
        identity: asyncio.Future[Identity],
    ) -> CommandContext:
        where = workspace(body)
        return cls(
            deps=deps,
            ack=ack,
            surface=surface,
            command=command,
            team_id=where.team_id,
            enterprise_id=where.enterprise_id,
            user_id=str(body.get("user_id", "")),
            user_name=str(body.get("user_name", "")),
            channel_id=str(body.get("channel_id", "")),
            trigger_id=str(body.get("trigger_id", "")),
            identity=identity,
        )

    async def who(self) -> Identity:
        # Shielded: one waiter giving up must not cancel the lookup others wait on.
        return await asyncio.shield(self.identity)

    async def viewer(self) -> str | None:
        """The person's user ID if they may see private incidents (lookup.visible_to)."""
        return self.deps.guard.viewer(await self.who())

    @property
    def typed(self) -> str:
        """The command's free text as the person typed it (Slack's escaping undone), for a form."""
        return from_slack(self.command.text)

    def meta(self, **fields: Any) -> ModalMeta:
        return ModalMeta(
            team_id=self.team_id,
            enterprise_id=self.enterprise_id,
            user_id=self.user_id,
            channel_id=self.channel_id,
            opened_at=self.deps.wall_clock(),
            **fields,
        )


def submitter_name(body: dict[str, Any]) -> str:
    """The Slack handle of whoever submitted an interactivity payload."""
    user = body.get("user")
    if not isinstance(user, dict):
        return ""
    return str(user.get("username") or user.get("name") or "")
