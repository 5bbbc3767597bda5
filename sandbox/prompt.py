"""The sandbox's interactive prompt: type `/incident …`, then fill the modals it opens."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from sandbox.answers import SessionError
from sandbox.live import LiveOutput
from sandbox.render import InputField, option_lines
from sandbox.session import Session

QUIT_QUESTION = "Quit the sandbox? Its incidents are lost. [y/N] "
HELP = """\
Type what you would type in Slack (the "/incident" is optional):
  /incident help                    the bot's own help
  /incident declare Checkout down   opens the declare form, which you then fill here
  /incident list | show INC-1 | update INC-1 <text> | escalate INC-1 | resolve INC-1
Sandbox actions:
  :declare-from <text>   the "Declare incident" message shortcut on a message saying <text>
                         (no text: on the last shortcut's message again, as a second click)
  :add-to <text>         the "Add to incident" message shortcut on a message saying <text>
  :declare               the global "Declare incident" shortcut
  :channel INC-1         type what follows in INC-1's Slack channel, where a command needs no
                         reference (the prompt shows the channel); ":channel": back to #general
  :outside <change>      change an incident as incident.io's dashboard would, e.g.
                         ":outside INC-1 status=Monitoring" (name, summary, severity, status):
                         its webhook brings the change to the card
  :press <label>         press a button on the last message that has it, e.g.
                         ":press Snooze 30 min" under a reminder, ":press Update" on a card
  :wait <seconds>        wait, showing what the bot sends meanwhile (what arrives while the
                         prompt waits is shown as it comes: a reminder, a late result)
  state                  the incidents the emulator holds
  help                   this text
  quit                   stop; Ctrl-D (the end of input) stops too; Ctrl-C asks first
                         (y quits; anything else, another Ctrl-C too, stays)
In a form: Enter keeps the value shown; a number or a name picks an option (checkboxes:
comma-separated, "none" for none); "\\n" in a text starts a new line. Ctrl-C or Ctrl-D
cancels the form only: the sandbox and its incidents stay."""


class _FormCancelled(Exception):
    """Ctrl-C or Ctrl-D while a form was asking."""


class Prompt:
    """Reads lines with `read` (input() by default) until quit or end of input; with `live`,
    what the bot sends while it waits is shown as it arrives."""

    def __init__(
        self, session: Session, read: Callable[[str], str], live: LiveOutput | None = None
    ) -> None:
        self.session, self.read, self.live = session, read, live

    @property
    def prompt(self) -> str:
        return f"sandbox #{self.session.channel.short}> "

    def loop(self) -> int:
        self.session.write('Type "help" for what you can do here, "quit" to stop.')
        # Only "quit", "y" at the question, or the end of input stop the sandbox. A Ctrl-C can
        # land anywhere, also while the bot works, while the question is printed, or as the
        # second signal of one press: each is caught here and only ever asks.
        asking = False
        while True:
            try:
                if asking:
                    asking = False
                    if self.quit_confirmed():
                        break
                elif not self.step():
                    break
            except EOFError:
                # Ctrl-D, or stdin closed: nothing more will come, so stop.
                self.session.write("")
                break
            except KeyboardInterrupt:
                asking = True
        self.session.write("Bye. The sandbox's incidents are gone with it.")
        return 0

    def step(self) -> bool:
        """Fill the open form, or read and run one line; False to quit."""
        self.session.catch_up()  # a form or a result the bot sent after the last wait ended
        if self.session.form_open:
            self.form()
            return True
        waiting = self.live.reading(self.prompt) if self.live else contextlib.nullcontext()
        with waiting:
            line = self.read(self.prompt).strip()
        if line.lower() in ("quit", "exit", ":quit"):
            return False
        self.line(line)
        return True

    def quit_confirmed(self) -> bool:
        """y quits; anything else, another Ctrl-C too, stays. EOFError (no more input) is the
        caller's: it stops."""
        self.session.write("")  # Ctrl-C left the cursor after the prompt
        try:
            answer = self.read(QUIT_QUESTION)
        except KeyboardInterrupt:
            self.session.write("")
            answer = ""
        return answer.strip().lower() in ("y", "yes")

    def line(self, line: str) -> None:
        from sandbox import actions
        from sandbox.cli import run_action

        lowered = line.lower()
        try:
            if not line:
                return
            if lowered in ("help", "?", ":help"):
                self.session.write(HELP)
            elif lowered in ("state", ":state"):
                actions.state(self.session)
            elif line.startswith(":"):
                if not run_action(self.session, line):
                    self.session.write(f'{line.split()[0]!r} is not a sandbox action; try "help".')
            else:
                self.session.command(line)
        except SessionError as error:
            self.session.write(f"! {error}")

    def form(self) -> None:
        """Fill the open modal field by field, then submit it or cancel it."""
        try:
            # Ctrl-C while the form is printed or asks is a cancel, as Ctrl-C and Ctrl-D at a
            # question are.
            press = self.fill_and_choose()
        except (_FormCancelled, KeyboardInterrupt):
            self.session.write("")  # Ctrl-C and Ctrl-D leave the cursor after the question
            self.session.cancel(said="(form cancelled)")
            return
        # Not a cancel from here: once submitted, the bot may already have acted on it.
        if press is True:
            self.session.submit()
        elif press is False:
            self.session.cancel()

    def ask_in_form(self, question: str) -> str:
        try:
            return self.read(question)
        except (EOFError, KeyboardInterrupt):
            raise _FormCancelled from None

    def fill_and_choose(self) -> bool | None:
        """Ask every field, then whether to press submit: True submit, False cancel, None
        edit again (the loop around form() asks again)."""
        session = self.session
        session.write("Fill in the form (Enter keeps the value shown):")
        for item in session.fields():
            self.ask(item)
        view = session.view() or {}
        label = (view.get("submit") or {}).get("text", "Submit")
        while True:
            choice = self.ask_in_form(
                f"Press [ {label} ]? (Enter/y: yes, e: edit again, c: cancel) "
            )
            choice = choice.strip().lower()
            if choice in ("", "y", "yes"):
                return True
            if choice in ("c", "cancel", "n", "no"):
                return False
            if choice in ("e", "edit"):
                return None

    def ask(self, item: InputField) -> None:
        if item.kind == "external_select":
            options = self.session.options(item)
            self.session.write(f"  {item.label} (type a number or search text):")
            for line in option_lines(options, item.chosen) or ["  (no options)"]:
                self.session.write("    " + line)
        while True:
            shown = (item.value or "").replace("\n", "\\n")
            answer = self.ask_in_form(f"  {item.label}{_how(item)} [{shown}]: ")
            if not answer.strip():
                return
            try:
                self.session.fill(item.block_id, answer)
                return
            except SessionError as error:
                self.session.write(f"  ! {error}")


def _how(item: InputField) -> str:
    if item.kind in ("checkboxes", "multi_static_select"):
        return " (numbers or names, comma-separated)"
    if item.kind == "multi_users_select":
        return " (Slack user IDs, comma-separated)"
    if item.has_options:
        return " (number or name)"
    return ""
