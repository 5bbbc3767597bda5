"""The sandbox prompt: Ctrl-C and Ctrl-D never lose its incidents by accident, and `:channel`
types commands in an incident's own channel."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from bot.__main__ import main
from sandbox import cli, session
from sandbox.channels import find_channel, general
from sandbox.prompt import QUIT_QUESTION, Prompt
from sandbox.session import Session
from sandbox.stack import SandboxStack

# What a person presses at one question: text and Enter, or Ctrl-C / Ctrl-D (read() raises).
Key = str | type[BaseException]
GENERAL = "sandbox #general> "
INC_1 = "sandbox #inc-1> "
CANCELLED = "(form cancelled)"


@pytest.fixture(autouse=True)
def _fast_and_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "QUIET_SECONDS", 0.05)
    monkeypatch.setattr(cli, "setup_logging", lambda level: None)


@pytest.fixture
def stack() -> Iterator[SandboxStack]:
    with SandboxStack(settings={"catalog_ttl_seconds": 60}) as running:
        yield running


class Keyboard:
    """Plays `keys` to read() in order; records every question asked."""

    def __init__(self, *keys: Key) -> None:
        self.keys, self.prompts = list(keys), list[str]()

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.keys:
            raise AssertionError(f"asked {prompt!r} after the last key")
        key = self.keys.pop(0)
        if isinstance(key, str):
            return key
        raise key()


def run_prompt(stack: SandboxStack, *keys: Key) -> tuple[int, str, Keyboard, Session]:
    """The prompt, in a session that has already declared INC-1 "Checkout down"."""
    lines: list[str] = []
    person = Session(stack, lines.append)
    person.command("declare Checkout down")
    person.fill("severity", "Major")
    person.submit()
    keyboard = Keyboard(*keys)
    code = Prompt(person, keyboard).loop()
    return code, "\n".join(lines), keyboard, person


def after(out: str, marker: str) -> str:
    return out[out.index(marker) :]


# -- Ctrl-C and Ctrl-D in a form --------------------------------------------------------------

NAME_FIELD = ["/incident declare Second"]  # the key comes at the form's first field
PRESS_QUESTION = ["/incident declare Second", "", "", "", "", "", ""]  # at "Press [ Declare ]?"


@pytest.mark.parametrize("key", [KeyboardInterrupt, EOFError], ids=["ctrl-c", "ctrl-d"])
@pytest.mark.parametrize("before", [NAME_FIELD, PRESS_QUESTION], ids=["field", "press"])
def test_a_key_in_a_form_cancels_the_form_only(
    stack: SandboxStack, key: type[BaseException], before: list[str]
) -> None:
    code, out, keyboard, person = run_prompt(stack, *before, key, "/incident list", "quit")

    assert code == 0
    assert "╭─ Modal: Declare incident" in after(out, "> /incident declare Second")
    # The form went as its close button would make it go, and the prompt came back.
    assert CANCELLED in out
    assert person.modal_id is None and not person.form_open
    asked = keyboard.prompts[len(before)]
    assert asked.startswith(("  Name [Second]", "Press [ Declare ]?"))
    assert keyboard.prompts[len(before) + 1] == GENERAL
    # The sandbox, and the incident declared before, are still there.
    listed = after(out, "> /incident list")
    assert "== 1 open incident ==" in listed
    assert "Checkout down" in listed
    assert [i["name"] for i in stack.emulator.incidents] == ["Checkout down"]
    assert QUIT_QUESTION not in keyboard.prompts


# -- Ctrl-C and Ctrl-D at the prompt ----------------------------------------------------------


def cli_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.configure_parser(parser)
    return parser.parse_args(list(argv))


def test_ctrl_c_at_the_prompt_asks_and_n_stays_y_quits(
    capsys: pytest.CaptureFixture[str],
) -> None:
    declare = ["/incident declare Disk full", "", "", "Major", "", "", "", ""]
    keyboard = Keyboard(
        *declare,
        KeyboardInterrupt,
        "n",  # stay
        "/incident list",
        KeyboardInterrupt,
        "y",  # quit
    )

    code = cli.run(cli_args(), read=keyboard)

    out = capsys.readouterr().out
    assert code == 0
    assert keyboard.prompts.count(QUIT_QUESTION) == 2
    assert keyboard.keys == []  # it asked for every key, and no more
    # After "n", the prompt came back and the incident was still there.
    assert keyboard.prompts[keyboard.prompts.index(QUIT_QUESTION) + 1] == GENERAL
    assert "== 1 open incident ==" in after(out, "> /incident list")
    assert out.rstrip().endswith("Bye. The sandbox's incidents are gone with it.")


@pytest.mark.parametrize(
    ("answer", "quits"),
    [
        ("y", True),
        ("YES", True),
        (KeyboardInterrupt, False),  # a second Ctrl-C, however soon: no answer, so stay
        (EOFError, True),  # no more input to ask
        ("", False),
        ("n", False),
        ("why?", False),  # anything but y/yes
    ],
)
def test_the_quit_question(stack: SandboxStack, answer: Key, quits: bool) -> None:
    then: list[Key] = [] if quits else [":state", "quit"]

    code, out, keyboard, _ = run_prompt(stack, KeyboardInterrupt, answer, *then)

    assert code == 0
    assert keyboard.prompts == [GENERAL, QUIT_QUESTION] + ([] if quits else [GENERAL, GENERAL])
    assert ("The emulator holds 1 incident(s)" in out) is not quits


class Interrupting:
    """A terminal where Ctrl-C lands while `when` is being written (the signal arrives outside
    any read: the bot is working, a form or the quit question is being printed)."""

    def __init__(self, when: str, times: int = 1) -> None:
        self.when, self.times, self.lines = when, times, list[str]()

    def __call__(self, line: str) -> None:
        if self.times and (line == self.when or (self.when and line.startswith(self.when))):
            self.times -= 1
            raise KeyboardInterrupt
        self.lines.append(line)


def interrupted_prompt(
    stack: SandboxStack, terminal: Interrupting, *keys: Key
) -> tuple[int, Keyboard, Session]:
    person = Session(stack, terminal)
    keyboard = Keyboard(*keys)
    try:
        code = Prompt(person, keyboard).loop()
    except KeyboardInterrupt:
        pytest.fail(
            f"Ctrl-C got out of the prompt (it quits the sandbox); asked {keyboard.prompts}"
        )
    return code, keyboard, person


def test_a_second_ctrl_c_before_the_quit_question_shows_asks_again(stack: SandboxStack) -> None:
    # The second signal of a double press lands while the question's newline is printed.
    terminal = Interrupting("", times=1)

    code, keyboard, _ = interrupted_prompt(stack, terminal, KeyboardInterrupt, "n", "quit")

    assert code == 0
    assert keyboard.prompts == [GENERAL, QUIT_QUESTION, GENERAL]


def test_ctrl_c_while_the_bot_works_asks_before_quitting(stack: SandboxStack) -> None:
    terminal = Interrupting("> /incident list")

    code, keyboard, _ = interrupted_prompt(stack, terminal, "/incident list", "", "quit")

    assert code == 0
    assert keyboard.prompts == [GENERAL, QUIT_QUESTION, GENERAL]


def test_ctrl_c_while_a_form_is_shown_cancels_the_form(stack: SandboxStack) -> None:
    terminal = Interrupting("Fill in the form")

    code, keyboard, person = interrupted_prompt(stack, terminal, "declare Second", "quit")

    assert code == 0
    assert keyboard.prompts == [GENERAL, GENERAL]  # no quit question
    assert CANCELLED in terminal.lines
    assert person.modal_id is None


def test_ctrl_d_at_the_prompt_quits_without_asking(stack: SandboxStack) -> None:
    code, out, keyboard, _ = run_prompt(stack, EOFError)
    assert code == 0
    assert keyboard.prompts == [GENERAL]
    assert out.endswith("Bye. The sandbox's incidents are gone with it.")


def test_help_says_what_the_keys_and_channel_do(stack: SandboxStack) -> None:
    _, out, _, _ = run_prompt(stack, "help", "quit")
    assert "Ctrl-D (the end of input) stops too; Ctrl-C asks first" in out
    assert "Ctrl-C or Ctrl-D\ncancels the form only" in out
    assert ":channel INC-1" in out


# -- :channel ---------------------------------------------------------------------------------


def test_channel_inc_1_then_update_shares_on_inc_1_without_a_reference(
    stack: SandboxStack,
) -> None:
    code, out, keyboard, _ = run_prompt(
        stack, ":channel INC-1", "/incident update Rolled back", ":channel", "quit"
    )

    assert code == 0
    assert keyboard.prompts == [GENERAL, INC_1, INC_1, GENERAL]
    assert "> (now typing in #inc-1-checkout-down, C0INC1)" in out
    reply = after(out, "> /incident update Rolled back")
    assert "Update shared on *INC-1*." in reply
    assert "╭─ Modal" not in reply  # no picker: the channel said which incident
    incident = stack.emulator.incident("INC-1")
    assert incident["slack_channel_id"] == "C0INC1"
    [update] = stack.emulator.updates
    assert update["incident_id"] == incident["id"]
    assert "Rolled back" in update["message"]
    assert "> (now typing in #general, C0GENERAL)" in out


def test_the_same_update_in_general_asks_which_incident(stack: SandboxStack) -> None:
    # Without the channel, the text alone names no incident: that is what :channel is for.
    _, out, _, _ = run_prompt(stack, "/incident update Rolled back", KeyboardInterrupt, "quit")
    assert "╭─ Modal: Update incident" in after(out, "> /incident update Rolled back")
    assert stack.emulator.updates == []


def test_channel_of_an_unknown_incident_says_so_and_stays_put(stack: SandboxStack) -> None:
    _, out, keyboard, _ = run_prompt(
        stack, ":channel INC-99", ":channel inc-1", ":channel INC-99", "quit"
    )

    assert keyboard.prompts == [GENERAL, GENERAL, INC_1, INC_1]
    assert "! INC-99 is not an incident the emulator holds; still in #general" in out
    assert "! INC-99 is not an incident the emulator holds; still in #inc-1-checkout-down" in out


def test_message_shortcuts_are_taken_in_the_channel(stack: SandboxStack) -> None:
    _, out, _, _ = run_prompt(
        stack, ":channel 1", ":add-to it recovered", KeyboardInterrupt, "quit"
    )
    shown = after(out, '> (message shortcut "Add to incident" on: it recovered)')
    assert shown.startswith('> (message shortcut "Add to incident" on: it recovered)  (in #inc-1')
    # The bot knows which incident this channel is: it picks it already.
    assert "Incident [incident] (search): INC-1: Checkout down" in shown


def test_channel_works_in_a_script_too(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "sandbox",
            "--say", "declare Checkout down", "--fill", "severity=Major", "--submit",
            "--say", ":channel INC-1", "--say", "update Rolled back",
            "--say", ":channel general", "--say", "list",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "> /incident update Rolled back  (in #inc-1-checkout-down)" in out
    assert "Update shared on *INC-1*." in out
    assert "> /incident list\n" in out  # back in #general: the echo says nothing more


INCIDENTS = [
    {"reference": "INC-1", "slack_channel_id": "C0INC1", "slack_channel_name": "inc-1-db"},
    {"reference": "INC-12", "slack_channel_id": "C0INC12", "slack_channel_name": "inc-12"},
    {"reference": "INC-3", "slack_channel_id": ""},  # retrospective: no channel
]


@pytest.mark.parametrize(
    ("wanted", "channel_id"),
    [
        ("INC-1", "C0INC1"),
        ("inc-12", "C0INC12"),
        ("1", "C0INC1"),
        ("#inc-1-db", "C0INC1"),
        ("C0INC12", "C0INC12"),
        ("", "C0GENERAL"),
        ("general", "C0GENERAL"),
        ("#general", "C0GENERAL"),
    ],
)
def test_find_channel(wanted: str, channel_id: str) -> None:
    assert find_channel(INCIDENTS, wanted, general("C0GENERAL")).id == channel_id


@pytest.mark.parametrize(
    ("wanted", "message"),
    [("INC-3", "INC-3 has no Slack channel"), ("INC-2", "INC-2 is not an incident")],
)
def test_find_channel_refuses(wanted: str, message: str) -> None:
    with pytest.raises(LookupError, match=message):
        find_channel(INCIDENTS, wanted, general("C0GENERAL"))
