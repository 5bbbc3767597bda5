"""The client-side token bucket."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from bot.config import ConfigError, load_settings
from bot.incidentio.client import IncidentIoClient
from bot.incidentio.ratelimit import TokenBucket
from tests.incidentio import factories as f
from tests.incidentio.conftest import SpecCheckedRouter


class FakeTime:
    """A clock and a sleep that advances it, so waits take no real time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def test_burst_then_throttled_to_the_rate() -> None:
    fake = FakeTime()
    bucket = TokenBucket(rate=10, capacity=5, clock=fake.clock, sleep=fake.sleep)

    waits = [await bucket.acquire() for _ in range(8)]

    assert waits[:5] == [0.0] * 5
    assert waits[5:] == pytest.approx([0.1, 0.1, 0.1])
    # 8 requests: 5 from the burst, then 3 at 10/s.
    assert fake.now - 1000.0 == pytest.approx(0.3)


async def test_concurrent_waiters_are_served_in_arrival_order() -> None:
    fake = FakeTime()
    recorded: list[float] = []

    async def frozen_sleep(seconds: float) -> None:
        recorded.append(seconds)  # time does not move: each waiter must queue behind the last

    bucket = TokenBucket(rate=10, capacity=2, clock=fake.clock, sleep=frozen_sleep)

    waits = await asyncio.gather(*(bucket.acquire() for _ in range(5)))

    assert list(waits) == pytest.approx([0.0, 0.0, 0.1, 0.2, 0.3])


async def test_idle_time_refills_only_up_to_capacity() -> None:
    fake = FakeTime()
    bucket = TokenBucket(rate=10, capacity=3, clock=fake.clock, sleep=fake.sleep)
    for _ in range(3):
        await bucket.acquire()
    fake.now += 3600

    waits = [await bucket.acquire() for _ in range(4)]

    assert waits == pytest.approx([0.0, 0.0, 0.0, 0.1])


async def test_a_cancelled_waiter_gives_its_token_back() -> None:
    fake = FakeTime()
    gate = asyncio.Event()

    async def blocking_sleep(seconds: float) -> None:
        await gate.wait()

    bucket = TokenBucket(rate=1, capacity=1, clock=fake.clock, sleep=blocking_sleep)
    await bucket.acquire()
    waiter = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0)
    assert bucket.available == pytest.approx(-1.0)

    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter

    assert bucket.available == pytest.approx(0.0)


def test_rejects_nonsense_settings() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate=0, capacity=1)
    with pytest.raises(ValueError, match="capacity"):
        TokenBucket(rate=1, capacity=0)


async def test_the_client_takes_a_token_for_every_attempt_including_retries(
    api: SpecCheckedRouter,
) -> None:
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    api.get("/v1/severities").mock(
        side_effect=[f.error(503), httpx.Response(200, json={"severities": []})]
    )
    async with IncidentIoClient("k", rate_per_second=1, burst=1, sleep=record) as client:
        await client.list_severities()

    # [the retry backoff, then the bucket's wait for the second attempt's token (about 1 s)]
    backoff, bucket_wait = slept
    assert 0.0 <= backoff <= 0.5
    assert bucket_wait == pytest.approx(1.0, abs=0.05)


async def test_the_per_minute_setting_is_this_process_s_share_of_the_key(
    api: SpecCheckedRouter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Three replicas sharing a key at 1200/min would set 400; 3/min keeps the arithmetic visible:
    # a burst of 3, then one request every 20 s.
    monkeypatch.chdir(tmp_path)  # no stray .env
    settings = load_settings(
        incidentio_api_key="k", slack_bot_token="xoxb-1", incidentio_rate_limit_per_minute=3
    )
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    api.get("/v1/severities").mock(return_value=httpx.Response(200, json={"severities": []}))
    async with IncidentIoClient.from_settings(settings, sleep=record) as client:
        for _ in range(4):
            await client.list_severities()

    assert slept == [pytest.approx(20.0, abs=0.05)]


def test_the_per_minute_setting_must_be_positive(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INCIDENTIO_RATE_LIMIT_PER_MINUTE", "0")
    with pytest.raises(ConfigError, match="INCIDENTIO_RATE_LIMIT_PER_MINUTE: Input should be"):
        load_settings(incidentio_api_key="k", slack_bot_token="xoxb-1")
