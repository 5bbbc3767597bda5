"""What the bot sends after the sandbox stopped waiting for it (incident.io slow: progress first,
the form or the result later) is shown before the person's next step, never lost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import cli
from sandbox.prompt import QUIT_QUESTION, Prompt
from sandbox.session import Session
from sandbox.stack import SandboxStack
from tests.sandbox import test_prompt_keys
from tests.sandbox.test_prompt_keys import GENERAL, Interrupting, Keyboard, after

# The prompt tests' fixtures: a quick sandbox, and quick to settle.
_fast_and_quiet = test_prompt_keys._fast_and_quiet
stack = test_prompt_keys.stack

# The sandbox waits this long for the bot; incident.io answers later than that, but after the
# bot's own progress step (a loading modal at 1 s, "Working…" at once).
WAIT = 1.3
SLOW = 2.6
SLOW_WRITE = 4.0  # the submission's ack waits 1.8 s for the write, then the sandbox 1.3 s
STILL_WORKING = "(the bot is still working"


@pytest.fixture
def slow_catalog() -> Iterator[SandboxStack]:
    """A sandbox whose first catalog read (at start, which the first form waits for) is slow."""
    stack = SandboxStack(settings={"catalog_ttl_seconds": 60})
    stack.emulator.faults.latency(SLOW, route="GET /v1/severities", count=1)
    with stack:
        yield stack


def test_a_form_opened_late_is_shown_and_filled(slow_catalog: SandboxStack) -> None:
    lines: list[str] = []
    person = Session(slow_catalog, lines.append, timeout=WAIT)
    keyboard = Keyboard("declare Slow", "", "", "Major", "", "", "", "", "quit")

    assert Prompt(person, keyboard).loop() == 0

    out = "\n".join(lines)
    loading = after(out, "> /incident declare Slow")
    assert loading.index("Loading from incident.io") < loading.index(STILL_WORKING)
    # The form itself, as the bot made it once incident.io answered, before it is filled.
    form = after(loading, STILL_WORKING)
    assert form.index("Severity [severity] (select)") < form.index("Fill in the form")
    assert "  Severity (number or name) []: " in keyboard.prompts
    assert [i["name"] for i in slow_catalog.emulator.incidents] == ["Slow"]
    assert "╭─ Modal: Incident declared" in form


def test_a_result_sent_late_is_shown_before_the_next_command(stack: SandboxStack) -> None:
    lines: list[str] = []
    person = Session(stack, lines.append, timeout=WAIT)
    person.command("declare Slow write")
    person.fill("severity", "Major")
    stack.emulator.faults.latency(SLOW_WRITE, route="POST /v2/incidents", count=1)
    person.submit()
    assert "Working…" in "\n".join(lines)

    person.catch_up()

    out = after("\n".join(lines), "> (pressed [ Declare ])")
    assert out.index("Working…") < out.index("╭─ Modal: Incident declared")
    assert "INC-1" in after(out, "╭─ Modal: Incident declared")
    shown = len(lines)
    person.catch_up()  # nothing new: nothing shown twice
    assert len(lines) == shown


def test_a_script_fills_a_form_that_opened_late(
    slow_catalog: SandboxStack, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = [("say", "declare Slow"), ("fill", "severity=Major"), ("submit", None)]

    assert cli.run_script(Session(slow_catalog, timeout=WAIT), steps) == 0

    out = capsys.readouterr().out
    assert "Severity [severity] (select)" in after(out, STILL_WORKING)
    assert [i["name"] for i in slow_catalog.emulator.incidents] == ["Slow"]


def test_ctrl_c_while_the_form_is_printed_asks_then_shows_it_again(stack: SandboxStack) -> None:
    terminal = Interrupting("╭─ Modal: Declare incident")
    person = Session(stack, terminal, timeout=WAIT)
    keys = Keyboard("declare Second", "n", "", "", "Major", "", "", "", "", "quit")

    assert Prompt(person, keys).loop() == 0

    assert keys.prompts[:3] == [GENERAL, QUIT_QUESTION, "  Name [Second]: "]
    out = "\n".join(terminal.lines)
    assert out.index("Name [name] (text): Second") < out.index("Fill in the form")
    assert [i["name"] for i in stack.emulator.incidents] == ["Second"]
