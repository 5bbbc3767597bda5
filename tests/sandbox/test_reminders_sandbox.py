"""`incident-bot sandbox --remind-after MINUTES`: a declared incident's update reminder shows in
the terminal once the minutes pass without an update."""

from __future__ import annotations

import argparse
import time

import pytest

from sandbox import cli, session
from sandbox.stack import SandboxStack


def test_the_flag_turns_reminders_on_for_every_severity() -> None:
    parser = argparse.ArgumentParser()
    cli.configure_parser(parser)
    args = parser.parse_args(["--remind-after", "0.5"])
    assert cli.reminders(args.remind_after) == {
        "reminder_minutes": "*:0.5",
        "reminder_check_seconds": 1.0,
    }
    assert cli.reminders(parser.parse_args([]).remind_after) == {}


def test_a_reminder_shows_under_the_card(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "QUIET_SECONDS", 0.05)
    settings = {**cli.reminders(0.005), "reminder_check_seconds": 0.1}  # due after 0.3 s
    lines: list[str] = []
    with SandboxStack(settings=settings) as stack:
        person = session.Session(stack, lines.append)
        person.command("declare Checkout down")
        person.fill("severity", "Major")
        person.submit()
        deadline = time.monotonic() + 10.0
        while not any(":alarm_clock:" in str(c.args.get("text")) for c in stack.fake.calls):
            assert time.monotonic() < deadline, "no reminder within 10 s"
            time.sleep(0.05)
        person.catch_up()
    shown = "\n".join(lines)
    assert "has had no update for" in shown and "Snooze 30 min" in shown
