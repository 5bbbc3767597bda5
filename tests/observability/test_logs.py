"""The log formatters: JSON lines for machines, text with extras for people."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from datetime import datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.observability.logs import (
    SLACK_CLIENT_LOGGERS,
    JsonFormatter,
    TextFormatter,
    setup_logging,
)


def record(message: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    return logging.getLogger("bot.test").makeRecord(
        "bot.test", logging.WARNING, __file__, 1, message, args or ("world",), None, extra=extra
    )


def test_json_line_has_the_standard_fields_and_the_extras() -> None:
    line = JsonFormatter().format(
        record(verb="declare", user="U1", api_calls=["POST /v2/incidents 201 12ms"], skipped=None)
    )
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "hello world"
    assert data["level"] == "warning" and data["logger"] == "bot.test"
    assert datetime.fromisoformat(data["time"]).tzinfo is not None
    assert data["verb"] == "declare" and data["user"] == "U1"
    assert data["api_calls"] == ["POST /v2/incidents 201 12ms"]
    assert "skipped" not in data  # None extras are left out
    # Nothing of LogRecord's own bookkeeping leaks in as an "extra".
    assert not {"args", "msg", "levelno", "pathname", "lineno", "exc_info", "taskName"} & set(data)


def test_json_line_stays_one_line_for_multiline_messages_and_exceptions() -> None:
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        made = logging.getLogger("bot.test").makeRecord(
            "bot.test", logging.ERROR, __file__, 1, "line one\nline two", (), sys.exc_info()
        )
    line = JsonFormatter().format(made)
    assert line.count("\n") == 0
    data = json.loads(line)
    assert data["message"] == "line one\nline two"
    assert "ValueError: bad" in data["exception"] and "Traceback" in data["exception"]


def test_json_line_survives_values_json_cannot_encode() -> None:
    data = json.loads(JsonFormatter().format(record(when=datetime(2024, 1, 2), obj=object())))
    assert data["when"].startswith("2024-01-02") and data["obj"].startswith("<object")


def test_text_line_is_readable_and_carries_the_extras() -> None:
    line = TextFormatter().format(record(verb="update", outcome="ok"))
    assert "WARNING" in line and "bot.test: hello world" in line
    assert json.loads(line.split("  ", 1)[1]) == {"verb": "update", "outcome": "ok"}


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    names = ("httpx", "slack_sdk", "slack_bolt", *SLACK_CLIENT_LOGGERS)
    noisy = {n: logging.getLogger(n).level for n in names}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in noisy.items():
        logging.getLogger(name).setLevel(old)


def test_setup_logging_writes_one_json_object_per_line(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    setup_logging("DEBUG", "json")
    logging.getLogger("bot.x").debug("first", extra={"request_id": "r-1"})
    logging.getLogger("bot.x").info("second\nline")
    # Third-party debug output can carry request headers: capped at INFO even at DEBUG.
    logging.getLogger("httpx").debug("headers: Authorization: Bearer x")
    logging.getLogger("slack_sdk").debug("headers")
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["first", "second\nline"]
    assert json.loads(lines[0])["request_id"] == "r-1"
    # httpx's INFO line per request is noise next to the interaction line: WARNING and up only.
    assert logging.getLogger("httpx").level == logging.WARNING


def test_slack_clients_do_not_format_debug_lines_nobody_logs(restore_logging: None) -> None:
    # slack_sdk builds its per-request debug line when its client logger's *own* level is at or
    # below DEBUG (an unset level, 0, counts): a cost on every Web API call (bench/PROFILE.md).
    setup_logging("DEBUG", "json")
    for client in (AsyncWebClient(token="xoxb-test"), WebClient(token="xoxb-test")):
        assert client.logger.level > logging.DEBUG, client.logger.name


def test_setup_logging_text_format(restore_logging: None, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    setup_logging("INFO", "text")
    logging.getLogger("bot.x").info("hi", extra={"verb": "list"})
    logging.getLogger("bot.x").debug("hidden")
    [line] = stream.getvalue().splitlines()
    assert "INFO" in line and "bot.x: hi" in line and '"verb": "list"' in line


def test_uvicorns_colour_codes_stay_out_of_json_lines(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    setup_logging("INFO", "json")
    # uvicorn adds this extra to its records (its own logger's level is uvicorn's to set).
    logging.getLogger("bot.x").info("Started", extra={"color_message": "\x1b[32mStarted\x1b[0m"})
    [line] = stream.getvalue().splitlines()
    assert "color_message" not in json.loads(line) and "\\u001b" not in line


def test_bolts_client_and_token_notice_is_not_logged(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    setup_logging("INFO", "json")
    logging.getLogger("slack_bolt.AsyncApp").warning(
        "As you gave `client` as well, `token` will be unused."
    )
    logging.getLogger("slack_bolt.AsyncApp").warning("something else")
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == [
        "something else"
    ]


def test_slack_unreachable_in_socket_mode_is_one_line_not_a_traceback(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    setup_logging("INFO", "json")
    logger = logging.getLogger("slack_bolt.AsyncApp")  # the logger Bolt gives slack_sdk's client
    for message in (
        "Failed to connect (error: Cannot connect to host 127.0.0.1:1); Retrying...",
        "something else broke",
    ):
        try:
            raise OSError("Connect call failed")
        except OSError:
            logger.exception(message)  # as slack_sdk's Socket Mode client logs each retry
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"].startswith("Failed to connect") and "exception" not in first
    assert "Connect call failed" in second["exception"]  # other tracebacks are kept
