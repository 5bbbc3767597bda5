"""Users and channels the fake workspace knows (users.info, conversations.info)."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.fake_slack.errors import SlackError

SANDBOX_HOST = "sandbox.slack.invalid"


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class Directory:
    """Workspace members, user groups and conversations.

    Without `users` (or `channels`) any well-formed id exists and gets plausible fields, so the
    emulator can invent people and channels; with them, unknown ids are `user_not_found` /
    `channel_not_found` like a real workspace. Given entries may be partial: they are merged
    over the generated defaults. Invented people belong to the installing workspace (and its
    Enterprise Grid organisation, when there is one).
    """

    def __init__(
        self,
        *,
        team_id: str,
        bot_user_id: str,
        users: dict[str, dict[str, Any]] | None,
        channels: dict[str, dict[str, Any]] | None,
    ) -> None:
        self._team_id = team_id
        self._enterprise_id: str | None = None
        self._strict_users = users is not None
        self._strict_channels = channels is not None
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        # People invented on first sight, forgotten when the installation changes.
        self._invented: set[str] = set()
        self.add_user(bot_user_id, name="incident-bot", real_name="incident-bot", is_bot=True)
        for user_id, fields in (users or {}).items():
            self.add_user(user_id, **fields)
        for channel_id, fields in (channels or {}).items():
            self.add_channel(channel_id, **fields)

    def add_user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        self.users[user_id] = _merge(self._default_user(user_id), fields)
        return self.users[user_id]

    def add_channel(self, channel_id: str, **fields: Any) -> dict[str, Any]:
        self.channels[channel_id] = _merge(self._default_channel(channel_id), fields)
        return self.channels[channel_id]

    def user(self, user_id: str) -> dict[str, Any]:
        if user_id not in self.users:
            if self._strict_users or user_id[:1] not in ("U", "W"):
                raise SlackError("user_not_found", f"no user {user_id!r}", violation=False)
            self.add_user(user_id)
            self._invented.add(user_id)
        return self.users[user_id]

    def install(self, team_id: str, enterprise_id: str | None) -> None:
        """The workspace (and organisation) people are invented in from now on."""
        self._team_id, self._enterprise_id = team_id, enterprise_id
        for user_id in self._invented:
            self.users.pop(user_id, None)
        self._invented.clear()

    def add_usergroup(self, usergroup_id: str, members: list[str]) -> None:
        self.usergroups[usergroup_id] = list(members)

    def usergroup_members(self, usergroup_id: str) -> list[str]:
        if usergroup_id not in self.usergroups:
            # What Slack answers for an ID that names no group of the workspace.
            raise SlackError("no_such_subteam", f"no user group {usergroup_id!r}", violation=False)
        return list(self.usergroups[usergroup_id])

    def channel(self, channel_id: str) -> dict[str, Any]:
        """The conversation; a user id stands for the bot's DM with that user."""
        if channel_id[:1] in ("U", "W"):
            self.user(channel_id)
            channel_id = "D" + channel_id[1:]
            if channel_id not in self.channels:
                self.add_channel(channel_id)
        if channel_id not in self.channels:
            if self._strict_channels or channel_id[:1] not in ("C", "G", "D"):
                raise SlackError("channel_not_found", f"no channel {channel_id!r}", violation=False)
            self.add_channel(channel_id)
        return self.channels[channel_id]

    def _default_user(self, user_id: str) -> dict[str, Any]:
        name = f"user-{user_id.lower()}"
        real_name = f"Sandbox User {user_id}"
        grid = self._enterprise_id
        # Slack's record of a member of an Enterprise Grid organisation says which one.
        enterprise = (
            {"enterprise_user": {"id": user_id, "enterprise_id": grid, "teams": [self._team_id]}}
            if grid
            else {}
        )
        return {
            **enterprise,
            "id": user_id,
            "team_id": self._team_id,
            "name": name,
            "real_name": real_name,
            "deleted": False,
            "is_bot": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": {
                "display_name": name,
                "real_name": real_name,
                "email": f"{name}@{SANDBOX_HOST}",
            },
        }

    @staticmethod
    def _default_channel(channel_id: str) -> dict[str, Any]:
        is_im = channel_id.startswith("D")
        return {
            "id": channel_id,
            "name": f"sandbox-{channel_id.lower()}",
            "is_channel": channel_id.startswith("C"),
            "is_group": channel_id.startswith("G"),
            "is_im": is_im,
            "is_private": not channel_id.startswith("C"),
            "is_member": True,
            "is_archived": False,
            "created": 1_700_000_000,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
