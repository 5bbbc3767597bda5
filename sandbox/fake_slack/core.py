"""A fake Slack Web API (Starlette) that records every call and rejects what Slack would reject."""

from __future__ import annotations

import asyncio
import copy
import hmac
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.fake_slack.directory import SANDBOX_HOST, Directory
from sandbox.fake_slack.errors import SlackError, require
from sandbox.fake_slack.http import bearer, error_response, payload_field, read_args
from sandbox.fake_slack.jsoncopy import json_copy
from sandbox.fake_slack.messages import MessageStore
from sandbox.fake_slack.views import ViewStore
from sandbox.slack_limits import IdScope

logger = logging.getLogger(__name__)

DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "users:read.email",
    "channels:read",
    "groups:read",
    "im:write",
    "usergroups:read",
)
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"}
)
Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class SlackCall:
    """One request the bot made: a Web API method, or "response_url" for a response_url post."""

    method: str
    args: dict[str, Any]
    token: str | None = field(repr=False)
    at: float
    error: str | None = None  # the error Slack answered with, None when ok
    url_key: str | None = None  # which response_url, for "response_url" calls


class FakeSlack:
    """Slack's Web API for one workspace: point slack_sdk at `f"{base_url}/api/"`."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-sandbox",  # noqa: S107 - the fake workspace's made-up token
        team_id: str = "T0SANDBOX",
        bot_user_id: str = "U0BOT",
        users: dict[str, dict[str, Any]] | None = None,
        channels: dict[str, dict[str, Any]] | None = None,
        scopes: Sequence[str] = DEFAULT_SCOPES,
        bot_id: str = "B0BOT",
        app_id: str = "A0SANDBOX",
        team_name: str = "Sandbox",
        trigger_ttl: float = 3.0,
        action_id_scope: IdScope = "view",
    ) -> None:
        self._token = bot_token.encode()
        self.team_id, self.team_name = team_id, team_name
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id
        # The installation auth.test reports: the workspace, or the Grid organisation too.
        self._home_team = team_id
        self.enterprise_id: str | None = None
        self.scopes = tuple(scopes)
        self.base_url: str | None = None
        self.calls: list[SlackCall] = []
        self.violations: list[str] = []
        self._lock = threading.RLock()
        self._failures: dict[str, deque[tuple[str, int]]] = {}
        self.directory = Directory(
            team_id=team_id, bot_user_id=bot_user_id, users=users, channels=channels
        )
        self._views = ViewStore(
            team_id=team_id,
            bot_id=bot_id,
            app_id=app_id,
            trigger_ttl=trigger_ttl,
            action_id_scope=action_id_scope,
        )
        self._messages = MessageStore(
            self.directory,
            scopes=self.scopes,
            team_id=team_id,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
        )
        self._methods: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "views.open": self._views.open,
            "views.push": self._views.push,
            "views.update": self._views.update,
            "views.publish": self._views.publish,
            "chat.postMessage": self._messages.post_message,
            "chat.postEphemeral": self._messages.post_ephemeral,
            "chat.update": self._messages.update,
            "chat.getPermalink": self._messages.permalink,
            "users.info": lambda a: {
                "user": self.directory.user(require(a, "user", "user_not_found"))
            },
            "conversations.info": lambda a: {
                "channel": self.directory.channel(require(a, "channel", "channel_not_found"))
            },
            "usergroups.users.list": self._usergroup_members,
        }
        self.app = Starlette(
            routes=[
                Route("/api/{method}", self._api, methods=["GET", "POST"]),
                Route("/response/{key:path}", self._response_url_post, methods=["POST"]),
            ]
        )

    # -- what tests and the emulator read --------------------------------------------------

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """view_id -> the view as Slack stores it (id, hash, root_view_id, state, ...)."""
        return self._views.views

    @property
    def api_url(self) -> str:
        """The `base_url` for slack_sdk clients (ends with "/", see SLACK-NOTES.md §5.2)."""
        return f"{self._bound_url()}/api/"

    def calls_to(self, method: str) -> list[SlackCall]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def messages(self) -> list[SlackCall]:
        """Successful chat.postMessage / postEphemeral / update calls and response_url posts."""
        with self._lock:
            return [c for c in self.calls if c.method in MESSAGE_METHODS and c.error is None]

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """A message the bot posted, as it reads now (after any chat.update)."""
        with self._lock:
            return copy.deepcopy(self._messages.posted[(channel, ts)])

    def posted(self) -> list[tuple[str, str]]:
        """(channel, ts) of every message the bot posted in a channel (not in a thread), in order."""
        with self._lock:
            return [place for place, m in self._messages.posted.items() if "thread_ts" not in m]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The bot's replies in the thread under the message `ts`, oldest first."""
        with self._lock:
            return copy.deepcopy(self._messages.thread(channel, ts))

    def current_view(self, view_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._views.views[view_id])

    def response_url(self, key: str | None = None) -> str:
        """A response_url to put in a payload; posts to it are recorded as "response_url"."""
        return f"{self._bound_url()}/response/{key or secrets.token_hex(8)}"

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a poll deadline in the shared test interface
    ) -> list[SlackCall]:
        """Poll until `count` calls to `method` were made (failed ones count too)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                seen = [call.method for call in list(self.calls)]
                raise TimeoutError(f"{len(found)}/{count} {method} calls after {timeout}s: {seen}")
            await asyncio.sleep(0.01)

    # -- what tests and the emulator change ---------------------------------------------------

    def fail_next(self, method: str, error: str, count: int = 1, *, retry_after: int = 1) -> None:
        """Answer the next `count` calls to `method` with `error` ("ratelimited" -> HTTP 429)."""
        with self._lock:
            self._failures.setdefault(method, deque()).extend([(error, retry_after)] * count)

    def new_message_ts(self) -> str:
        """A `ts` for a message people post in the fake workspace (each has its own)."""
        with self._lock:
            ts = self._messages.new_ts()
            self._messages.people.add(ts)
            return ts

    def delete_message(self, channel: str, ts: str) -> None:
        """A person deletes the bot's message: editing or replying to it fails from now on."""
        with self._lock:
            self._messages.delete(channel, ts)

    def new_trigger_id(self, view_id: str | None = None) -> str:
        """A fresh trigger_id for an interaction payload; `view_id` when it comes from a modal."""
        with self._lock:
            return self._views.new_trigger_id(view_id)

    def set_view_state(self, view_id: str, values: dict[str, Any]) -> None:
        """What the user entered, as `view.state.values` ({block_id: {action_id: {...}}})."""
        with self._lock:
            self._views.set_state(view_id, values)

    def close_view(self, view_id: str, *, clear: bool = False) -> None:
        """The user pressed Close (or the whole modal went away with `clear`)."""
        with self._lock:
            self._views.close(view_id, clear=clear)

    def apply_view_response(
        self, view_id: str, ack: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Act on a view_submission ack body as Slack does; the view now shown, or None.

        Raises SlackError (and records a violation) for an ack Slack would refuse.
        """
        with self._lock:
            try:
                return self._views.apply_response(view_id, ack or {})
            except SlackError as exc:
                self._record_error("view_submission", exc)
                raise

    def install(self, team_id: str, enterprise_id: str | None = None) -> None:
        """Install the app in another workspace (or Enterprise Grid organisation): auth.test
        says so, and the people it invents belong there. `reset()` puts the first one back."""
        with self._lock:
            self.team_id, self.enterprise_id = team_id, enterprise_id
            self.directory.install(team_id, enterprise_id)

    def reset(self) -> None:
        """Forget calls, violations, views, messages and pending failures (keep the directory's
        given people and groups), and go back to the first installation."""
        with self._lock:
            if (self.team_id, self.enterprise_id) != (self._home_team, None):
                self.install(self._home_team)
            self.calls.clear()
            self.violations.clear()
            self._failures.clear()
            self._views.reset()
            self._messages.reset()

    # -- internals ---------------------------------------------------------------------------

    def _bound_url(self) -> str:
        if not self.base_url:
            raise RuntimeError("FakeSlack.base_url is not set: serve the app and set it first")
        return self.base_url.rstrip("/")

    def _record_error(self, method: str, exc: SlackError) -> None:
        if exc.violation:
            entry = f"{method}: {exc}"
            self.violations.append(entry)
            logger.warning("fake Slack rejected a call: %s", entry)

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{SANDBOX_HOST}/",
            "team": self.team_name,
            "user": "incident-bot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
            "is_enterprise_install": False,
        }

    def _usergroup_members(self, args: dict[str, Any]) -> dict[str, Any]:
        if "usergroups:read" not in self.scopes:
            raise SlackError("missing_scope", "usergroups:read is not granted", violation=False)
        usergroup = require(args, "usergroup", "no_such_subteam")
        return {"users": self.directory.usergroup_members(usergroup)}

    def _dispatch(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        handler = self._methods.get(method)
        if handler is None:
            raise SlackError("unknown_method", f"the fake Slack does not implement {method}")
        if not token:
            raise SlackError("not_authed", "no token was sent")
        if not hmac.compare_digest(token.encode(), self._token):
            raise SlackError("invalid_auth", "the token is not the workspace's bot token")
        self._raise_injected(method)
        return json_copy(handler(args))

    def _raise_injected(self, method: str) -> None:
        pending = self._failures.get(method)
        if not pending:
            return
        error, retry_after = pending.popleft()
        if error == "ratelimited":
            raise SlackError(
                error,
                "",
                violation=False,
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        raise SlackError(error, violation=False)

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        call = SlackCall(method, {}, bearer(request), time.monotonic())
        headers = {"x-oauth-scopes": ",".join(self.scopes)}
        try:
            try:
                call.args = await read_args(request)
                call.token = call.token or call.args.pop("token", None)
            finally:
                with self._lock:
                    self.calls.append(call)
            with self._lock:
                result = self._dispatch(method, call.args, call.token)
        except SlackError as exc:
            with self._lock:
                call.error = exc.error
                self._record_error(method, exc)
            return error_response(exc, headers)
        return JSONResponse({"ok": True, **result}, headers=headers)

    async def _response_url_post(self, request: Request) -> Response:
        key = request.path_params["key"]
        call = SlackCall("response_url", {}, None, time.monotonic(), url_key=key)
        try:
            try:
                args = await read_args(request)
                payload = args.pop("payload", None)
                call.args = payload_field(payload) if isinstance(payload, str) else args
            finally:
                with self._lock:
                    self.calls.append(call)
            with self._lock:
                self._raise_injected("response_url")
                self._messages.response_url(key, call.args)
        except (SlackError, ValueError) as exc:
            error = exc if isinstance(exc, SlackError) else SlackError("invalid_json", str(exc))
            with self._lock:
                call.error = error.error
                self._record_error("response_url", error)
            return error_response(error, {})
        return JSONResponse({"ok": True})
