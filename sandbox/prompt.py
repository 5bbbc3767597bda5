"""The sandbox's interactive prompt: type `/incident …`, then fill the modals it opens."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.render import InputField, option_lines
from sandbox.session import Session, SessionError

PROMPT = "sandbox> "
HELP = """\
Type what you would type in Slack (the "/incident" is optional):
  /incident help                    the bot's own help
  /incident declare Checkout down   opens the declare form, which you then fill here
  /incident list | show INC-1 | update INC-1 <text> | escalate INC-1 | resolve INC-1
Sandbox actions:
  :declare-from <text>   the "Declare incident" message shortcut on a message saying <text>
  :add-to <text>         the "Add to incident" message shortcut on a message saying <text>
  :declare               the global "Declare incident" shortcut
  state                  the incidents the emulator holds
  help                   this text
  quit                   stop (Ctrl-D too)
In a form: Enter keeps the value shown; a number or a name picks an option (checkboxes:
comma-separated, "none" for none); "\\n" in a text starts a new line."""


class Prompt:
    """Reads lines with `read` (input() by default) until quit or end of input."""

    def __init__(self, session: Session, read: Callable[[str], str]) -> None:
        self.session, self.read = session, read

    def loop(self) -> int:
        self.session.write('Type "help" for what you can do here, "quit" to stop.')
        try:
            while True:
                line = self.read(PROMPT).strip()
                if line.lower() in ("quit", "exit", ":quit"):
                    break
                self.line(line)
                while self.session.form_open:
                    self.form()
        except (EOFError, KeyboardInterrupt):
            # Ctrl-D (or stdin closed) and Ctrl-C both mean "I am done".
            self.session.write("")
        self.session.write("Bye. The sandbox's incidents are gone with it.")
        return 0

    def line(self, line: str) -> None:
        from sandbox.cli import run_action

        lowered = line.lower()
        try:
            if not line:
                return
            if lowered in ("help", "?", ":help"):
                self.session.write(HELP)
            elif lowered in ("state", ":state"):
                self.session.state()
            elif line.startswith(":"):
                if not run_action(self.session, line):
                    self.session.write(f'{line.split()[0]!r} is not a sandbox action; try "help".')
            else:
                self.session.command(line)
        except SessionError as error:
            self.session.write(f"! {error}")

    def form(self) -> None:
        """Fill the open modal field by field, then submit it or cancel it."""
        session = self.session
        session.write("Fill in the form (Enter keeps the value shown):")
        for item in session.fields():
            self.ask(item)
        view = session.view() or {}
        label = (view.get("submit") or {}).get("text", "Submit")
        while True:
            choice = self.read(f"Press [ {label} ]? (Enter/y: yes, e: edit again, c: cancel) ")
            choice = choice.strip().lower()
            if choice in ("", "y", "yes"):
                session.submit()
                return
            if choice in ("c", "cancel", "n", "no"):
                session.cancel()
                return
            if choice in ("e", "edit"):
                return  # the loop around form() asks again

    def ask(self, item: InputField) -> None:
        if item.kind == "external_select":
            options = self.session.options(item)
            self.session.write(f"  {item.label} (type a number or search text):")
            for line in option_lines(options, item.chosen) or ["  (no options)"]:
                self.session.write("    " + line)
        while True:
            shown = (item.value or "").replace("\n", "\\n")
            answer = self.read(f"  {item.label}{_how(item)} [{shown}]: ")
            if not answer.strip():
                return
            try:
                self.session.fill(item.block_id, answer)
                return
            except SessionError as error:
                self.session.write(f"  ! {error}")


def _how(item: InputField) -> str:
    if item.kind == "checkboxes":
        return " (numbers or names, comma-separated)"
    if item.has_options:
        return " (number or name)"
    return ""
