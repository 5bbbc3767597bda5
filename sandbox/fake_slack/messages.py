"""Messages behind chat.postMessage / postEphemeral / update / getPermalink and response_url."""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Collection
from typing import Any

from sandbox.fake_slack.directory import SANDBOX_HOST, Directory
from sandbox.fake_slack.errors import SlackError, require
from sandbox.slack_limits import RESPONSE_URL_MAX_USES, check_message

_TS = re.compile(r"\d+\.\d+")
_CONTENT_KEYS = ("text", "blocks", "attachments", "thread_ts", "metadata")


class MessageStore:
    """What the bot posted, as a channel would show it."""

    def __init__(
        self,
        directory: Directory,
        *,
        scopes: Collection[str],
        team_id: str,
        bot_user_id: str,
        bot_id: str,
        app_id: str,
    ) -> None:
        self._directory = directory
        self._scopes = scopes
        self._identity = {"user": bot_user_id, "bot_id": bot_id, "app_id": app_id, "team": team_id}
        self.posted: dict[tuple[str, str], dict[str, Any]] = {}
        # Messages people posted (FakeSlack.new_message_ts): a thread may start under them too.
        self.people: set[str] = set()
        # Messages deleted (or forgotten by a reset): naming one is a runtime condition, as in
        # Slack when someone deleted the message, not a mistake of the bot's.
        self.gone: set[tuple[str, str]] = set()
        self.ephemeral: list[dict[str, Any]] = []
        self._response_url_uses: dict[str, int] = {}
        self._last_micros = 0

    def reset(self) -> None:
        self.gone.update(self.posted)
        self.posted.clear()
        self.people.clear()
        self.ephemeral.clear()
        self._response_url_uses.clear()

    def new_ts(self) -> str:
        """A message timestamp, strictly increasing like Slack's within a channel."""
        self._last_micros = max(time.time_ns() // 1000, self._last_micros + 1)
        return f"{self._last_micros // 1_000_000}.{self._last_micros % 1_000_000:06d}"

    def post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args)
        _check(args)
        parent = self._thread_parent(channel, args.get("thread_ts"))
        ts = self.new_ts()
        message = self._message(args, ts)
        self.posted[(channel, ts)] = message
        if parent is not None:
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            parent.setdefault("replies", []).append({"user": self._identity["user"], "ts": ts})
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _thread_parent(self, channel: str, thread_ts: Any) -> dict[str, Any] | None:
        """The message a reply goes under: one in this channel, never a reply itself (Slack
        keeps threads one level deep). The bot's own are kept; people's are only known by ts."""
        if thread_ts is None:
            return None
        if not isinstance(thread_ts, str) or not _TS.fullmatch(thread_ts):
            raise SlackError("invalid_thread_ts", "thread_ts is not a message timestamp")
        parent = self.posted.get((channel, thread_ts))
        if parent is None and thread_ts not in self.people:
            deleted = (channel, thread_ts) in self.gone
            raise SlackError(
                "thread_not_found", f"no message {thread_ts} in {channel}", violation=not deleted
            )
        if parent is not None and parent.get("thread_ts") not in (None, thread_ts):
            raise SlackError("thread_not_found", f"{thread_ts} is a reply, not a thread's start")
        return parent

    def delete(self, channel: str, ts: str) -> None:
        """Someone deleted the message (and its thread goes with it)."""
        message = self.posted.pop((channel, ts))
        self.gone.add((channel, ts))
        for reply in message.get("replies", []):
            self.posted.pop((channel, reply["ts"]), None)

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies under a message, oldest first."""
        parent = self.posted.get((channel, ts)) or {}
        return [self.posted[(channel, r["ts"])] for r in parent.get("replies", [])]

    def post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args)
        user = self._directory.user(require(args, "user"))["id"]
        _check(args)
        ts = self.new_ts()
        self.ephemeral.append({**self._message(args, ts), "channel": channel, "for_user": user})
        return {"message_ts": ts}

    def update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._directory.channel(require(args, "channel", "channel_not_found"))["id"]
        ts = require(args, "ts", "message_not_found")
        if not _TS.fullmatch(ts):
            raise SlackError("invalid_arguments", "ts is not a message timestamp")
        current = self.posted.get((channel, ts))
        if current is None:
            # Ephemeral messages and other people's cannot be edited by chat.update either.
            deleted = (channel, ts) in self.gone
            raise SlackError(
                "message_not_found",
                f"no message {ts} in {channel} from the bot",
                violation=not deleted,
            )
        if "thread_ts" in args or "reply_broadcast" in args:
            raise SlackError("invalid_arguments", "chat.update cannot move a message to a thread")
        _check(args)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                current[key] = copy.deepcopy(args[key])
        current["edited"] = {"user": self._identity["user"], "ts": self.new_ts()}
        message = copy.deepcopy(current)
        return {"channel": channel, "ts": ts, "text": current.get("text", ""), "message": message}

    def permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._directory.channel(require(args, "channel", "channel_not_found"))["id"]
        ts = require(args, "message_ts")
        if not _TS.fullmatch(ts):
            raise SlackError("invalid_arguments", "message_ts is not a message timestamp")
        link = f"https://{SANDBOX_HOST}/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def response_url(self, key: str, body: dict[str, Any]) -> None:
        uses = self._response_url_uses.get(key, 0) + 1
        self._response_url_uses[key] = uses
        if uses > RESPONSE_URL_MAX_USES:
            raise SlackError(
                "used_url", f"response_url used more than {RESPONSE_URL_MAX_USES} times", status=404
            )
        if body.get("response_type") not in (None, "ephemeral", "in_channel"):
            raise SlackError("invalid_arguments", "response_type must be ephemeral or in_channel")
        deleting = body.get("delete_original") in (True, "true")
        _check(body, require_content=not deleting, status=400)

    def _writable_channel(self, args: dict[str, Any]) -> str:
        channel = self._directory.channel(require(args, "channel", "channel_not_found"))
        public = not channel["is_private"] and "chat:write.public" in self._scopes
        if not channel["is_member"] and not public and not channel["is_im"]:
            raise SlackError(
                "not_in_channel", f"the bot is not in {channel['id']}", violation=False
            )
        return str(channel["id"])

    def _message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {"type": "message", **self._identity, "ts": ts, "text": ""}
        message.update({k: copy.deepcopy(args[k]) for k in _CONTENT_KEYS if k in args})
        return message


def _check(args: dict[str, Any], *, require_content: bool = True, status: int = 200) -> None:
    problems = check_message(args, require_content=require_content)
    if problems:
        error = SlackError.from_problems(problems)
        error.status = status
        raise error
