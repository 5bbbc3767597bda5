"""People as Slack records them (`users.info`, cached): their names, for turning `<@U…>` into a
name incident.io can show, and who they are (workspace, organisation, guest, bot), for the
policy. A record that cannot be had in time is left out: text is never held back for a name,
and the policy refuses what it cannot confirm (bot/identity.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slacktext import Names, from_slack, mentions

log = logging.getLogger("bot.directory")


@dataclass(frozen=True)
class SlackUser:
    """The parts of Slack's record of a person that the bot reads."""

    id: str
    name: str | None
    team_id: str | None
    # Set for members of an Enterprise Grid organisation (`enterprise_user.enterprise_id`).
    enterprise_id: str | None = None
    is_bot: bool = False
    # Multi-channel (`is_restricted`) and single-channel (`is_ultra_restricted`) guests.
    is_guest: bool = False
    # Slack marks people from an organisation the workspace does not know this way.
    is_stranger: bool = False
    deleted: bool = False

    @classmethod
    def from_api(cls, user_id: str, user: dict[str, Any]) -> SlackUser:
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("name")
        enterprise = user.get("enterprise_user") or {}
        return cls(
            id=user_id,
            name=name if isinstance(name, str) and name else None,
            team_id=_text(user.get("team_id")),
            enterprise_id=_text(enterprise.get("enterprise_id")),
            # Slackbot is a bot in every sense but this flag.
            is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
            is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
            is_stranger=bool(user.get("is_stranger")),
            deleted=bool(user.get("deleted")),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class Directory:
    """Slack's records of people, looked up once an hour at most per person."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._records: dict[str, tuple[SlackUser, float]] = {}
        self._loading: dict[str, asyncio.Task[SlackUser | None]] = {}

    async def records(self, user_ids: Iterable[str], *, within: float) -> dict[str, SlackUser]:
        """The records of those it can find within `within` seconds (the rest are left out)."""
        wanted = list(dict.fromkeys(user_ids))
        now = self._clock()
        found = {u: hit[0] for u in wanted if (hit := self._records.get(u)) and hit[1] > now}
        missing = [u for u in wanted if u not in found]
        if missing:
            tasks = [self._load(u) for u in missing]
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    await asyncio.wait(tasks)
            for user_id, task in zip(missing, tasks, strict=True):
                record = task.result() if task.done() and not task.cancelled() else None
                if record is not None:
                    found[user_id] = record
        return found

    async def record(self, user_id: str, *, within: float) -> SlackUser | None:
        return (await self.records([user_id], within=within)).get(user_id)

    async def users(self, user_ids: Iterable[str], *, within: float) -> dict[str, str]:
        """The names of those it can find within `within` seconds (the rest are left out)."""
        records = await self.records(user_ids, within=within)
        return {u: r.name for u, r in records.items() if r.name}

    async def decode(self, text: str, *, within: float = 0.5) -> str:
        """Slack text -> incident.io Markdown, with people's mentions turned into their names."""
        wanted = mentions(text)
        users = await self.users(wanted.users, within=within) if wanted.users else {}
        return from_slack(text, Names(users=users))

    def _load(self, user_id: str) -> asyncio.Task[SlackUser | None]:
        # Concurrent lookups of one person share one call.
        task = self._loading.get(user_id)
        if task is None:
            task = asyncio.ensure_future(self._fetch(user_id))
            self._loading[user_id] = task
            task.add_done_callback(lambda _: self._loading.pop(user_id, None))
        return task

    async def _fetch(self, user_id: str) -> SlackUser | None:
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as error:
            log.info("no record of %s: %s", user_id, error.response.get("error"))
            return None
        except (aiohttp.ClientError, TimeoutError) as error:
            log.info("no record of %s: %s", user_id, type(error).__name__)
            return None
        user = response.get("user")
        if not isinstance(user, dict):
            return None
        record = SlackUser.from_api(user_id, user)
        self._records[user_id] = (record, self._clock() + self._ttl)
        return record
