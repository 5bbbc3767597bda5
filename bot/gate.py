"""What every request passes before Bolt runs anything of ours: Slack's signature, checked once,
and a payload that Bolt's own helpers can read.

Bolt's built-in check raises on a malformed header and then hands the unverified body to the
error handler; and before any listener runs, Bolt reads the payload with helpers
(`slack_bolt.request.payload_utils`) that raise on signed but malformed shapes (`"view": null`,
`"actions": []`, a view with no type), answering 500 with a traceback. The gate refuses both
with one log line: 401 for the unsigned, 400 for what no listener could read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeGuard

from slack_bolt.request import payload_utils
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.bolt_step import Step

log = logging.getLogger("bot.gate")

# Set in a request's context once the gate has let it in.
VERIFIED = "incident_bot_verified"
# Where an HTTP request came from (bot/client_address.py), set by the server for refusals' log.
CLIENT = "incident_bot_client"

# What Bolt computes from every payload before a middleware or listener runs.
_BOLT_READERS: tuple[Callable[[dict[str, Any]], Any], ...] = (
    payload_utils.to_options,
    payload_utils.to_shortcut,
    payload_utils.to_action,
    payload_utils.to_view,
    payload_utils.to_command,
    payload_utils.to_event,
    payload_utils.to_message,
    payload_utils.to_step,
)


def signed(
    verifier: SignatureVerifier, body: str | bytes, timestamp: str | None, signature: str | None
) -> bool:
    """Slack's signature check, where a malformed header fails the check instead of raising."""
    try:
        return verifier.is_valid(body, timestamp, signature)
    except (ValueError, TypeError):  # a non-numeric timestamp, a non-ASCII signature
        return False


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _shape_slack_sends(body: dict[str, Any]) -> bool:
    """The keys Bolt's listener matching and our middleware read, of the types Slack sends.
    Bolt's own readers accept a `"view": []` or `"actions": [null]` and then crash later."""
    kind = body.get("type")
    if kind is None:  # a slash command
        return _text(body.get("command"))
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        return isinstance(view, dict) and _text(view.get("callback_id"))
    if kind == "block_actions":
        actions = body.get("actions")
        return (
            isinstance(actions, list)
            and bool(actions)
            and all(isinstance(a, dict) and _text(a.get("action_id")) for a in actions)
        )
    if kind == "block_suggestion":
        return _text(body.get("action_id"))
    if kind in ("shortcut", "message_action"):
        return _text(body.get("callback_id"))
    # Events and Slack's URL verification: Bolt answers those itself.
    return kind in ("event_callback", "url_verification", "app_rate_limited")


def readable(body: object) -> TypeGuard[dict[str, Any]]:
    """Whether Bolt (and then our listeners) can read this payload: a dict of a shape Slack
    sends, which Bolt's helpers read without raising."""
    if not isinstance(body, dict):
        return False
    try:
        for read in _BOLT_READERS:
            read(body)
    except (KeyError, IndexError, TypeError, AttributeError):
        return False
    return _shape_slack_sends(body)


class Gate(Step):
    """The first middleware Bolt runs (before authorization, which may call Slack)."""

    def __init__(self, verifier: SignatureVerifier) -> None:
        self._verifier = verifier

    def check(self, req: AsyncBoltRequest) -> BoltResponse | None:
        if req.mode != "socket_mode" and not self._signed(req):
            log.warning("refused a request whose signature does not verify%s", _sender(req))
            return BoltResponse(status=401, body={"error": "invalid request"})
        req.context[VERIFIED] = True
        if not readable(req.body):
            log.warning("refused a signed payload of a shape Slack does not send%s", _sender(req))
            return BoltResponse(status=400, body={"error": "malformed payload"})
        return None

    def _signed(self, req: AsyncBoltRequest) -> bool:
        headers = req.headers
        return signed(
            self._verifier,
            req.raw_body,
            next(iter(headers.get("x-slack-request-timestamp", [])), None),
            next(iter(headers.get("x-slack-signature", [])), None),
        )


def _sender(req: AsyncBoltRequest) -> str:
    """Where an HTTP request came from, for its refusal; Socket Mode's come over Slack's socket."""
    sender = req.context.get(CLIENT)
    return f" (from {sender})" if sender else ""
