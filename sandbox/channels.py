"""Where the sandbox's person types: #general, or an incident's own Slack channel.

The bot answers differently inside an incident's channel (a command there needs no reference),
so the sandbox lets the person move there. The emulator gives each incident it announces a
`slack_channel_id`; that is the channel the fake Slack's requests then name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Channel:
    id: str
    name: str  # as Slack names it, without "#"
    incident: str | None = None  # the reference of the incident whose channel this is

    @property
    def short(self) -> str:
        # For the prompt: an incident's channel name runs to 70 characters.
        return self.incident.lower() if self.incident else self.name

    @property
    def aside(self) -> str:
        # A script's transcript has no prompt to show where a command was typed.
        return f"  (in #{self.name})" if self.incident else ""


def general(channel_id: str) -> Channel:
    return Channel(channel_id, "general")


def find_channel(incidents: Iterable[Mapping[str, Any]], wanted: str, home: Channel) -> Channel:
    """The channel of the incident `wanted` names (INC-1, 1, its channel's name or id), or
    `home` for "" and "general".

    LookupError, with a sentence for the person, when no incident has that channel.
    """
    needle = wanted.strip().removeprefix("#").lower()
    if needle in ("", "general", home.name, home.id.lower()):
        return home
    for incident in incidents:
        reference = str(incident["reference"])
        names = (
            reference,
            reference.removeprefix("INC-"),
            str(incident.get("slack_channel_name") or ""),
            str(incident.get("slack_channel_id") or ""),
        )
        if needle not in (n.lower() for n in names if n):
            continue
        channel_id = incident.get("slack_channel_id")
        if not channel_id:
            # Retrospective incidents are declared without a channel (see the emulator).
            raise LookupError(f"{reference} has no Slack channel")
        name = str(incident.get("slack_channel_name") or channel_id)
        return Channel(str(channel_id), name, reference)
    raise LookupError(f"{wanted.strip()} is not an incident the emulator holds")
