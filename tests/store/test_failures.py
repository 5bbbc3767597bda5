"""A store that cannot be used says so with StoreError, the one exception the flows catch, and
never with the password of its URL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.store.sql import SqlStore
from bot.store.url import parse
from bot.store_api import CardPlace, StoreError
from tests.postgres import postgres_url

CARD = CardPlace("01HINCIDENT", "C0DECLARED", "1712345678.000100")
PASSWORD = "s3cret p@ss/word"  # with characters a URL must quote
QUOTED = "s3cret%20p%40ss%2Fword"


def with_password(url: str, password: str) -> str:
    return make_url(url).set(password=password).render_as_string(hide_password=False)


async def test_a_database_that_is_down_raises_store_error_without_the_password() -> None:
    url = f"postgresql+asyncpg://bot:{QUOTED}@127.0.0.1:1/incidents"
    store = SqlStore(parse(url), timeout=2.0)
    for attempt in (store.add_card(CARD), store.cards_of(CARD.incident_id), store.migrate()):
        with pytest.raises(StoreError) as caught:
            await attempt
        message = str(caught.value)
        assert "postgresql+asyncpg://bot:***@127.0.0.1:1/incidents" in message
        assert PASSWORD not in message and QUOTED not in message
    assert PASSWORD not in repr(store) and QUOTED not in repr(store)
    await store.close()


async def test_a_refused_password_raises_store_error_without_it() -> None:
    store = SqlStore(parse(with_password(postgres_url(), PASSWORD)))
    with pytest.raises(StoreError, match="password authentication failed") as caught:
        await store.cards_of(CARD.incident_id)
    assert PASSWORD not in str(caught.value) and QUOTED not in str(caught.value)
    await store.close()


async def test_a_sqlite_file_that_cannot_be_created_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    store = SqlStore(parse(f"sqlite+aiosqlite:///{blocker / 'incident-bot.db'}"))
    with pytest.raises(StoreError, match="could not"):
        await store.add_card(CARD)
    await store.close()


async def test_a_locked_sqlite_file_raises_store_error_then_recovers(tmp_path: Path) -> None:
    path = tmp_path / "incident-bot.db"
    store = SqlStore(parse(f"sqlite+aiosqlite:///{path}"), timeout=0.2)
    await store.migrate()
    other = sqlite3.connect(path, isolation_level=None)  # another process, mid-write
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            await store.add_card(CARD)
        with pytest.raises(StoreError, match="locked"):
            await store.cards_of(CARD.incident_id)
    finally:
        other.execute("ROLLBACK")
        other.close()
    await store.add_card(CARD)
    assert await store.cards_of(CARD.incident_id) == [CARD]
    await store.close()


async def test_a_schema_newer_than_the_bot_raises_store_error(
    open_store: Callable[[], SqlStore],
) -> None:
    # A newer version of the bot migrated this database, then this one was started on it.
    store = open_store()
    await store.migrate()
    engine = store._connect()
    async with engine.begin() as connection:
        await connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'fffffff'")
    with pytest.raises(StoreError, match="fffffff"):
        await open_store().migrate()
