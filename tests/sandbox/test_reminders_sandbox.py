"""`incident-bot sandbox --remind-after MINUTES`: a declared incident's update reminder shows in
the terminal once the minutes pass without an update: at the prompt while it waits for a line,
in a script after `:wait`; `:press` clicks its buttons as Slack would."""

from __future__ import annotations

import argparse
import dataclasses
import io
import threading
from collections.abc import Iterator

import pytest

from sandbox import cli, session
from sandbox.live import LiveOutput
from sandbox.prompt import Prompt
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


def declared(stack: SandboxStack, lines: list[str]) -> session.Session:
    person = session.Session(stack, lines.append)
    person.command("declare Checkout down")
    person.fill("severity", "Major")
    person.submit()
    return person


@pytest.mark.parametrize(
    ("terminal", "before", "after"),
    [
        # The half-typed line cleared first, then the prompt and what was typed drawn again.
        (True, "\r\x1b[K", "sandbox #general> /incident li"),
        # Input from a pipe: the news on a line of its own, then the prompt.
        (False, "\n", "sandbox #general> "),
    ],
)
def test_a_reminder_shows_at_the_prompt_while_it_waits_for_a_line(
    reminding: SandboxStack, terminal: bool, before: str, after: str
) -> None:
    lines: list[str] = []
    person = declared(reminding, lines)
    screen = io.StringIO()
    shown = threading.Event()

    def read(prompt: str) -> str:
        # A person who types nothing: the reminder must come while this waits, not after.
        if prompt.startswith("sandbox"):
            if not shown.wait(10.0):
                raise AssertionError("no reminder shown within 10 s while the prompt waited")
            return "quit"
        return ""

    class Screen(io.StringIO):
        def write(self, text: str) -> int:
            if REMINDED in text:
                shown.set()
            return screen.write(text)

    live = LiveOutput(person, Screen(), terminal=terminal, typed=lambda: "/incident li")
    assert Prompt(person, read, live).loop() == 0
    out = screen.getvalue()
    assert out.startswith(before) and out.endswith(after)
    assert "Reply in the message's thread" in out and "[ Snooze 30 min ]" in out
    assert REMINDED not in "\n".join(lines)  # shown once: live, not again after the line


def test_a_script_waits_for_the_reminder_and_presses_its_snooze(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = SandboxStack

    def stack(**kwargs: object) -> SandboxStack:
        due = kwargs.pop("reminders")
        assert due is not None
        return real(reminders=dataclasses.replace(due, check_seconds=0.1), **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("sandbox.stack.SandboxStack", stack)
    script = parsed(
        "--remind-after", "0.01",
        "--say", "declare Checkout down", "--fill", "severity=Major", "--submit",
        "--say", ":wait 3",
        "--say", ":press snooze 30",
    )  # fmt: skip
    code = cli.run(script)
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    waited = out[out.index("> (waiting 3 s)") :]
    pressed = waited[waited.index("> (pressed [ Snooze 30 min ] on the message ") :]
    assert REMINDED in waited[: len(waited) - len(pressed)]  # shown during the wait
    assert "@U0ALICE snoozed the update reminders of *INC-1* for 30 min." in pressed


def test_press_says_what_it_cannot_find(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.run(parsed("--say", ":press Snooze"))
    assert code == 1
    assert "no message in a channel has a button 'Snooze'" in capsys.readouterr().err
    code = cli.run(parsed("--say", ":wait soon"))
    assert code == 1 and '":wait" wants seconds' in capsys.readouterr().err
