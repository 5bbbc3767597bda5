"""The body of an HTTP request from Slack, read as Slack means it, and handed to Bolt as parsed.

Bolt parses a string body itself (`slack_bolt.request.internals.parse_body`, 1.30) and takes any
form body in which the substring "payload" occurs for an interactivity payload: a slash command
whose text, channel name or user name contains the word ("/incident update INC-1 payload too
large", `channel_name=payload-team`) becomes an empty request that no listener answers (404).
Here a form body is an interactivity payload only when it has a field named exactly `payload`.

Slack's bodies, read as Bolt reads them but for that one check:
  - slash commands: a form (`command=%2Fincident&text=...`), the fields as a dict;
  - interactivity, shortcuts, options: a form with one field, `payload`, holding JSON;
  - the Events API: JSON (`application/json`); Bolt also reads any body starting with "{" as
    JSON whatever its content type.

Socket Mode never comes here: Slack sends its payloads over the websocket as JSON, and Bolt's
adapter (`slack_bolt.adapter.socket_mode.async_internals.run_async_bolt_app`) hands them to
AsyncBoltRequest as dicts (`mode="socket_mode"`), which Bolt never parses; a test sends a command
saying "payload" through that adapter (tests/slack/test_body_parsing.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.request.async_request import AsyncBoltRequest

from bot.gate import readable


def parse_body(raw: str, content_type: str | None) -> object:
    """What the body says: a JSON value, a payload's JSON value, or a form's fields.

    Raises ValueError (json.JSONDecodeError) for JSON that does not parse. Any JSON value comes
    back (a list, a string): whether it is a payload a listener can read is the gate's question.
    """
    if not raw:
        return {}
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type == "application/json" or raw.startswith("{"):
        return json.loads(raw)
    # keep_blank_values: `text=` (a bare `/incident`) is a field, as Bolt reads it. A repeated
    # field keeps its last value, as Bolt's dict(parse_qsl(...)) does.
    fields = dict(parse_qsl(raw, keep_blank_values=True))
    if "payload" in fields:
        return json.loads(fields["payload"])
    return fields


class HttpRequest(AsyncBoltRequest):
    """An HTTP request to Bolt whose body we parsed: listeners read `body`, the gate verifies
    Slack's signature over `raw_body`, the exact bytes received (bot/gate.py)."""

    def __init__(
        self,
        *,
        raw_body: str,
        body: dict[str, Any],
        headers: Mapping[str, str | Sequence[str]],
        query: str | dict[str, Sequence[str]] | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        # In "http" mode Bolt takes only a string, which it would parse with the parser above;
        # in "socket_mode" it takes the dict as it is and builds the context (team, user,
        # channel, response_url) from it. So: built as Socket Mode builds it, then made the
        # HTTP request it is, so that the gate checks its signature.
        super().__init__(
            body=body, query=query, headers=dict(headers), context=context, mode="socket_mode"
        )
        self.raw_body = raw_body
        self.mode = "http"

    def to_copyable(self) -> HttpRequest:
        # Bolt's own copy (for lazy listeners) would parse raw_body again with its parser.
        return HttpRequest(
            raw_body=self.raw_body,
            body=self.body,
            headers=self.headers,
            query=self.query,
            context=self.context.to_copyable(),
        )


def read_request(raw: bytes, headers: Mapping[str, str], query: str = "") -> HttpRequest | None:
    """The request to hand Bolt, or None for a body no listener could read (not UTF-8, not
    JSON where JSON is due, or not a payload Bolt's helpers can read)."""
    # Names in lower case, as Bolt normalises them; a repeated header keeps its last value, as
    # it did when Bolt's Starlette adapter passed the headers.
    pairs = {name.lower(): value for name, value in headers.items()}
    try:
        text = raw.decode("utf-8")
        body = parse_body(text, pairs.get("content-type"))
    except (ValueError, RecursionError):
        # UnicodeDecodeError and json.JSONDecodeError are ValueErrors; RecursionError is JSON
        # nested deeper than the parser goes ("[[[[…"), which anyone can send, signed or not.
        return None
    if not readable(body):
        return None
    return HttpRequest(raw_body=text, body=body, headers=pairs, query=query)
