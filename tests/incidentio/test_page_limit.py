"""Pages' own limit (60 a minute beside the key's 1200) and their retry policy for 429s."""

from __future__ import annotations

import pytest

from bot.incidentio.client import IncidentIoClient
from bot.incidentio.errors import RateLimitedError, ServerError
from bot.incidentio.oncall_api import PageRetryPolicy
from bot.incidentio.ratelimit import RouteBucket, TokenBucket
from bot.incidentio.retry import RetrySafety
from tests.incidentio.test_ratelimit import FakeTime


def buckets(fake: FakeTime) -> tuple[TokenBucket, RouteBucket]:
    shared = TokenBucket(rate=20, capacity=1200, clock=fake.clock, sleep=fake.sleep)
    pages = RouteBucket(1.0, 60, shared, clock=fake.clock, sleep=fake.sleep)
    return shared, pages


async def test_a_burst_of_pages_waits_in_its_own_queue() -> None:
    fake = FakeTime()
    shared, pages = buckets(fake)
    waits = [await pages.acquire() for _ in range(62)]
    assert waits[:60] == [0.0] * 60
    assert waits[60:] == pytest.approx([1.0, 1.0])  # 60 a minute: one a second past the burst
    # Each page took one token of the key's allowance too, and left the rest to other calls.
    assert shared.available == pytest.approx(1200 - 62 + 20 * 2, abs=1)
    assert await shared.acquire() == 0.0


async def test_a_429_on_pages_slows_pages_only() -> None:
    fake = FakeTime()
    shared, pages = buckets(fake)
    pages.refused(30.0)
    assert await shared.acquire() == 0.0
    assert pages.available < 0


def refused(after: float | None) -> RateLimitedError:
    error = RateLimitedError(message="slow down", status=429)
    error.retry_after = after
    return error


@pytest.mark.parametrize(
    ("after", "waited", "retried"),
    [(1.0, 0.0, True), (3.0, 0.0, True), (40.0, 0.0, False), (None, 0.0, True), (1.0, 2.5, False)],
)
def test_a_refused_page_is_tried_again_only_within_3_s(
    after: float | None, waited: float, retried: bool
) -> None:
    policy = PageRetryPolicy()
    decision = policy.should_retry(
        refused(after), 1, RetrySafety.SAFE, sent=True, rate_limited_wait=waited
    )
    assert decision is retried


def test_other_failures_follow_the_usual_policy() -> None:
    policy = PageRetryPolicy(max_retries=1)
    error = ServerError(message="boom", status=503)
    assert policy.should_retry(error, 1, RetrySafety.SAFE, sent=True)
    assert not policy.should_retry(error, 2, RetrySafety.SAFE, sent=True)


async def test_a_page_names_a_path_or_people_never_both() -> None:
    client = IncidentIoClient("key")
    with pytest.raises(ValueError, match="exactly one"):
        await client.create_escalation(idempotency_key="k", title="t")
    with pytest.raises(ValueError, match="exactly one"):
        await client.create_escalation(
            idempotency_key="k", title="t", escalation_path_id="p", user_ids=["u"]
        )
    await client.aclose()
