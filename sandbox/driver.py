"""Plays the Slack client: signed commands, shortcuts, option requests and modal submissions.

It reads the modals the bot opened from the fake Slack, fills their inputs the way a person
would (options chosen by label or value), and sends what Slack would send. Tests use it in
process (through Bolt's dispatch) or over HTTP; the sandbox terminal uses it over HTTP.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from slack_sdk.signature import SignatureVerifier

from sandbox.fake_slack import FakeSlack


@dataclass(frozen=True)
class SlackResponse:
    status: int
    body: str

    def json(self) -> dict[str, Any]:
        """The body as Slack reads it: JSON, or plain text (Bolt acks text-only replies so)."""
        if not self.body:
            return {}
        try:
            data = json.loads(self.body)
        except ValueError:
            return {"text": self.body}
        return data if isinstance(data, dict) else {"text": self.body}


# Sends a raw body with headers to the bot; returns its HTTP status and body.
Transport = Callable[[str, dict[str, str]], Awaitable[SlackResponse]]


def slack_escape(text: str) -> str:
    """The three characters Slack escapes in all text it sends (SLACK-NOTES.md section 9)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_URL = re.compile(r"(?:https?://|mailto:)(?:(?!&lt;|&gt;)\S)+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@#/])([@#])([\w.-]*\w)")
_SPECIAL = frozenset({"here", "channel", "everyone"})


def _url_sequence(match: re.Match[str]) -> str:
    url = match.group(0)
    # Slack leaves trailing punctuation out of a link, and a closing bracket it did not open.
    trail = len(url) - len(url.rstrip(".,;:!?'\""))
    url, rest = url[: len(url) - trail], url[len(url) - trail :]
    if url.endswith(")") and url.count("(") < url.count(")"):
        url, rest = url[:-1], ")" + rest
    return f"<{url}>{rest}"


def slack_command_text(text: str, fake: FakeSlack, *, picked: bool = True) -> str:
    """What Slack sends as a command's text with `should_escape: true` (manifest.yaml): the
    three characters escaped, links as `<https://…>`, and `@name` / `#name` that the person
    picked from Slack's autocomplete as `<@U123|name>` / `<#C123|name>` (`@here` as `<!here>`).
    With `picked` false the person typed the names without choosing one: they stay text."""
    escaped = _URL.sub(_url_sequence, slack_escape(text))
    if not picked:
        return escaped
    users = {u.get("name"): uid for uid, u in fake.directory.users.items()}
    channels = {c.get("name"): cid for cid, c in fake.directory.channels.items()}

    def mention(match: re.Match[str]) -> str:
        sigil, name = match.groups()
        if sigil == "@" and name in _SPECIAL:
            return f"<!{name}>"
        found = (users if sigil == "@" else channels).get(name)
        return f"<{sigil}{found}|{name}>" if found else match.group(0)

    parts = re.split(r"(<[^<>]*>)", escaped)
    return "".join(p if p.startswith("<") else _MENTION.sub(mention, p) for p in parts)


def _option_for(element: Mapping[str, Any], wanted: str) -> dict[str, Any] | None:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options", []))
    needle = wanted.strip().lower()
    for opt in options:
        label = str(opt.get("text", {}).get("text", "")).lower()
        if opt.get("value") == wanted or label == needle:
            return dict(opt)
    for opt in options:
        if needle and needle in str(opt.get("text", {}).get("text", "")).lower():
            return dict(opt)
    return None


def input_blocks(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [b for b in view.get("blocks", []) if b.get("type") == "input"]


def state_for(view: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """view.state.values for `answers` (block_id -> text, option label/value, or list of them).

    Inputs not answered keep their initial values, as in Slack.
    """
    values: dict[str, Any] = {}
    for block in input_blocks(view):
        element = block["element"]
        kind, action = element["type"], element["action_id"]
        answer = answers.get(block["block_id"])
        state: dict[str, Any] = {"type": kind}
        if kind == "plain_text_input":
            state["value"] = answer if answer is not None else element.get("initial_value")
        elif kind in ("static_select", "radio_buttons", "external_select"):
            if answer is None:
                state["selected_option"] = element.get("initial_option")
            elif isinstance(answer, Mapping):
                state["selected_option"] = dict(answer)
            else:
                chosen = _option_for(element, str(answer))
                if chosen is None:
                    raise ValueError(f"{block['block_id']}: no option {answer!r}")
                state["selected_option"] = chosen
        elif kind == "multi_users_select":
            users = answer if answer is not None else element.get("initial_users") or []
            state["selected_users"] = list(users) if isinstance(users, list) else [users]
        elif kind == "users_select":
            # A Slack user ID; "" clears the picker.
            initial = element.get("initial_user")
            state["selected_user"] = initial if answer is None else (str(answer) or None)
        elif kind in ("checkboxes", "multi_static_select", "multi_external_select"):
            if answer is None:
                state["selected_options"] = element.get("initial_options") or []
            else:
                wanted = answer if isinstance(answer, list) else [answer]
                picked = [_option_for(element, str(w)) for w in wanted if w]
                state["selected_options"] = [p for p in picked if p]
        else:
            continue
        values[block["block_id"]] = {action: state}
    return values


class SlackDriver:
    """One person in one workspace, talking to the bot.

    By default the person is in the workspace that installed the bot. `team_id` and
    `enterprise_id` put them in another one (a Slack Connect channel sends the person's own
    team and organisation); `org_install` sends payloads as an Enterprise Grid org-wide
    install does (`"team": null`, the workspace only in `user.team_id`).
    """

    def __init__(
        self,
        fake: FakeSlack,
        signing_secret: str,
        send: Transport,
        *,
        user_id: str = "U0ALICE",
        user_name: str = "alice",
        channel_id: str = "C0GENERAL",
        clock: Callable[[], float] = time.time,
        team_id: str | None = None,
        enterprise_id: str | None = None,
        org_install: bool = False,
    ) -> None:
        self.fake, self.send = fake, send
        self.verifier = SignatureVerifier(signing_secret)
        self.user_id, self.user_name, self.channel_id = user_id, user_name, channel_id
        self.clock = clock
        self._team_id, self._enterprise_id = team_id, enterprise_id
        self.org_install = org_install

    @property
    def team_id(self) -> str:
        return self._team_id or self.fake.team_id

    @property
    def enterprise_id(self) -> str | None:
        return self._enterprise_id or self.fake.enterprise_id

    def _where(self) -> dict[str, Any]:
        """The team and organisation keys every interactivity payload carries."""
        grid = self.enterprise_id
        team: dict[str, str] | None = {"id": self.team_id, "domain": "sandbox"}
        if self.org_install:
            team = None
        elif grid and team is not None:
            team["enterprise_id"] = grid
        return {
            "team": team,
            "is_enterprise_install": self.org_install,
            "enterprise": {"id": grid, "name": "Sandbox Org"} if grid else None,
        }

    def signed_headers(self, body: str, content_type: str) -> dict[str, str]:
        timestamp = str(int(self.clock()))
        signature = self.verifier.generate_signature(timestamp=timestamp, body=body)
        return {
            "content-type": content_type,
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": signature or "",
        }

    async def post_form(self, fields: Mapping[str, str]) -> SlackResponse:
        body = urlencode(fields)
        return await self.send(body, self.signed_headers(body, "application/x-www-form-urlencoded"))

    async def post_payload(self, payload: Mapping[str, Any]) -> SlackResponse:
        body = "payload=" + quote(json.dumps(payload))
        return await self.send(body, self.signed_headers(body, "application/x-www-form-urlencoded"))

    def _user(self, user_id: str | None = None) -> dict[str, str]:
        uid = user_id or self.user_id
        name = self.user_name if uid == self.user_id else uid.lower()
        return {"id": uid, "username": name, "name": name, "team_id": self.team_id}

    async def command(
        self,
        text: str,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        channel_name: str = "general",
        picked: bool = True,
    ) -> SlackResponse:
        """`/incident <text>` typed in a channel, sent as Slack sends it with `should_escape`
        true (`slack_command_text`): a typed `<!here>` arrives as `&lt;!here&gt;`, a person
        picked from the autocomplete as `<@U123|name>` (`picked` false: typed as plain text)."""
        user = self._user(user_id)
        return await self.post_form(
            {
                "token": "unused",
                "team_id": self.team_id,
                "team_domain": "sandbox",
                "channel_id": channel_id or self.channel_id,
                "channel_name": channel_name,
                "user_id": user["id"],
                "user_name": user["username"],
                "command": "/incident",
                "text": slack_command_text(text, self.fake, picked=picked),
                "api_app_id": self.fake.app_id,
                **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
                "is_enterprise_install": "true" if self.org_install else "false",
                "response_url": self.fake.response_url(),
                "trigger_id": self.fake.new_trigger_id(),
            }
        )

    async def submit(
        self, view_id: str, answers: Mapping[str, Any], *, shown: Mapping[str, Any] | None = None
    ) -> SlackResponse:
        """Fill the modal `view_id` and press its submit button.

        `shown` is the view as the person saw it when they clicked (for a double click, the
        same snapshot twice); by default the view as it is now.
        """
        view = dict(shown) if shown is not None else self.fake.current_view(view_id)
        values = state_for(view, answers)
        view["state"] = {"values": values}
        if shown is None:
            self.fake.set_view_state(view_id, values)
        payload = {
            "type": "view_submission",
            "user": self._user(),
            "api_app_id": self.fake.app_id,
            "token": "unused",
            "trigger_id": self.fake.new_trigger_id(view_id),
            "view": view,
            "response_urls": [],
            **self._where(),
        }
        before = self.fake.current_view(view_id).get("hash")
        response = await self.post_payload(payload)
        if response.status == 200:
            ack = response.json() or None
            updated_since = self.fake.current_view(view_id).get("hash") != before
            if not (updated_since and ack and ack.get("response_action") == "update"):
                # Slack applies the ack when it arrives, before any views.update the bot sends
                # after it; here the two travel apart, so an update already made wins.
                self.fake.apply_view_response(view_id, ack)
        return response

    async def message_shortcut(
        self,
        callback_id: str,
        text: str,
        *,
        channel_id: str | None = None,
        channel_name: str = "general",
        message_ts: str | None = None,
        author: str = "U0BOB",
        message: Mapping[str, Any] | None = None,
    ) -> SlackResponse:
        """A message shortcut on a message whose `text` a person typed (Slack stores it escaped),
        or on `message` as Slack sends it (bots' attachments, blocks). Every message has a `ts`
        of its own unless one is given."""
        channel = channel_id or self.channel_id
        message_ts = message_ts or (message or {}).get("ts") or self.fake.new_message_ts()
        if message is None:
            message = {"type": "message", "user": author, "text": slack_escape(text)}
        message = {**message, "ts": message_ts}
        return await self.post_payload(
            {
                "type": "message_action",
                "callback_id": callback_id,
                "trigger_id": self.fake.new_trigger_id(),
                "message_ts": message_ts,
                "response_url": self.fake.response_url(),
                "message": message,
                "user": self._user(),
                "channel": {"id": channel, "name": channel_name},
                "token": "unused",
                "action_ts": str(self.clock()),
                **self._where(),
            }
        )

    async def global_shortcut(self, callback_id: str) -> SlackResponse:
        return await self.post_payload(
            {
                "type": "shortcut",
                "callback_id": callback_id,
                "trigger_id": self.fake.new_trigger_id(),
                "user": self._user(),
                "token": "unused",
                "action_ts": str(self.clock()),
                **self._where(),
            }
        )

    async def click(self, channel: str, ts: str, action_id: str) -> SlackResponse:
        """A click on a button of the bot's message `ts` in `channel`, sent as Slack sends it
        (the message as it reads now, and the button's value)."""
        message = self.fake.message(channel, ts)
        found = [
            (block, element)
            for block in message.get("blocks") or []
            if block.get("type") == "actions"
            for element in block.get("elements") or []
            if element.get("action_id") == action_id
        ]
        if not found:
            raise LookupError(f"no button {action_id!r} on message {ts}")
        block, button = found[0]
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": block.get("block_id", ""),
            "text": button.get("text"),
            "value": button.get("value", ""),
            "action_ts": str(self.clock()),
        }
        return await self.post_payload(
            {
                "type": "block_actions",
                "user": self._user(),
                "api_app_id": self.fake.app_id,
                "token": "unused",
                "container": {"type": "message", "message_ts": ts, "channel_id": channel},
                "trigger_id": self.fake.new_trigger_id(),
                "channel": {"id": channel, "name": "general"},
                "message": message,
                "response_url": self.fake.response_url(),
                "actions": [action],
                **self._where(),
            }
        )

    async def options(self, view_id: str, action_id: str, query: str = "") -> list[dict[str, Any]]:
        """What an external_select in `view_id` offers for `query`."""
        response = await self.post_payload(
            {
                "type": "block_suggestion",
                "action_id": action_id,
                "block_id": action_id,
                "value": query,
                "api_app_id": self.fake.app_id,
                "user": self._user(),
                "token": "unused",
                "container": {"type": "view", "view_id": view_id},
                **self._where(),
                "view": self.fake.current_view(view_id),
            }
        )
        options: list[dict[str, Any]] = response.json().get("options", [])
        return options

    def open_views(self) -> list[dict[str, Any]]:
        """Modals currently open, most recent last."""
        return [v for v in self.fake.views.values() if v.get("type") == "modal"]

    def last_view(self) -> dict[str, Any]:
        """The modal opened most recently, as it reads now (after any update)."""
        views = self.open_views()
        if not views:
            raise LookupError("the bot opened no modal")
        return self.fake.current_view(str(views[-1]["id"]))
