"""Idempotency keys derived from Slack's own identifiers, never random and never from user text.

The same interaction always yields the same key, so a double click, a retry or a replayed
request reaches incident.io as one write.
"""

from __future__ import annotations

import hashlib

_MAX = 100


def _key(*parts: str) -> str:
    key = "slack:" + ":".join(parts)
    if len(key) <= _MAX:
        return key
    return "slack:h:" + hashlib.sha256(key.encode()).hexdigest()


def for_view(team_id: str, callback_id: str, view_id: str) -> str:
    """A modal submission: a second click on Submit carries the same view id."""
    return _key(team_id, callback_id, view_id)


def for_command(team_id: str, trigger_id: str) -> str:
    """A slash command that writes directly: one write per invocation."""
    return _key(team_id, "cmd", trigger_id)


def for_message(team_id: str, channel_id: str, message_ts: str) -> str:
    """Declare from a message: one incident per source message."""
    return _key(team_id, "msg", channel_id, message_ts)


def for_message_update(team_id: str, incident_id: str, channel_id: str, message_ts: str) -> str:
    """Add a message to an incident: once per message and incident."""
    return _key(team_id, "add", incident_id, channel_id, message_ts)
