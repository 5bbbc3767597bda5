"""SingleFlightCache: one load for many callers, stale-while-revalidate, failures."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.incidentio.cache import SingleFlightCache
from bot.incidentio.errors import ServerError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Loader:
    """A load function whose calls can be held open and made to fail."""

    def __init__(self) -> None:
        self.calls = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_with: Exception | None = None

    async def __call__(self) -> str:
        self.calls += 1
        number = self.calls
        await self.gate.wait()
        if self.fail_with is not None:
            raise self.fail_with
        return f"v{number}"


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_concurrent_misses_share_one_load() -> None:
    load = Loader()
    load.gate.clear()
    cache = SingleFlightCache(load, ttl=60, clock=Clock())

    waiting = [asyncio.create_task(cache.get()) for _ in range(50)]
    await settle()
    load.gate.set()
    values = await asyncio.gather(*waiting)

    assert values == ["v1"] * 50
    assert (load.calls, cache.loads, cache.misses, cache.hits) == (1, 1, 50, 0)


async def test_fresh_values_are_served_without_loading() -> None:
    load = Loader()
    clock = Clock()
    cache = SingleFlightCache(load, ttl=60, clock=clock)
    assert cache.peek() is None

    await cache.get()
    clock.now = 59.9
    values = [await cache.get() for _ in range(3)]

    assert values == ["v1"] * 3
    assert (load.calls, cache.hits, cache.misses) == (1, 3, 1)
    assert cache.peek() == "v1"


async def test_stale_value_is_served_at_once_and_refreshed_once() -> None:
    load = Loader()
    clock = Clock()
    cache = SingleFlightCache(load, ttl=60, clock=clock)
    await cache.get()
    clock.now = 61
    load.gate.clear()

    served = [await cache.get() for _ in range(5)]

    await settle()
    assert served == ["v1"] * 5  # the refresh is still held open: nobody waited for it
    assert load.calls == 2
    assert cache.stale == 5
    load.gate.set()
    await settle()
    assert await cache.get() == "v2"
    assert load.calls == 2
    assert cache.age is not None and cache.age < cache.ttl  # fresh again


async def test_failed_load_with_nothing_cached_raises_to_every_waiter() -> None:
    load = Loader()
    load.gate.clear()
    load.fail_with = ServerError(message="boom", status=503, request_id="rid-1")
    cache = SingleFlightCache(load, ttl=60, clock=Clock())

    waiting = [asyncio.create_task(cache.get()) for _ in range(3)]
    await settle()
    load.gate.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)

    assert all(isinstance(r, ServerError) and r.request_id == "rid-1" for r in results)
    assert load.calls == 1
    assert cache.peek() is None
    load.fail_with = None
    assert await cache.get() == "v2"  # the failure is not cached


async def test_failed_refresh_keeps_the_stale_value_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    load = Loader()
    clock = Clock()
    cache = SingleFlightCache(load, ttl=60, clock=clock, name="catalog")
    await cache.get()
    clock.now = 120
    load.fail_with = ServerError(message="boom", status=500, request_id="rid-9")

    with caplog.at_level(logging.WARNING, logger="bot.incidentio"):
        assert await cache.get() == "v1"
        await settle()

    assert cache.peek() == "v1"
    assert cache.refresh_failures == 1
    assert "catalog refresh failed" in caplog.text
    assert "rid-9" in caplog.text
    load.fail_with = None
    assert await cache.get() == "v1"  # still stale: this call starts another refresh
    await settle()
    assert await cache.get() == "v3"


async def test_a_cancelled_waiter_does_not_cancel_the_shared_load() -> None:
    load = Loader()
    load.gate.clear()
    cache = SingleFlightCache(load, ttl=60, clock=Clock())
    impatient = asyncio.create_task(cache.get())
    patient = asyncio.create_task(cache.get())
    await settle()

    impatient.cancel()
    await settle()
    load.gate.set()

    assert await patient == "v1"
    assert impatient.cancelled()
    assert load.calls == 1


async def test_invalidate_drops_the_value_and_ignores_a_load_already_running() -> None:
    load = Loader()
    cache = SingleFlightCache(load, ttl=60, clock=Clock())
    await cache.get()
    load.gate.clear()
    cache.invalidate()
    before_write = asyncio.create_task(cache.get())
    await settle()

    cache.invalidate()  # a write happened while that load was running
    load.gate.set()

    assert await before_write == "v2"  # its own caller still gets an answer
    assert cache.peek() is None  # but it is not kept
    assert await cache.get() == "v3"


def test_ttl_must_be_positive() -> None:
    async def load() -> int:
        return 1

    with pytest.raises(ValueError, match="ttl"):
        SingleFlightCache(load, ttl=0)


async def test_coalesce_shares_one_call_among_concurrent_callers() -> None:
    from bot.incidentio.cache import Coalesce

    calls = 0
    gate = asyncio.Event()

    async def fetch() -> int:
        nonlocal calls
        calls += 1
        await gate.wait()
        return calls

    shared: Coalesce[str, int] = Coalesce()
    waiters = [asyncio.create_task(shared.run("INC-1", fetch)) for _ in range(10)]
    other = asyncio.create_task(shared.run("INC-2", fetch))
    await asyncio.sleep(0)
    waiters[0].cancel()  # one person gives up; the others still get the answer
    gate.set()
    results = await asyncio.gather(*waiters[1:], other)
    assert calls == 2 and set(results[:-1]) == {results[0]}
    assert await shared.run("INC-1", fetch) == 3  # nothing is kept once the call is over


async def test_coalesce_gives_the_error_to_every_caller() -> None:
    from bot.incidentio.cache import Coalesce

    async def broken() -> int:
        await asyncio.sleep(0)
        raise RuntimeError("down")

    shared: Coalesce[str, int] = Coalesce()
    results = await asyncio.gather(
        *[shared.run("k", broken) for _ in range(3)], return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)
