"""People's names from Slack (`users.info`, cached), for turning `<@U…>` into a name incident.io
can show. A name that cannot be had in time stays a label or an ID: text is never held back."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slacktext import Names, from_slack, mentions

log = logging.getLogger("bot.directory")


class Directory:
    """Display names of workspace members, looked up once an hour at most per person."""

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
        self._names: dict[str, tuple[str, float]] = {}
        self._loading: dict[str, asyncio.Task[str | None]] = {}

    async def users(self, user_ids: Iterable[str], *, within: float) -> dict[str, str]:
        """The names of those it can find within `within` seconds (the rest are left out)."""
        wanted = list(dict.fromkeys(user_ids))
        now = self._clock()
        found = {u: hit[0] for u in wanted if (hit := self._names.get(u)) and hit[1] > now}
        missing = [u for u in wanted if u not in found]
        if missing:
            tasks = [self._load(u) for u in missing]
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    await asyncio.wait(tasks)
            for user_id, task in zip(missing, tasks, strict=True):
                if task.done() and not task.cancelled() and task.result():
                    found[user_id] = task.result() or user_id
        return found

    async def decode(self, text: str, *, within: float = 0.5) -> str:
        """Slack text -> incident.io Markdown, with people's mentions turned into their names."""
        wanted = mentions(text)
        users = await self.users(wanted.users, within=within) if wanted.users else {}
        return from_slack(text, Names(users=users))

    def _load(self, user_id: str) -> asyncio.Task[str | None]:
        # Concurrent lookups of one person share one call.
        task = self._loading.get(user_id)
        if task is None:
            task = asyncio.ensure_future(self._fetch(user_id))
            self._loading[user_id] = task
            task.add_done_callback(lambda _: self._loading.pop(user_id, None))
        return task

    async def _fetch(self, user_id: str) -> str | None:
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as error:
            log.info("no name for %s: %s", user_id, error.response.get("error"))
            return None
        except (aiohttp.ClientError, TimeoutError) as error:
            log.info("no name for %s: %s", user_id, type(error).__name__)
            return None
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("name")
        if not isinstance(name, str) or not name:
            return None
        self._names[user_id] = (name, self._clock() + self._ttl)
        return name
