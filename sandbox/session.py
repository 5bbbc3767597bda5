"""One person at a terminal, talking to the sandboxed bot: commands, shortcuts and modal forms.

Each interaction is sent over HTTP as Slack would send it; then the session waits for the bot's
background work to settle and prints everything the person would now see: the ack reply,
ephemeral or response_url messages, and the modals opened or changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from bot.ids import SLASH_COMMAND, Shortcut
from sandbox.answers import SessionError, command_text, person_id, pick_option
from sandbox.channels import Channel, find_channel, general
from sandbox.driver import SlackDriver, SlackResponse, state_for
from sandbox.fake_slack import MESSAGE_METHODS
from sandbox.render import (
    InputField,
    input_fields,
    render_errors,
    render_message,
    render_modal,
)
from sandbox.stack import SandboxStack

T = TypeVar("T")
# The bot is done when its background work is over and it has called neither Slack nor
# incident.io for this long (see SandboxStack.settle).
QUIET_SECONDS = 0.15
SETTLE_TIMEOUT = 5.0
Write = Callable[[str], None]
_VIEW_METHODS = frozenset({"views.open", "views.push", "views.update"})
_MESSAGE_TITLES = {
    "chat.postEphemeral": "Ephemeral message (only you can see this)",
    "response_url": "Reply (only you can see this)",
    "chat.postMessage": "Message in the channel",
    "chat.update": "Message edited",
}


class Session:
    """The sandbox's person: sends interactions and prints what Slack would show them."""

    def __init__(
        self,
        stack: SandboxStack,
        write: Write = print,
        *,
        quiet: float | None = None,
        timeout: float = SETTLE_TIMEOUT,
    ) -> None:
        self.stack, self.write = stack, write
        self.quiet = QUIET_SECONDS if quiet is None else quiet
        self.timeout = timeout
        self.modal_id: str | None = None
        self.general = general(self.driver.channel_id)
        self.channel = self.general  # where commands and message shortcuts are typed
        self._last_message: tuple[str, str, Channel] | None = None  # text, ts, where
        self.answers: dict[str, Any] = {}
        self.problems = 0  # non-200 answers and calls Slack would have rejected
        # What has been shown: the fake Slack's calls up to here, and the views it knew then.
        # The bot may call Slack after the session stopped waiting (incident.io slow); those
        # calls are shown by the next catch_up() or interaction.
        self._shown, self._known = len(stack.fake.calls), set(stack.fake.views)
        self.working = False  # the bot was still busy when the session last stopped waiting

    @property
    def driver(self) -> SlackDriver:
        return self.stack.driver

    # -- the open modal ----------------------------------------------------------------------

    def view(self) -> dict[str, Any] | None:
        return self.stack.fake.current_view(self.modal_id) if self.modal_id else None

    @property
    def form_open(self) -> bool:
        """A modal is open that has inputs and a submit button."""
        view = self.view()
        return bool(view and view.get("submit") and input_fields(view))

    def fields(self) -> list[InputField]:
        view = self.view()
        if view is None or not self.form_open:
            raise SessionError("no form is open: run a command that opens one first")
        return input_fields(view)

    def field(self, key: str) -> InputField:
        """An input by block id or label (case-insensitive; a unique prefix is enough)."""
        fields = self.fields()
        wanted = key.strip().lower()
        exact = [f for f in fields if wanted in (f.block_id.lower(), f.label.lower())]
        prefix = [f for f in fields if f.label.lower().startswith(wanted) and wanted]
        found = exact or prefix
        if len(found) != 1:
            names = ", ".join(f"{f.block_id} ({f.label})" for f in fields)
            raise SessionError(f"no single field {key!r} in this form; its fields: {names}")
        return found[0]

    def options(self, item: InputField, query: str = "") -> list[dict[str, Any]]:
        """The options of an input; for a search input, what the bot offers for `query`."""
        if item.kind != "external_select":
            return item.options
        assert self.modal_id is not None
        return self._run(self.driver.options(self.modal_id, item.action_id, query))

    def fill(self, key: str, value: str) -> None:
        """Type `value` into the input `key`, or pick the option it names."""
        item = self.field(key)
        if item.kind == "plain_text_input":
            # One terminal line holds one line; "\n" typed literally starts a new one.
            self.answers[item.block_id] = value.replace("\\n", "\n")
        elif item.kind in ("checkboxes", "multi_static_select"):
            wanted = [w for w in value.split(",") if w.strip() and w.strip().lower() != "none"]
            self.answers[item.block_id] = [
                str(pick_option(item.options, w)["value"]) for w in wanted
            ]
        elif item.kind == "multi_users_select":  # people by name or Slack ID, comma-separated
            self.answers[item.block_id] = [
                person_id(self.stack.fake.directory.users, u) for u in value.split(",") if u.strip()
            ]
        elif item.kind == "users_select":  # one person; "none" clears the picker
            none = value.strip().lower() in ("", "none")
            self.answers[item.block_id] = (
                "" if none else person_id(self.stack.fake.directory.users, value)
            )
        elif item.kind == "external_select":
            query = "" if value.strip().isdigit() else value.strip()
            self.answers[item.block_id] = pick_option(self.options(item, query), value)
        elif item.has_options:
            self.answers[item.block_id] = pick_option(item.options, value)
        else:
            raise SessionError(f"the sandbox cannot fill a {item.kind_name} input")
        self._show_answers()

    def _show_answers(self) -> None:
        view = self.view()
        if view is not None and self.modal_id is not None:
            self.stack.fake.set_view_state(self.modal_id, state_for(view, self.answers))

    # -- interactions ------------------------------------------------------------------------

    def switch_channel(self, wanted: str) -> None:
        """Type what follows in the channel of the incident `wanted` names; "" or "general":
        back in #general. An unknown incident leaves the channel as it was."""
        try:
            self.channel = find_channel(self.stack.emulator.incidents, wanted, self.general)
        except LookupError as error:
            raise SessionError(f"{error.args[0]}; still in #{self.channel.name}") from None
        self.write(f"> (now typing in #{self.channel.name}, {self.channel.id})")

    def command(self, text: str) -> None:
        """`/incident <text>` in the current channel."""
        body = command_text(text)
        self.write(f"> {SLASH_COMMAND} {body}".rstrip() + self.channel.aside)
        channel = self.channel
        self.interact(self.driver.command(body, channel_id=channel.id, channel_name=channel.name))

    def declare_from_message(self, text: str) -> None:
        self._message_shortcut(Shortcut.DECLARE_FROM_MESSAGE, "Declare incident", text)

    def add_to_incident(self, text: str) -> None:
        self._message_shortcut(Shortcut.ADD_TO_INCIDENT, "Add to incident", text)

    def _message_shortcut(self, shortcut: Shortcut, label: str, text: str) -> None:
        # No text: the same message as the last shortcut (its ts too), as a second click would.
        again = not text.strip() and self._last_message is not None
        if again and self._last_message is not None:
            text, ts, at = self._last_message
        else:
            ts, at = self.driver.fake.new_message_ts(), self.channel
        self._last_message = (text, ts, at)
        shown = f"the same message again: {text}" if again else text
        self.write(f'> (message shortcut "{label}" on: {shown}){at.aside}')
        send = self.driver.message_shortcut
        self.interact(
            send(shortcut.value, text, channel_id=at.id, channel_name=at.name, message_ts=ts)
        )

    def declare_shortcut(self) -> None:
        self.write('> (global shortcut "Declare incident")')
        self.interact(self.driver.global_shortcut(Shortcut.DECLARE_GLOBAL.value))

    def submit(self) -> None:
        """Press the open form's submit button with what was filled in."""
        view = self.view()
        if view is None or not self.form_open or self.modal_id is None:
            raise SessionError("no form is open to submit")
        label = (view.get("submit") or {}).get("text", "Submit")
        self.write(f"> (pressed [ {label} ])")
        modal_id, answers = self.modal_id, self.answers
        self.interact(self.driver.submit(modal_id, answers), submitted=(modal_id, view))

    def cancel(self, *, said: str | None = None) -> None:
        # As Slack's close button: the bot asks for no view_closed, so the bot is told nothing.
        view = self.view()
        if view is None or self.modal_id is None:
            raise SessionError("no modal is open")
        label = (view.get("close") or {}).get("text", "Close")
        self.stack.fake.close_view(self.modal_id, clear=True)
        self.write(said or f"> (pressed [ {label} ]; the modal closed)")
        self.modal_id, self.answers = None, {}

    # -- internals ---------------------------------------------------------------------------

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        # Each interaction gets a fresh event loop; the servers run in threads of their own.
        return asyncio.run(work)

    def interact(
        self,
        request: Coroutine[Any, Any, SlackResponse],
        *,
        submitted: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        async def go() -> tuple[SlackResponse, bool]:
            response = await request
            return response, await self.stack.settle(self.quiet, self.timeout)

        response, settled = self._run(go())
        touched: list[str] = []
        if response.status != 200:
            self.problems += 1
            self.write(f"! the bot answered HTTP {response.status}: {response.body[:500]}")
        elif submitted is not None:
            touched = self._show_submission(response, *submitted)
        elif response.json():
            self.write(render_message(response.json(), title="Reply (only you can see this)"))
        self._show_calls(touched, settled)

    def after(self, work: Coroutine[Any, Any, T]) -> T:
        """Do `work` (what a person does outside Slack), wait for the bot, show what it sent."""

        async def go() -> tuple[T, bool]:
            return await work, await self.stack.settle(self.quiet, self.timeout)

        result, settled = self._run(go())
        self._show_calls([], settled)
        return result

    def show_unseen(self) -> bool:
        """Show at once, without waiting for the bot, what it sent since the session last
        looked (a reminder, a late result); False when there was nothing."""
        if not self._unseen():
            return False
        self._show_calls([], settled=True)
        return True

    def _unseen(self) -> bool:
        views = list(self.stack.fake.views)
        return any(v not in self._known for v in views) or len(self.stack.fake.calls) > self._shown

    def catch_up(self) -> None:
        """Show what the bot sent since the session last looked: a form it opened, a result it
        put in a modal or a message, after the wait for it had ended. Still working: wait for
        it once more first."""
        settled = not self.working or self._run(self.stack.settle(self.quiet, self.timeout))
        if self.working or self._unseen():
            self._show_calls([], settled)

    def _show_submission(
        self, response: SlackResponse, view_id: str, shown: dict[str, Any]
    ) -> list[str]:
        """Print what the submit's ack did; the views it changed."""
        ack = response.json()
        action = ack.get("response_action")
        if action == "errors":
            self.write("The form came back with errors:\n" + render_errors(ack, shown))
            self.write(render_modal(self.stack.fake.current_view(view_id), errors=ack["errors"]))
            return []
        self.answers = {}
        if action == "update":
            return [view_id]
        if action != "push":
            self.write("The modal closed.")
            self.modal_id = None
        return []

    def _show_calls(self, touched: list[str], settled: bool = True) -> None:
        """Print the calls not shown yet, and the modals they (or a new views.open) changed."""
        # Views first: a view whose views.open is not in `calls` yet is shown once, as new.
        views = list(self.stack.fake.views)
        calls = self.stack.fake.calls[self._shown :]
        touched = touched + [v for v in views if v not in self._known]
        for call in calls:
            if call.error is not None:
                self.problems += 1
                self.write(f"! Slack answered {call.method} with error {call.error}")
            elif call.method in MESSAGE_METHODS:
                title = _MESSAGE_TITLES.get(call.method, call.method)
                if call.args.get("thread_ts"):
                    title = "Reply in the message's thread"
                self.write(render_message(call.args, title=title))
            elif call.method in _VIEW_METHODS and call.args.get("view_id"):
                touched.append(str(call.args["view_id"]))
        shown: set[str] = set()
        for view_id in touched:
            if view_id in shown or self.stack.fake.views[view_id].get("type") != "modal":
                continue
            shown.add(view_id)
            if view_id != self.modal_id:
                self.modal_id, self.answers = view_id, {}
            self.write(render_modal(self.stack.fake.current_view(view_id)))
        for violation in self.stack.fake.violations:
            self.write(f"! Slack would have rejected: {violation}")
        self.problems += len(self.stack.fake.violations)
        self.stack.fake.violations.clear()
        # Only now: what a Ctrl-C kept from being printed is printed by the next catch_up().
        self._shown += len(calls)
        self._known.update(views)
        self.working = not settled
        if self.working:
            self.write(
                "(the bot is still working: what it sends next is shown before your next step; "
                "press Enter to wait for it)"
            )
