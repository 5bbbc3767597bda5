"""What the bot showed in Slack, and checks that every interaction ended in a safe answer."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from sandbox.driver import SlackResponse
from sandbox.fake_slack.core import SlackCall
from tests.slack.conftest import Harness

# Slack calls that put something in front of the person.
USER_FACING = {
    "views.open",
    "views.update",
    "views.push",
    "response_url",
    "chat.postEphemeral",
    "chat.postMessage",
    "chat.update",
}
# Keys whose strings Slack never renders as mrkdwn (input values, IDs, URLs, metadata).
_NOT_RENDERED = {
    "initial_value",
    "value",
    "private_metadata",
    "url",
    "action_id",
    "block_id",
    "callback_id",
    "external_id",
    "hash",
    "view_id",
    "trigger_id",
    "channel",
    "user",
    "response_type",
    "ts",
    "type",
}
# Mentions only a person can have typed: the bot's own mentions use the real IDs.
# A bare @here is defused too (escape() adds a word joiner), in case link_names is ever set.
FORGED = re.compile(
    r"<!(channel|here|everyone|subteam)|<@U0EVIL|<#C0EVIL|(?<!\w)@(channel|here|everyone)\b",
    re.IGNORECASE,
)


def rendered_strings(node: Any, key: str | None = None) -> Iterator[str]:
    """Every string Slack would render as mrkdwn in a view, message or ack body."""
    if isinstance(node, dict):
        if node.get("type") == "plain_text":
            return  # plain_text does not parse mentions or links
        for k, v in node.items():
            if k not in _NOT_RENDERED:
                yield from rendered_strings(v, k)
    elif isinstance(node, list):
        for item in node:
            yield from rendered_strings(item, key)
    elif isinstance(node, str):
        yield node


def forged_mentions(node: Any) -> list[str]:
    return [s for s in rendered_strings(node) if FORGED.search(s)]


def ack_body(response: SlackResponse) -> dict[str, Any]:
    try:
        return response.json()
    except ValueError:
        return {"text": response.body}


def assert_inert(responses: Sequence[SlackResponse], calls: Sequence[SlackCall]) -> None:
    """No mention a person typed reaches Slack live, in an ack body or in any call."""
    for response in responses:
        assert not forged_mentions(ack_body(response)), response.body
    for call in calls:
        assert not forged_mentions(call.args), (call.method, json.dumps(call.args)[:2000])


def user_facing(calls: Sequence[SlackCall]) -> list[SlackCall]:
    return [c for c in calls if c.method in USER_FACING and c.error is None]


def assert_answered(response: SlackResponse, calls: Sequence[SlackCall]) -> None:
    """The person was told something: an ack with content, or a view or message sent to them."""
    assert response.status == 200, (response.status, response.body)
    assert response.body.strip() not in ("", "{}") or user_facing(calls), (
        response.body,
        [c.method for c in calls],
    )


def bot_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that mean a bug: unexpected errors and tracebacks from the bot or Bolt."""
    found = []
    for record in caplog.records:
        ours = record.name.startswith(("bot", "slack_bolt"))
        if ours and (
            record.levelno >= logging.ERROR
            or record.exc_info
            or "unexpected error" in record.getMessage()
        ):
            found.append(f"{record.name}: {record.getMessage()}")
    return found


def since(h: Harness, mark: int) -> list[SlackCall]:
    return list(h.fake.calls[mark:])
