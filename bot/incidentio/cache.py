"""A small async TTL cache: one load at a time, stale values served while a refresh runs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar, cast

from bot.incidentio.errors import IncidentIoError

T = TypeVar("T")

logger = logging.getLogger("bot.incidentio")


class SingleFlightCache(Generic[T]):
    """Caches the result of `load` for `ttl` seconds.

    - fresh: `get()` returns the cached value.
    - missing: concurrent callers share one in-flight load; if it fails, all of them get the error.
    - stale: `get()` returns the stale value at once and starts one background refresh; if the
      refresh fails the stale value stays (and the failure is logged).

    A load started before `invalidate()` still answers its waiters but is not stored: it may have
    read the state from before the write that caused the invalidation.
    """

    def __init__(
        self,
        load: Callable[[], Awaitable[T]],
        ttl: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        name: str = "cache",
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self._load = load
        self.ttl = ttl
        self._clock = clock
        self.name = name
        self._value: T | None = None
        self._has_value = False
        self._loaded_at = 0.0
        self._generation = 0
        self._inflight: asyncio.Task[T] | None = None
        self.hits = 0
        self.misses = 0
        self.stale = 0
        self.loads = 0
        self.refresh_failures = 0

    def peek(self) -> T | None:
        """Whatever is cached, fresh or stale, without any I/O."""
        return cast(T, self._value) if self._has_value else None

    @property
    def age(self) -> float | None:
        """Seconds since the cached value was loaded; None when nothing is cached."""
        return self._clock() - self._loaded_at if self._has_value else None

    async def get(self) -> T:
        """The cached value, loading it if there is none (see the class docstring)."""
        if self._has_value:
            if self._clock() - self._loaded_at < self.ttl:
                self.hits += 1
            else:
                self.stale += 1
                self._start_load()
            return cast(T, self._value)
        self.misses += 1
        # shield: one waiter giving up (its Slack deadline passed) must not cancel the shared load.
        return await asyncio.shield(self._start_load())

    async def refresh(self) -> T:
        """Load now (joining a load already running) and return the new value."""
        return await asyncio.shield(self._start_load())

    def update(self, change: Callable[[T], T], *, after_write: bool = True) -> None:
        """Apply what we know to the cached value, without reloading it.

        After our own write (`after_write`), a load already running may have read the state from
        before it, so that load is not stored. With nothing cached, the next `get()` loads afresh.
        """
        if after_write:
            self._generation += 1
        if self._has_value:
            self._value = change(cast(T, self._value))

    def invalidate(self) -> None:
        """Drop the cached value; the next `get()` loads afresh."""
        self._generation += 1
        self._value = None
        self._has_value = False
        self._inflight = None

    def _start_load(self) -> asyncio.Task[T]:
        if self._inflight is None:
            self.loads += 1
            task = asyncio.create_task(self._run(self._generation), name=f"{self.name}-load")
            task.add_done_callback(self._finished)
            self._inflight = task
        return self._inflight

    async def _run(self, generation: int) -> T:
        value = await self._load()
        if generation == self._generation:
            self._value = value
            self._has_value = True
            self._loaded_at = self._clock()
        return value

    def _finished(self, task: asyncio.Task[T]) -> None:
        if self._inflight is task:
            self._inflight = None
        if task.cancelled():
            return
        # Reading the exception marks it retrieved: a background refresh has nobody awaiting it.
        error = task.exception()
        if error is None:
            return
        if self._has_value:
            self.refresh_failures += 1
            request_id = error.request_id if isinstance(error, IncidentIoError) else None
            logger.warning(
                "%s refresh failed, keeping the stale value: %s (request_id %s)",
                self.name,
                error,
                request_id,
            )


K = TypeVar("K")


class Coalesce(Generic[K, T]):
    """Concurrent calls for the same key share one run of the call (no caching after it ends).

    In a burst of commands about one incident, one GET answers all of them.
    """

    def __init__(self) -> None:
        self._running: dict[K, asyncio.Task[T]] = {}

    async def run(self, key: K, call: Callable[[], Awaitable[T]]) -> T:
        task = self._running.get(key)
        if task is None:
            task = asyncio.ensure_future(call())
            self._running[key] = task
            task.add_done_callback(lambda _: self._running.pop(key, None))
        # shield: one caller giving up must not cancel the call the others wait on.
        return await asyncio.shield(task)
