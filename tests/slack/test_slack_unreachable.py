"""Slack's Web API unreachable while a signed request arrives: the ack is still given (never a
500), it says what happened where it can, and the log line names the interaction and the cause
(it said "unexpected error in None", with a traceback)."""

from __future__ import annotations

import functools
import logging
import socket
from collections.abc import Iterator

import pytest

from bot.app import Bot, build_app
from bot.ids import Modal, Shortcut
from sandbox.driver import SlackDriver
from tests.slack.conftest import SIGNING_SECRET, Harness, dispatch, make_settings

UNREACHABLE = "could not reach Slack"


@pytest.fixture
def dead_url() -> str:
    """A Slack Web API address where nothing listens (connection refused)."""
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/"


@pytest.fixture
def cut_off(h: Harness, dead_url: str) -> Iterator[SlackDriver]:
    """A freshly started bot (Bolt's auth.test not yet made) whose Slack cannot be reached; the
    person still reaches it, and Slack's response_url still reaches the fake."""
    bot: Bot = build_app(make_settings(dead_url), h.deps.incidents, store=h.deps.store)
    yield SlackDriver(h.fake, SIGNING_SECRET, functools.partial(dispatch, bot))


def failure_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.failures"]


def assert_logged_as_unreachable(caplog: pytest.LogCaptureFixture, where: str) -> None:
    [line] = failure_lines(caplog)
    assert line.getMessage().startswith(f"Slack unreachable in {where}: ")
    assert line.levelno == logging.WARNING and not line.exc_info
    assert "None" not in line.getMessage()


async def test_a_command_is_answered_in_its_ack_when_slack_cannot_be_reached(
    h: Harness, cut_off: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        ack = await cut_off.command("list")
        await h.settle()
    assert ack.status == 200
    assert ack.json()["response_type"] == "ephemeral"
    assert UNREACHABLE in ack.json()["text"]
    assert_logged_as_unreachable(caplog, "command list")


async def test_a_shortcut_is_acknowledged_when_slack_cannot_be_reached(
    h: Harness, cut_off: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        ack = await cut_off.global_shortcut(Shortcut.DECLARE_GLOBAL)
        await h.settle()
    assert ack.status == 200
    assert_logged_as_unreachable(caplog, f"shortcut {Shortcut.DECLARE_GLOBAL}")


async def test_a_submission_is_answered_in_its_modal_when_slack_cannot_be_reached(
    h: Harness, cut_off: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    await h.driver.command("declare Checkout down")
    await h.settle()
    form = h.driver.last_view()
    with caplog.at_level(logging.INFO):
        ack = await cut_off.submit(form["id"], {"severity": "Major"})
        await h.settle()
    assert ack.status == 200 and ack.json()["response_action"] == "update"
    assert UNREACHABLE in str(ack.json()["view"]["blocks"])
    assert_logged_as_unreachable(caplog, f"view_submission {Modal.DECLARE}")
    assert h.emulator.incidents == []


async def test_slack_lost_after_the_ack_is_said_in_words_without_a_traceback(
    h: Harness, dead_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    await h.driver.command("help")  # Bolt's auth.test made while Slack answered
    h.app.client.base_url = dead_url
    with caplog.at_level(logging.INFO):
        ack = await h.driver.command("declare Checkout down")
        await h.settle()
    assert ack.status == 200
    [told] = [c for c in h.fake.messages() if c.method == "response_url"]
    assert UNREACHABLE in told.args["text"]
    assert_logged_as_unreachable(caplog, "declare")
