"""Logging set-up: JSON lines when not on a terminal (containers), readable text on one."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

# Attributes every LogRecord has; anything else was passed in `extra` and belongs in the line.
# uvicorn's `color_message` repeats the message with ANSI colour codes: noise in a log line.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and v is not None}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        extras = _extras(record)
        text = super().format(record)
        return text + ("  " + json.dumps(extras, default=str) if extras else "")


# The loggers slack_sdk's clients log through (their modules' names).
SLACK_CLIENT_LOGGERS = ("slack_sdk.web.async_base_client", "slack_sdk.web.base_client")


def setup_logging(level: str, fmt: str = "auto") -> None:
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    handler = CurrentStderrHandler()
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    handler.addFilter(_drop_client_and_token_notice)
    handler.addFilter(_one_line_for_unreachable_slack)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Third-party debug output can include request headers; keep it out even at DEBUG.
    quiet = max(logging.INFO, logging.getLevelName(level))
    # slack_sdk's Web API clients test their own logger's level, not the effective one, before
    # formatting a debug line of every request (views and all): unset, that was every call.
    for noisy in ("slack_sdk", *SLACK_CLIENT_LOGGERS, "slack_bolt", "aiohttp", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(quiet)
    # httpx logs every request at INFO; the interaction line already records each API call;
    # alembic announces each of its plugins at INFO on every start; the store logs the migration.
    for chatty in ("httpx", "httpcore", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


class CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to sys.stderr as it is when a record is emitted, not as it was at set-up: whoever
    swaps it (a test's capture, a tool embedding the bot) must not leave a handler writing to a
    closed stream from the server's threads."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        """StreamHandler's own set-up assigns a stream; the current one is always used."""


def _drop_client_and_token_notice(record: logging.LogRecord) -> bool:
    # Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns, on every start,
    # that the client the bot passes (with its SLACK_API_URL) wins over it. It always does.
    return "token` will be unused" not in record.getMessage()


def _one_line_for_unreachable_slack(record: logging.LogRecord) -> bool:
    # slack_sdk's Socket Mode client retries a connection Slack refused and logs each attempt
    # with its traceback: a page of aiohttp internals every few seconds while Slack (or the
    # network) is down. The message names the error already; the bot says it is retrying.
    if record.exc_info and record.getMessage().startswith("Failed to connect (error: "):
        record.exc_info, record.exc_text = None, None
    return True
