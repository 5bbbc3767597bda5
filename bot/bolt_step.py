"""A global Bolt middleware that looks at each request before its listeners, and may answer it."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Awaitable, Callable

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse


class Step(AsyncMiddleware):
    """Bolt builds no keyword arguments for a middleware of this kind (a function middleware
    gets them built, from helpers that raise on malformed payloads, on every request)."""

    @property
    def name(self) -> str:
        return type(self).__name__

    @abstractmethod
    def check(self, req: AsyncBoltRequest) -> BoltResponse | None:
        """None to let the request go on; a response to answer it here."""

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        answer = self.check(req)
        if answer is not None:
            return answer
        await next()
        return resp
