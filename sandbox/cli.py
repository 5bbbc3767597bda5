"""`incident-bot sandbox`: try the bot with no account and no internet.

It starts the incident.io emulator, a fake Slack and the bot (HTTP mode) on 127.0.0.1 and lets
you talk to the bot as Slack would: from a prompt, or non-interactively with --say/--fill/--submit.
With --real-slack it runs the bot in your real Slack workspace against the emulator instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.reminders.schedule import ReminderSettings
    from sandbox.session import Session
    from sandbox.stack import SandboxStack

Read = Callable[[str], str]
Step = tuple[str, str | None]

EPILOG = """\
script (non-interactive; steps run in the order given, then the sandbox exits):
  --say TEXT        send "/incident TEXT" (the "/incident " is optional) and print the answer.
                    TEXT starting with ":" is a sandbox action instead:
                      :declare-from TEXT  the "Declare incident" message shortcut on a message
                                          (no TEXT: on the last shortcut's message again)
                      :add-to TEXT        the "Add to incident" message shortcut on a message
                      :declare            the global "Declare incident" shortcut
                      :state              print the incidents the emulator holds
                      :outside INC-1 FIELD=VALUE  change INC-1 as incident.io's dashboard
                                          would (name, summary, severity, status): its
                                          webhook reaches the bot, which updates the card
                      :channel INC-1      type the next steps in INC-1's Slack channel (where
                                          a command needs no reference); ":channel" alone:
                                          back to #general
                      :press LABEL        press the button LABEL on the last message that has
                                          one (a reminder's "Snooze 30 min", a card's "Update")
                      :wait SECONDS       wait, showing what the bot sends meanwhile (with
                                          --remind-after: its reminders)
  --fill FIELD=VALUE  set an input of the modal opened last. FIELD is its block id or label
                    (e.g. severity, "New status"); VALUE is text, or an option's label, value
                    or number (checkboxes: comma-separated). "\\n" in text starts a new line.
  --submit          press the modal's submit button with what was filled in.
  --cancel          press the modal's close button.

examples:
  incident-bot sandbox --say "/incident help"
  incident-bot sandbox --say "declare Checkout down" --fill severity=Major --submit \\
      --say "update INC-1 Rolled back the deploy" --say list --say "show INC-1"
  incident-bot sandbox --remind-after 0.5 --say "declare Checkout down" --fill severity=Major \\
      --submit --say ":wait 35" --say ":press Snooze 30 min"

Without steps it opens a prompt; type "help" there. Exit status: 0, or 1 when a step could not
run or the bot did something Slack would reject.
"""


class _StepAction(argparse.Action):
    """Appends (kind, value) to the shared `steps` list, so --say/--fill/--submit keep order."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        steps: list[Step] = list(getattr(namespace, self.dest, None) or [])
        steps.append((str(self.const), values if isinstance(values, str) else None))
        setattr(namespace, self.dest, steps)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """The `sandbox` sub-command's options (bot/__main__.py builds the parser)."""
    parser.description = __doc__
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    steps = (
        ("--say", "TEXT", "send /incident TEXT"),
        ("--fill", "FIELD=VALUE", "fill an input of the open modal"),
        ("--submit", None, "submit the open modal"),
        ("--cancel", None, "close the open modal"),
    )
    for flag, metavar, text in steps:
        parser.add_argument(
            flag,
            action=_StepAction,
            dest="steps",
            const=flag.removeprefix("--"),
            metavar=metavar,
            nargs=None if metavar else 0,
            help=text,
        )
    parser.add_argument("--port", type=int, default=0, help="port for the bot (default: any)")
    parser.add_argument(
        "--emulator-port", type=int, default=0, help="port for the emulator (default: any)"
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="the bot's log level, on stderr (default: WARNING)",
    )
    parser.add_argument(
        "--custom-fields",
        action="store_true",
        help="give the organisation a few custom fields (one required at declaration)",
    )
    parser.add_argument(
        "--remind-after",
        type=_remind_after,
        metavar="MINUTES",
        help="update reminders after MINUTES without an update (0.5 is 30 s; REMINDER_MINUTES "
        "takes no less than 1), checked each second",
    )
    parser.add_argument(
        "--real-slack",
        action="store_true",
        help="run the bot in your Slack workspace (SLACK_* variables) against the emulator",
    )


def setup_logging(level: str) -> None:
    from bot.observability.logs import setup_logging as setup

    setup(level, "text")


def run(args: argparse.Namespace, *, read: Read = input) -> int:
    from sandbox.serving import PortTaken

    try:
        return _run(args, read)
    except PortTaken as error:
        print(
            f"incident-bot sandbox: {error.strerror}: stop what holds it, or pick another "
            "with --port / --emulator-port (leave them out for any free port).",
            file=sys.stderr,
        )
        return 2


def _run(args: argparse.Namespace, read: Read) -> int:
    setup_logging(args.log_level)
    steps: list[Step] = args.steps or []
    if args.real_slack:
        if steps:
            print("--real-slack takes no --say/--fill/--submit steps.", file=sys.stderr)
            return 2
        return run_real_slack(args.port, args.emulator_port)
    from sandbox.session import Session
    from sandbox.stack import SandboxStack

    try:
        ports = {"bot_port": args.port, "emulator_port": args.emulator_port}
        due = reminders(args.remind_after)
        with SandboxStack(**ports, custom_fields=args.custom_fields, reminders=due) as stack:
            print(banner(stack), flush=True)
            session = Session(stack)
            if steps:
                return run_script(session, steps)
            return run_prompt(session, read)
    except KeyboardInterrupt:
        return 130


# --remind-after's floor: 0.6 s. Seconds show a reminder without a wait; REMINDER_MINUTES, read
# by the real bot, takes no less than a minute.
SHORTEST_MINUTES = 0.01


def _remind_after(text: str) -> float:
    from bot.reminders.schedule import BadSchedule, Schedule

    try:
        Schedule.parse(f"*:{text}", shortest=SHORTEST_MINUTES)
    except BadSchedule as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix(f"'*:{text}': ")) from None
    return float(text)


def reminders(minutes: float | None) -> ReminderSettings | None:
    """What --remind-after turns on: every severity reminded after `minutes`, checked each
    second. Given to the bot as it is, not as REMINDER_MINUTES (whose floor is a minute)."""
    if minutes is None:
        return None
    from bot.reminders.schedule import ReminderSettings, Schedule

    schedule = Schedule.parse(f"*:{minutes:g}", shortest=SHORTEST_MINUTES)
    return ReminderSettings(schedule, check_seconds=1.0)


def banner(stack: SandboxStack) -> str:
    rule = "=" * 78
    return "\n".join(
        [
            rule,
            "  incident-bot SANDBOX: incidents here are NOT real.",
            "  Nothing reaches incident.io or Slack: everything below runs on this machine.",
            f"  incident.io emulator  {stack.emulator_url}  (state: /_emulator/state)",
            f"  fake Slack Web API    {stack.fake.api_url}",
            f"  bot, HTTP mode        {stack.events_url}",
            rule,
        ]
    )


def run_action(session: Session, text: str) -> bool:
    """A `:action` line (see EPILOG); False when it names no action."""
    from sandbox import actions as more

    name, _, rest = text.strip().partition(" ")
    rest = rest.strip()
    actions: dict[str, Callable[[], None]] = {
        ":declare-from": lambda: session.declare_from_message(rest),
        ":add-to": lambda: session.add_to_incident(rest),
        ":declare": session.declare_shortcut,
        ":state": lambda: more.state(session),
        ":outside": lambda: more.outside(session, rest),
        ":press": lambda: more.press(session, rest),
        ":wait": lambda: more.wait(session, rest),
        ":channel": lambda: session.switch_channel(rest),
        ":submit": session.submit,
        ":cancel": session.cancel,
    }
    action = actions.get(name.lower())
    if action is None:
        return False
    action()
    return True


def run_script(session: Session, steps: Sequence[Step]) -> int:
    from sandbox.answers import SessionError

    for kind, value in steps:
        try:
            session.catch_up()  # what the bot sent after the last step's wait ended
            if kind == "say" and value is not None:
                if value.strip().startswith(":"):
                    if not run_action(session, value):
                        raise SessionError(f"{value.split()[0]!r} is not a sandbox action")
                else:
                    session.command(value)
            elif kind == "fill" and value is not None:
                key, sep, answer = value.partition("=")
                if not sep:
                    raise SessionError(f"--fill wants FIELD=VALUE, not {value!r}")
                session.fill(key, answer)
                session.write(f"> (filled {key.strip()} = {answer})")
            elif kind == "submit":
                session.submit()
            elif kind == "cancel":
                session.cancel()
        except SessionError as error:
            print(f"! {error}", file=sys.stderr)
            return 1
    session.catch_up()
    return 1 if session.problems else 0


def run_prompt(session: Session, read: Read) -> int:
    from sandbox.live import LiveOutput
    from sandbox.prompt import Prompt

    return Prompt(session, read, LiveOutput(session)).loop()


def run_real_slack(port: int, emulator_port: int) -> int:
    """The real bot, in a real workspace (SLACK_* from the environment), on the emulator."""
    import asyncio

    from bot.app import build_app
    from bot.config import ConfigError, load_settings
    from bot.incidentio.client import IncidentIoClient
    from bot.server import serve_http, serve_socket
    from bot.store_api import MemoryStore
    from sandbox.emulator import create_emulator
    from sandbox.serving import BackgroundServer
    from sandbox.stack import API_KEY

    with BackgroundServer(create_emulator(api_key=API_KEY).app, port=emulator_port) as emulator:
        try:
            # Whatever the environment says about incident.io, this run only talks to the emulator.
            settings = load_settings(
                incidentio_api_key=API_KEY,
                incidentio_base_url=emulator.url,
                incidentio_sandbox=True,
            )
        except ConfigError as error:
            print(
                f"{error}\n--real-slack needs SLACK_BOT_TOKEN, and SLACK_APP_TOKEN (Socket Mode) "
                "or SLACK_SIGNING_SECRET (HTTP mode).",
                file=sys.stderr,
            )
            return 2
        token = settings.slack_app_token
        if token is None and settings.slack_signing_secret is None:
            print(
                "--real-slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET "
                "(HTTP mode).",
                file=sys.stderr,
            )
            return 2
        where = "Socket Mode" if token else f"HTTP on http://127.0.0.1:{port or 3000}/slack/events"
        rule = "=" * 78
        print(
            "\n".join(
                [
                    rule,
                    "  incident-bot SANDBOX in your real Slack workspace: incidents are NOT real.",
                    "  Every reply and modal says so; nothing reaches incident.io.",
                    f"  incident.io emulator  {emulator.url}  (state: /_emulator/state)",
                    f"  bot                   {where}  (Ctrl-C stops it)",
                    rule,
                ]
            ),
            flush=True,
        )
        # The emulator's incidents end with the process, so must the record of their cards.
        bot = build_app(settings, IncidentIoClient.from_settings(settings), store=MemoryStore())
        if token is not None:
            asyncio.run(serve_socket(bot, token.get_secret_value(), settings.health_port))
        else:
            serve_http(bot, "127.0.0.1", port or 3000)
    return 0
