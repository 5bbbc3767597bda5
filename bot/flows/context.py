"""The typed view of a slash command that every verb receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.command import ParsedCommand
from bot.deps import Deps
from bot.modal_meta import ModalMeta
from bot.surface import Surface


@dataclass
class CommandContext:
    deps: Deps
    ack: AsyncAck
    surface: Surface
    command: ParsedCommand
    team_id: str
    user_id: str
    user_name: str
    channel_id: str
    trigger_id: str

    @classmethod
    def from_body(
        cls,
        body: dict[str, Any],
        *,
        deps: Deps,
        ack: AsyncAck,
        surface: Surface,
        command: ParsedCommand,
    ) -> CommandContext:
        return cls(
            deps=deps,
            ack=ack,
            surface=surface,
            command=command,
            team_id=str(body.get("team_id", "")),
            user_id=str(body.get("user_id", "")),
            user_name=str(body.get("user_name", "")),
            channel_id=str(body.get("channel_id", "")),
            trigger_id=str(body.get("trigger_id", "")),
        )

    def meta(self, **fields: Any) -> ModalMeta:
        return ModalMeta(
            team_id=self.team_id,
            user_id=self.user_id,
            channel_id=self.channel_id,
            opened_at=self.deps.wall_clock(),
            **fields,
        )


def attribution(message: str, user_name: str, user_id: str) -> str:
    """incident.io records writes against the API key; the message names the person."""
    who = f"@{user_name}" if user_name else user_id
    return f"{message}\n\n_Shared from Slack by {who}_"


def submitter_name(body: dict[str, Any]) -> str:
    """The Slack handle of whoever submitted an interactivity payload."""
    user = body.get("user")
    if not isinstance(user, dict):
        return ""
    return str(user.get("username") or user.get("name") or "")
