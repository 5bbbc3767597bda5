"""Which Slack workspace (and Enterprise Grid organisation) a payload comes from, wherever Slack
puts it: slash commands say `team_id`; interactivity says `team.id`, except org-wide installs,
where `team` is null and the workspace is the user's `team_id`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Workspace:
    team_id: str
    enterprise_id: str | None

    @property
    def in_grid(self) -> bool:
        """An Enterprise Grid organisation can have several workspaces: name the one meant."""
        return self.enterprise_id is not None


def _id(value: object, key: str = "id") -> str | None:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, str) and found else None


def workspace(body: dict[str, Any]) -> Workspace:
    team = (
        _id(body.get("team"))
        or _id(body.get("user"), "team_id")
        or _id(body, "team_id")
        or _id(body.get("view"), "team_id")
        or ""
    )
    enterprise = _id(body.get("enterprise")) or _id(body, "enterprise_id")
    return Workspace(team_id=team, enterprise_id=enterprise)


def part(body: dict[str, Any], key: str) -> dict[str, Any]:
    """A payload's sub-object, empty where Slack sent null or nothing (org-wide installs do)."""
    value = body.get(key)
    return value if isinstance(value, dict) else {}
