"""Reminder leases on each database: a due reminder is claimed by one process at a time, a dead
holder's lease runs out instead of losing it, and updates and snoozes move the clock the right
way (the same promises MemoryReminders keeps, checked against it too)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.reminders.leases import Claim, MemoryReminders, ReminderStore
from bot.store.sql import SqlStore

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
MINUTE = timedelta(minutes=1)


@pytest.fixture(params=["sql", "memory"])
def reminders(request: pytest.FixtureRequest, store: SqlStore) -> ReminderStore:
    return store if request.param == "sql" else MemoryReminders()


async def claim(store: ReminderStore, owner: str, now: datetime = NOW) -> list[str]:
    return [c.incident_id for c in await store.claim(owner, now, now + LEASE, 50)]


async def test_only_due_reminders_are_claimed_oldest_first(reminders: ReminderStore) -> None:
    await reminders.watch({"late": NOW - MINUTE, "later": NOW - 2 * MINUTE, "soon": NOW + MINUTE})
    claims = await reminders.claim("a", NOW, NOW + LEASE, 50)
    assert claims == [Claim("later", NOW - 2 * MINUTE), Claim("late", NOW - MINUTE)]


async def test_a_held_reminder_is_not_claimed_again_until_its_lease_runs_out(
    reminders: ReminderStore,
) -> None:
    await reminders.watch({"inc": NOW - MINUTE})
    assert await claim(reminders, "a") == ["inc"]
    assert await claim(reminders, "b") == []
    assert await claim(reminders, "b", NOW + LEASE - timedelta(seconds=1)) == []
    # The holder died: its lease runs out and the reminder is not lost.
    assert await claim(reminders, "b", NOW + LEASE) == ["inc"]
    # The first holder comes back too late: it no longer holds the reminder.
    assert not await reminders.release(Claim("inc", NOW - MINUTE), "a", NOW + 30 * MINUTE)


async def test_release_sets_the_next_due_time_and_frees_the_lease(
    reminders: ReminderStore,
) -> None:
    await reminders.watch({"inc": NOW - MINUTE})
    [held] = await reminders.claim("a", NOW, NOW + LEASE, 50)
    assert await reminders.release(held, "a", NOW + 30 * MINUTE)
    assert await reminders.due_of("inc") == NOW + 30 * MINUTE
    assert await claim(reminders, "b", NOW + 29 * MINUTE) == []
    assert await claim(reminders, "b", NOW + 30 * MINUTE) == ["inc"]


async def test_a_snooze_while_posting_is_kept_by_release(reminders: ReminderStore) -> None:
    await reminders.watch({"inc": NOW - MINUTE})
    [held] = await reminders.claim("a", NOW, NOW + LEASE, 50)
    await reminders.snooze("inc", NOW + 120 * MINUTE)
    assert await reminders.release(held, "a", NOW + 30 * MINUTE)
    assert await reminders.due_of("inc") == NOW + 120 * MINUTE


async def test_watch_keeps_the_clock_of_incidents_already_watched(
    reminders: ReminderStore,
) -> None:
    await reminders.watch({"inc": NOW + MINUTE})
    await reminders.watch({"inc": NOW - 60 * MINUTE, "new": NOW})
    assert await reminders.due_of("inc") == NOW + MINUTE
    assert await reminders.due_of("new") == NOW
    assert await reminders.due_of("unknown") is None


async def test_an_update_pushes_the_clock_back_never_forward(reminders: ReminderStore) -> None:
    await reminders.push_back("inc", NOW + 30 * MINUTE)  # watched from its first update
    assert await reminders.due_of("inc") == NOW + 30 * MINUTE
    await reminders.push_back("inc", NOW + 45 * MINUTE)
    assert await reminders.due_of("inc") == NOW + 45 * MINUTE
    await reminders.snooze("inc", NOW + 120 * MINUTE)
    # A refresh that saw no newer update must not undo the snooze.
    await reminders.push_back("inc", NOW + 45 * MINUTE)
    assert await reminders.due_of("inc") == NOW + 120 * MINUTE
    # A snooze is the one move that may bring it closer.
    await reminders.snooze("inc", NOW + 30 * MINUTE)
    assert await reminders.due_of("inc") == NOW + 30 * MINUTE


async def test_a_forgotten_incident_is_never_claimed(reminders: ReminderStore) -> None:
    await reminders.watch({"inc": NOW - MINUTE, "other": NOW - MINUTE})
    await reminders.forget("inc")
    await reminders.forget("never-watched")
    assert await claim(reminders, "a") == ["other"]
    assert await reminders.due_of("inc") is None


async def test_claims_stop_at_the_limit(reminders: ReminderStore) -> None:
    await reminders.watch({f"inc{n:02}": NOW - n * MINUTE for n in range(1, 6)})
    first = await reminders.claim("a", NOW, NOW + LEASE, 2)
    assert [c.incident_id for c in first] == ["inc05", "inc04"]
    assert await claim(reminders, "b") == ["inc03", "inc02", "inc01"]


async def test_replicas_claiming_at_once_each_get_different_reminders(
    open_store: Callable[[], SqlStore],
) -> None:
    replicas = [open_store() for _ in range(3)]
    await asyncio.gather(*(r.migrate() for r in replicas))
    await replicas[0].watch({f"inc{n:02}": NOW - n * MINUTE for n in range(40)})

    async def claim_all(replica: SqlStore, owner: str) -> list[str]:
        got: list[str] = []
        for _ in range(10):
            got += [c.incident_id for c in await replica.claim(owner, NOW, NOW + LEASE, 3)]
        return got

    claimed = await asyncio.gather(*(claim_all(r, f"replica{n}") for n, r in enumerate(replicas)))
    everything = [incident for got in claimed for incident in got]
    assert sorted(everything) == sorted(f"inc{n:02}" for n in range(40))  # each exactly once
