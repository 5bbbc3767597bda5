"""Modal stacks and Home tabs behind views.open / push / update / publish."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from sandbox.fake_slack.errors import SlackError, require
from sandbox.fake_slack.jsoncopy import json_copy
from sandbox.fake_slack.verdicts import Verdicts, typed_values_out
from sandbox.slack_limits import VIEW_STACK_MAX, IdScope, Problem, check_blocks, check_view

_TRIGGER_ID = re.compile(r"\d+\.\d+\.[0-9a-f]+")
_NOT_INTERACTIVE = frozenset({"image", "plain_text", "mrkdwn"})


def new_hash() -> str:
    return f"{int(time.time())}.{secrets.token_hex(4)}"


def _random_id(prefix: str = "") -> str:
    return prefix + secrets.token_hex(5).upper()


def _fill_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Slack gives every block (and interactive element) an id when the app leaves it out."""
    for block in blocks:
        block.setdefault("block_id", secrets.token_hex(3))
        elements = [block.get("element"), block.get("accessory")]
        if block.get("type") == "actions":
            elements.extend(block.get("elements") or [])
        for element in elements:
            if isinstance(element, dict) and element.get("type") not in _NOT_INTERACTIVE:
                element.setdefault("action_id", secrets.token_hex(3))
    return blocks


def _input_ids(blocks: list[dict[str, Any]]) -> set[tuple[str, str]]:
    ids: set[tuple[str, str]] = set()
    for block in blocks:
        for element in [
            block.get("element"),
            block.get("accessory"),
            *(block.get("elements") or []),
        ]:
            if isinstance(element, dict) and "action_id" in element:
                ids.add((block["block_id"], element["action_id"]))
    return ids


class ViewStore:
    """Every view the bot opened, pushed or published, and the modal stacks they form."""

    def __init__(
        self,
        *,
        team_id: str,
        bot_id: str,
        app_id: str,
        trigger_ttl: float,
        action_id_scope: IdScope,
    ) -> None:
        self._team_id, self._bot_id, self._app_id = team_id, bot_id, app_id
        self._trigger_ttl = trigger_ttl
        self._scope: IdScope = action_id_scope
        # A modal's blocks repeat from one open to the next but for what people typed into it
        # (and its private_metadata, not in the blocks).
        self._blocks_check: Verdicts[Problem] = Verdicts(
            lambda blocks: check_blocks(blocks, surface="view", action_id_scope=action_id_scope),
            shape=typed_values_out,
        )
        self.views: dict[str, dict[str, Any]] = {}
        self.reset()

    def reset(self) -> None:
        self.views.clear()
        self._stacks: dict[str, list[str]] = {}  # root view id -> open view ids, bottom first
        self._closed: set[str] = set()
        self._external: dict[str, str] = {}
        self._home: dict[str, str] = {}  # user id -> that user's Home view id
        self._issued: dict[str, tuple[float, str | None]] = {}  # trigger -> (issued, from view)
        self._used_triggers: set[str] = set()
        self._last_root: str | None = None

    # -- helpers for the emulator ------------------------------------------------------------

    def new_trigger_id(self, view_id: str | None = None) -> str:
        """A trigger_id as Slack puts in an interaction payload (from `view_id` if in a modal)."""
        trigger = f"{int(time.time() * 1000)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        self._issued[trigger] = (time.monotonic(), view_id)
        return trigger

    def close(self, view_id: str, *, clear: bool = False) -> None:
        """The user closed `view_id` (back to the previous view) or the whole modal (`clear`)."""
        root = self._known(view_id)["root_view_id"]
        stack = self._stacks.get(root, [])
        while stack and (clear or view_id in stack):
            self._closed.add(stack.pop())
        if not stack:
            self._stacks.pop(root, None)

    def set_state(self, view_id: str, values: dict[str, Any]) -> None:
        """What the user typed or picked, as Slack sends it in `view.state.values`."""
        self._known(view_id)["state"] = {"values": json_copy(values)}

    def apply_response(self, view_id: str, ack: dict[str, Any]) -> dict[str, Any] | None:
        """Act on a view_submission ack of `view_id`; the view shown afterwards, or None."""
        action = ack.get("response_action")
        current = self._open_view(view_id)
        if action is None or action == "clear":
            # An empty ack closes the submitted view; "clear" closes the whole modal.
            self.close(view_id, clear=action == "clear")
            return None
        if action == "update":
            return json_copy(self._replace(current, self._validate(ack.get("view"))))
        if action == "push":
            view = self._validate(ack.get("view"))
            return json_copy(self._push(current["root_view_id"], view))
        if action != "errors":
            raise SlackError("invalid_arguments", f"unknown response_action {action!r}")
        errors = ack.get("errors")
        if not isinstance(errors, dict) or not errors:
            raise SlackError("invalid_arguments", "response_action errors needs an errors object")
        inputs = {b["block_id"] for b in current["blocks"] if b.get("type") == "input"}
        unknown = sorted(str(key) for key in errors if key not in inputs)
        if unknown:
            raise SlackError("invalid_arguments", f"errors name no input block_id: {unknown}")
        return json_copy(current)

    # -- Web API methods ---------------------------------------------------------------------

    def open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._view_arg(args)
        if view.get("type") != "modal":
            raise SlackError("invalid_arguments", "views.open needs a modal view")
        external_id = view.get("external_id")
        if external_id and external_id in self._external:
            raise SlackError("duplicate_external_id", "external_id was used before")
        self._take_trigger(args)
        view_id = _random_id("V")
        stored = self._store(view, view_id=view_id, root_id=view_id, previous_id=None)
        self._stacks[view_id] = [view_id]
        self._last_root = view_id
        return {"view": json_copy(stored)}

    def push(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._view_arg(args)
        origin = self._take_trigger(args)
        root = self.views[origin]["root_view_id"] if origin in self.views else self._last_root
        if root is None or root not in self._stacks:
            raise SlackError("invalid_arguments", "views.push: no open modal to push onto")
        return {"view": json_copy(self._push(root, view))}

    def update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._view_arg(args)
        if args.get("view_id"):
            view_id = str(args["view_id"])
        elif args.get("external_id"):
            view_id = self._external.get(str(args["external_id"]), "")
        else:
            raise SlackError(
                "invalid_arguments", "missing required argument 'view_id' (or 'external_id')"
            )
        current = self._open_view(view_id)
        self._check_hash(current, args)
        return {"view": json_copy(self._replace(current, view))}

    def publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = require(args, "user_id")
        view = self._view_arg(args)
        if view.get("type") != "home":
            raise SlackError("invalid_arguments", "views.publish needs a home view")
        current_id = self._home.get(user_id)
        if current_id is None:
            view_id = _random_id("V")
            self._home[user_id] = view_id
            stored = self._store(view, view_id=view_id, root_id=view_id, previous_id=None)
        else:
            current = self.views[current_id]
            self._check_hash(current, args)
            stored = self._replace(current, view)
        return {"view": json_copy(stored)}

    # -- internals ---------------------------------------------------------------------------

    def _validate(self, view: Any) -> dict[str, Any]:
        problems = check_view(view, action_id_scope=self._scope, blocks_check=self._blocks_check)
        if problems:
            raise SlackError.from_problems(problems)
        assert isinstance(view, dict)  # check_view reports anything else
        return view

    def _view_arg(self, args: dict[str, Any]) -> dict[str, Any]:
        if "view" not in args:
            raise SlackError("invalid_arguments", "missing required argument 'view'")
        return self._validate(args["view"])

    def _take_trigger(self, args: dict[str, Any]) -> str | None:
        trigger = require(args, "trigger_id")
        if not _TRIGGER_ID.fullmatch(trigger):
            raise SlackError("invalid_trigger_id", "trigger_id does not look like 123.456.abc")
        if trigger in self._used_triggers:
            raise SlackError("exchanged_trigger_id", "trigger_id was already used")
        self._used_triggers.add(trigger)
        issued_at, origin = self._issued.get(trigger, (time.monotonic(), None))
        if time.monotonic() - issued_at > self._trigger_ttl:
            # The bot was too slow, which the platform reports but no payload could prevent.
            raise SlackError("expired_trigger_id", "trigger_id is older than 3 s", violation=False)
        return origin

    def _known(self, view_id: str) -> dict[str, Any]:
        if view_id not in self.views:
            raise SlackError("not_found", f"no view {view_id!r}")
        return self.views[view_id]

    def _open_view(self, view_id: str) -> dict[str, Any]:
        view = self._known(view_id)
        if view_id in self._closed:
            raise SlackError("not_found", f"view {view_id} was closed", violation=False)
        return view

    @staticmethod
    def _check_hash(current: dict[str, Any], args: dict[str, Any]) -> None:
        given = args.get("hash")
        if given and given != current["hash"]:
            raise SlackError("hash_conflict", "hash is stale", violation=False)

    def _push(self, root: str, view: dict[str, Any]) -> dict[str, Any]:
        stack = self._stacks[root]
        if len(stack) >= VIEW_STACK_MAX:
            raise SlackError("push_limit_reached", f"a modal holds at most {VIEW_STACK_MAX} views")
        view_id = _random_id("V")
        stored = self._store(view, view_id=view_id, root_id=root, previous_id=stack[-1])
        stack.append(view_id)
        return stored

    def _replace(self, current: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
        stored = self._store(
            view,
            view_id=current["id"],
            root_id=current["root_view_id"],
            previous_id=current["previous_view_id"],
        )
        # Slack keeps what the user entered in inputs whose block_id and action_id survive.
        keep = _input_ids(stored["blocks"])
        values = {
            block_id: {a: v for a, v in actions.items() if (block_id, a) in keep}
            for block_id, actions in current["state"]["values"].items()
        }
        stored["state"] = {"values": {b: a for b, a in values.items() if a}}
        return stored

    def _store(
        self, view: dict[str, Any], *, view_id: str, root_id: str, previous_id: str | None
    ) -> dict[str, Any]:
        external_id = str(view.get("external_id") or "")
        if external_id:
            self._external[external_id] = view_id
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": self._team_id,
            "type": view["type"],
            "blocks": _fill_ids(json_copy(view.get("blocks") or [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": external_id,
            "state": {"values": {}},
            "hash": new_hash(),
            "title": json_copy(view.get("title")),
            "close": json_copy(view.get("close")),
            "submit": json_copy(view.get("submit")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": previous_id,
            "root_view_id": root_id,
            "app_id": self._app_id,
            "app_installed_team_id": self._team_id,
            "bot_id": self._bot_id,
        }
        self.views[view_id] = stored
        return stored
