"""Who a person is, from what Slack says and never from what they typed: the payload's user,
their team and organisation, whether the channel is shared with another organisation, and
Slack's own record of them (`users.info`, cached by the Directory).

In a Slack Connect channel the payload's `team` and `enterprise` are the person's own
organisation, not the one that installed the bot (tests/data/real/slack/view_submission/
slack_connect_other_side.json); the installing one is what `auth.test` says (Bolt's authorize
result), so the two are compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.directory import Directory, SlackUser
from bot.workspace import part

# How long a person waits, at most once an hour, for Slack to say who they are.
IDENTITY_BUDGET = 0.8


@dataclass(frozen=True)
class Home:
    """The workspace, or Enterprise Grid organisation, that installed the bot."""

    team_id: str | None
    enterprise_id: str | None

    def includes(self, team_id: str | None, enterprise_id: str | None) -> bool:
        if self.enterprise_id and enterprise_id:
            return enterprise_id == self.enterprise_id
        return bool(self.team_id) and team_id == self.team_id


class Standing(StrEnum):
    """How the person stands to the installing organisation."""

    MEMBER = "member"
    GUEST = "guest"
    EXTERNAL = "external"  # from another organisation (Slack Connect)
    BOT = "bot"
    UNKNOWN = "unknown"  # Slack did not say in time, or not at all


@dataclass(frozen=True)
class Claims:
    """What the payload says of the person and where they are."""

    user_id: str
    team_id: str | None
    enterprise_id: str | None
    shared_channel: bool


@dataclass(frozen=True)
class Identity:
    user_id: str
    team_id: str | None  # the person's own workspace
    enterprise_id: str | None
    standing: Standing
    shared_channel: bool = False


def _id(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def claims(body: Mapping[str, Any]) -> Claims:
    """The person of a payload: interactivity says `user.{id,team_id}`, slash commands
    `user_id` and `team_id`; org-wide installs send `team: null`."""
    user = part(dict(body), "user")
    team = part(dict(body), "team")
    channel = part(dict(body), "channel")
    return Claims(
        user_id=_id(user.get("id")) or _id(body.get("user_id")) or "",
        team_id=_id(user.get("team_id")) or _id(body.get("team_id")) or _id(team.get("id")),
        enterprise_id=_id(part(dict(body), "enterprise").get("id"))
        or _id(body.get("enterprise_id"))
        or _id(team.get("enterprise_id")),
        shared_channel=_flag(body.get("is_ext_shared_channel"))
        or _flag(channel.get("is_ext_shared")),
    )


def _flag(value: object) -> bool:
    # Slash commands send every value as a string.
    return value is True or value == "true"


def standing(said: Claims, record: SlackUser | None, home: Home) -> Standing:
    """Member only where the payload and Slack's record both place the person at home."""
    if record is None or record.deleted:
        return Standing.UNKNOWN
    if record.is_bot:
        return Standing.BOT
    team = record.team_id or said.team_id
    enterprise = record.enterprise_id or said.enterprise_id
    # A payload that names no team at all does not contradict the record.
    silent = said.team_id is None and said.enterprise_id is None
    said_home = silent or home.includes(said.team_id, said.enterprise_id)
    at_home = home.includes(team, enterprise) and said_home
    if record.is_stranger or not at_home:
        return Standing.EXTERNAL
    if record.is_guest:
        return Standing.GUEST
    return Standing.MEMBER


def home_of(context: Mapping[str, Any]) -> Home:
    """The installation, as Bolt's authorization read it from `auth.test`."""
    result = context.get("authorize_result")
    team = getattr(result, "team_id", None)
    enterprise = getattr(result, "enterprise_id", None)
    return Home(_id(team), _id(enterprise))


async def identify(
    directory: Directory,
    body: Mapping[str, Any],
    home: Home,
    *,
    within: float = IDENTITY_BUDGET,
) -> Identity:
    said = claims(body)
    record = await directory.record(said.user_id, within=within) if said.user_id else None
    return Identity(
        user_id=said.user_id,
        team_id=(record.team_id if record else None) or said.team_id,
        enterprise_id=(record.enterprise_id if record else None) or said.enterprise_id,
        standing=standing(said, record, home),
        shared_channel=said.shared_channel,
    )
