"""Members of Slack user groups (`usergroups.users.list`, cached), for the policy's
`usergroup:S…` rules. Concurrent lookups of one group share one call."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.incidentio.cache import Coalesce

log = logging.getLogger("bot.usergroups")


class UsergroupUnavailable(Exception):
    """Slack did not say who is in the group (unknown group, missing scope, no answer)."""

    def __init__(self, usergroup: str, reason: str) -> None:
        super().__init__(f"{usergroup}: {reason}")
        self.usergroup = usergroup
        self.reason = reason


class Usergroups:
    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._members: dict[str, tuple[frozenset[str], float]] = {}
        self._loads: Coalesce[str, frozenset[str]] = Coalesce()

    async def members(self, usergroup: str) -> frozenset[str]:
        """The user IDs in the group; UsergroupUnavailable when Slack does not say."""
        hit = self._members.get(usergroup)
        if hit is not None and hit[1] > self._clock():
            return hit[0]
        return await self._loads.run(usergroup, lambda: self._fetch(usergroup))

    async def _fetch(self, usergroup: str) -> frozenset[str]:
        try:
            response = await self._client.usergroups_users_list(usergroup=usergroup)
        except SlackApiError as error:
            reason = str(error.response.get("error") or "error")
            log.warning("usergroups.users.list %s refused: %s", usergroup, reason)
            raise UsergroupUnavailable(usergroup, reason) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise UsergroupUnavailable(usergroup, type(error).__name__) from None
        users = response.get("users")
        members = frozenset(u for u in users or () if isinstance(u, str))
        self._members[usergroup] = (members, self._clock() + self._ttl)
        return members
