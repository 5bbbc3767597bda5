"""The store keeps where the cards are: across restarts, across replicas, once per card."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.store.migrate import head
from bot.store.sql import SqlStore
from bot.store_api import CardPlace

CARD = CardPlace("01HINCIDENT", "C0DECLARED", "1712345678.000100")
ANNOUNCED = CardPlace("01HINCIDENT", "C0ANNOUNCE", "1712345679.000200")
OTHER = CardPlace("01HOTHER", "C0DECLARED", "1712345680.000300")


async def test_a_recorded_card_is_found_by_its_incident(store: SqlStore) -> None:
    await store.add_card(CARD)
    await store.add_card(OTHER)
    assert await store.cards_of(CARD.incident_id) == [CARD]
    assert await store.cards_of(OTHER.incident_id) == [OTHER]
    assert await store.cards_of("01HUNKNOWN") == []


async def test_the_cards_of_an_incident_come_oldest_first(store: SqlStore) -> None:
    await store.add_card(ANNOUNCED)
    await store.add_card(CARD)
    assert await store.cards_of(CARD.incident_id) == [ANNOUNCED, CARD]


async def test_a_card_recorded_twice_is_kept_once(store: SqlStore) -> None:
    await store.add_card(CARD)
    await store.add_card(CARD)
    assert await store.cards_of(CARD.incident_id) == [CARD]


async def test_a_restarted_bot_finds_the_cards(open_store: Callable[[], SqlStore]) -> None:
    before = open_store()
    await before.add_card(CARD)
    await before.close()
    after = open_store()
    assert await after.cards_of(CARD.incident_id) == [CARD]


async def test_two_replicas_see_each_others_cards(open_store: Callable[[], SqlStore]) -> None:
    one, two = open_store(), open_store()
    await one.add_card(CARD)
    await two.add_card(ANNOUNCED)
    assert await two.cards_of(CARD.incident_id) == [CARD, ANNOUNCED]
    assert await one.cards_of(CARD.incident_id) == [CARD, ANNOUNCED]


async def test_replicas_recording_one_card_at_once_keep_one(
    open_store: Callable[[], SqlStore],
) -> None:
    replicas = [open_store() for _ in range(3)]
    await asyncio.gather(*(r.migrate() for r in replicas))
    await asyncio.gather(*(r.add_card(CARD) for r in replicas for _ in range(5)))
    assert await replicas[0].cards_of(CARD.incident_id) == [CARD]


async def test_the_first_use_creates_the_schema(store: SqlStore) -> None:
    # Nothing migrated it: `serve` could not reach the database at start, say.
    assert await store.cards_of(CARD.incident_id) == []
    assert await store.revision() == head()


async def test_migrating_twice_changes_nothing(open_store: Callable[[], SqlStore]) -> None:
    store = open_store()
    assert await store.revision() is None
    await store.migrate()
    await store.add_card(CARD)
    await store.migrate()
    await open_store().migrate()
    assert await store.revision() == head() is not None
    assert await store.cards_of(CARD.incident_id) == [CARD]


async def test_replicas_starting_together_migrate_once(
    open_store: Callable[[], SqlStore],
) -> None:
    replicas = [open_store() for _ in range(3)]
    await asyncio.gather(*(r.migrate() for r in replicas))
    assert [await r.revision() for r in replicas] == [head()] * 3


async def test_a_closed_store_reconnects_when_used(store: SqlStore) -> None:
    await store.add_card(CARD)
    await store.close()
    await store.close()
    assert await store.cards_of(CARD.incident_id) == [CARD]
