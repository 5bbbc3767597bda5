"""Webhook deliveries are processed once across replicas, and the state a card shows never goes
back: on SQLite and PostgreSQL (SqlStore) and in MemoryStore, which must mean the same."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.store.sql import SqlStore
from bot.store_api import Claim, MemoryStore, Store

LEASE = timedelta(minutes=2)
T0 = datetime(2026, 12, 3, 6, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture(params=["sql", "memory"])
def any_store(request: pytest.FixtureRequest, open_store: Callable[[], SqlStore]) -> Store:
    return open_store() if request.param == "sql" else MemoryStore()


async def test_a_delivery_is_claimed_once_then_busy_then_done(any_store: Store) -> None:
    assert await any_store.claim_delivery("msg_1", LEASE) is Claim.CLAIMED
    assert await any_store.claim_delivery("msg_1", LEASE) is Claim.BUSY
    await any_store.finish_delivery("msg_1")
    assert await any_store.claim_delivery("msg_1", LEASE) is Claim.DONE
    assert await any_store.claim_delivery("msg_2", LEASE) is Claim.CLAIMED


async def test_a_released_delivery_is_claimed_again(any_store: Store) -> None:
    assert await any_store.claim_delivery("msg_1", LEASE) is Claim.CLAIMED
    await any_store.release_delivery("msg_1")
    assert await any_store.claim_delivery("msg_1", LEASE) is Claim.CLAIMED


async def test_an_abandoned_claim_is_taken_over_after_its_lease(any_store: Store) -> None:
    assert await any_store.claim_delivery("msg_1", timedelta(0)) is Claim.CLAIMED
    await asyncio.sleep(0.01)  # a claim older than a zero lease: its replica is gone
    assert await any_store.claim_delivery("msg_1", timedelta(0)) is Claim.CLAIMED
    assert await any_store.claim_delivery("msg_1", LEASE) is Claim.BUSY


async def test_a_finished_delivery_is_never_taken_over(any_store: Store) -> None:
    assert await any_store.claim_delivery("msg_1", LEASE) is Claim.CLAIMED
    await any_store.finish_delivery("msg_1")
    await any_store.release_delivery("msg_1")  # a late failure of a copy undoes nothing
    await asyncio.sleep(0.01)
    assert await any_store.claim_delivery("msg_1", timedelta(0)) is Claim.DONE


async def test_purging_forgets_old_deliveries_only(any_store: Store) -> None:
    await any_store.claim_delivery("old", LEASE)
    await any_store.finish_delivery("old")
    cut = datetime.now(UTC) + timedelta(seconds=1)
    assert await any_store.purge_deliveries(cut) == 1
    assert await any_store.purge_deliveries(cut - timedelta(days=2)) == 0
    assert await any_store.claim_delivery("old", LEASE) is Claim.CLAIMED


async def test_the_version_moves_forward_only(any_store: Store) -> None:
    assert await any_store.version_of("01HINC") is None
    assert await any_store.advance_version("01HINC", T0) is True
    assert await any_store.version_of("01HINC") == T0
    assert await any_store.advance_version("01HINC", T0) is True  # the same state again
    assert await any_store.advance_version("01HINC", T0 - timedelta(microseconds=1)) is False
    assert await any_store.version_of("01HINC") == T0
    later = T0 + timedelta(seconds=5)
    assert await any_store.advance_version("01HINC", later) is True
    assert await any_store.version_of("01HINC") == later
    assert await any_store.version_of("01HOTHER") is None


async def test_versions_in_other_zones_compare_as_moments(any_store: Store) -> None:
    paris = T0.astimezone(timezone(timedelta(hours=1)))
    await any_store.advance_version("01HINC", paris)
    assert await any_store.version_of("01HINC") == T0
    assert await any_store.advance_version("01HINC", T0 - timedelta(seconds=1)) is False


async def test_replicas_claiming_one_delivery_at_once_process_it_once(
    open_store: Callable[[], SqlStore],
) -> None:
    replicas = [open_store() for _ in range(3)]
    await asyncio.gather(*(r.migrate() for r in replicas))
    claims = await asyncio.gather(
        *(r.claim_delivery("msg_race", LEASE) for r in replicas for _ in range(4))
    )
    assert claims.count(Claim.CLAIMED) == 1
    assert set(claims) == {Claim.CLAIMED, Claim.BUSY}


async def test_replicas_advancing_at_once_keep_the_newest(
    open_store: Callable[[], SqlStore],
) -> None:
    replicas = [open_store() for _ in range(3)]
    await asyncio.gather(*(r.migrate() for r in replicas))
    moments = [T0 + timedelta(seconds=s) for s in (3, 1, 2, 0, 5, 4)]
    await asyncio.gather(
        *(replicas[i % 3].advance_version("01HINC", m) for i, m in enumerate(moments))
    )
    assert await replicas[0].version_of("01HINC") == T0 + timedelta(seconds=5)
    assert await replicas[1].advance_version("01HINC", T0 + timedelta(seconds=4)) is False
