"""Reading Slack-style requests and writing Slack-style error answers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.fake_slack.errors import SlackError

# Form-encoded clients send these as JSON strings.
_JSON_FIELDS = ("view", "blocks", "attachments", "metadata")


def error_response(exc: SlackError, headers: dict[str, str]) -> Response:
    body: dict[str, Any] = {"ok": False, "error": exc.error}
    messages = exc.messages or ([f"[ERROR] {exc.detail}"] if exc.detail else [])
    if messages:
        body["response_metadata"] = {"messages": messages}
    return JSONResponse(body, status_code=exc.status, headers={**headers, **exc.headers})


def bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def payload_field(payload: str) -> dict[str, Any]:
    """The legacy form-encoded response_url body: `payload=<JSON>`."""
    decoded = json.loads(payload)
    if not isinstance(decoded, dict):
        raise SlackError("invalid_json", "payload must be a JSON object")
    return _decode_fields(decoded)


def _decode_fields(args: dict[str, Any]) -> dict[str, Any]:
    for key in _JSON_FIELDS:
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except ValueError as exc:
                raise SlackError("invalid_arguments", f"{key} is not valid JSON") from exc
    return args


async def read_args(request: Request) -> dict[str, Any]:
    """Query string plus a JSON or form body, with JSON-string fields decoded."""
    args: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if body and kind == "application/json":
        try:
            parsed = json.loads(body)
        except ValueError as exc:
            raise SlackError("invalid_json", "the body is not JSON") from exc
        if not isinstance(parsed, dict):
            raise SlackError("invalid_json", "the body must be a JSON object")
        args.update(parsed)
    elif body and kind in ("application/x-www-form-urlencoded", ""):
        args.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif body:
        raise SlackError("invalid_form_data", f"unsupported content type {kind!r}")
    return _decode_fields(args)
