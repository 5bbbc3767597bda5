"""`incident-bot sandbox --remind-after MINUTES`: a declared incident's update reminder shows in
the terminal once the minutes pass without an update."""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Iterator

import pytest

from sandbox import cli, session
from sandbox.stack import SandboxStack

REMINDED = "has had no update for"


@pytest.fixture(autouse=True)
def _fast_and_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "QUIET_SECONDS", 0.05)
    monkeypatch.setattr(cli, "setup_logging", lambda level: None)


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.configure_parser(parser)
    return parser.parse_args(list(argv))


def test_the_flag_turns_reminders_on_for_every_severity_below_the_settings_floor() -> None:
    due = cli.reminders(parsed("--remind-after", "0.5").remind_after)
    assert due is not None and due.check_seconds == 1.0
    assert str(due.schedule) == "*:0.5"  # REMINDER_MINUTES takes no less than 1
    assert cli.reminders(parsed().remind_after) is None


@pytest.mark.parametrize("minutes", ["0", "-1", "soon", "0.001"])
def test_a_flag_it_cannot_use_is_refused_saying_why(
    minutes: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parsed("--remind-after", minutes)
    assert "argument --remind-after:" in capsys.readouterr().err


@pytest.fixture
def reminding() -> Iterator[SandboxStack]:
    """Reminders due 0.6 s after the last update, looked for every 0.1 s."""
    due = cli.reminders(0.01)
    assert due is not None
    with SandboxStack(reminders=dataclasses.replace(due, check_seconds=0.1)) as stack:
        yield stack


def test_a_reminder_shows_under_the_card(reminding: SandboxStack) -> None:
    lines: list[str] = []
    person = session.Session(reminding, lines.append)
    person.command("declare Checkout down")
    person.fill("severity", "Major")
    person.submit()
    deadline = time.monotonic() + 10.0
    while not any(":alarm_clock:" in str(c.args.get("text")) for c in reminding.fake.calls):
        assert time.monotonic() < deadline, "no reminder within 10 s"
        time.sleep(0.05)
    person.catch_up()
    shown = "\n".join(lines)
    assert REMINDED in shown and "Snooze 30 min" in shown
