"""The same store tests against each database the store speaks: an SQLite file of the test's own,
and the PostgreSQL server of TEST_DATABASE_URL (tests/postgres.py: required in CI)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.store.sql import SqlStore
from bot.store.url import parse
from tests.postgres import emptied, postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL with nothing of the store in it yet."""
    if request.param == "sqlite":
        # A directory that does not exist yet: the store creates it, as on a first start.
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'incident-bot.db'}"
    return await emptied(postgres_url())


@pytest.fixture
async def open_store(database: str) -> AsyncIterator[Callable[[], SqlStore]]:
    """Opens a store on `database`, as many as the test wants (another process, a replica, the bot
    restarted); each is closed at teardown."""
    opened: list[SqlStore] = []

    def open_one() -> SqlStore:
        opened.append(SqlStore(parse(database)))
        return opened[-1]

    yield open_one
    for store in opened:
        await store.close()


@pytest.fixture
def store(open_store: Callable[[], SqlStore]) -> SqlStore:
    return open_store()
