"""The store as `serve` starts it: migrated at start in the bot's data directory, and a database
that cannot be reached neither stops the bot nor shows up its password."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.store.migrate import head
from bot.store.sql import SqlStore
from bot.store.url import parse
from tests.e2e.botproc import BotProcess
from tests.e2e.conftest import Upstreams

PASSWORD = "pg-s3cret-password"


def revision_of(url: str) -> str | None:
    """The schema revision of the bot's database, read from here (another process)."""

    async def read() -> str | None:
        store = SqlStore(parse(url))
        try:
            return await store.revision()
        finally:
            await store.close()

    return asyncio.run(read())


def test_serve_creates_and_migrates_the_sqlite_file_in_its_data_directory(
    upstreams: Upstreams, launch_bot: Callable[..., BotProcess], tmp_path: Path
) -> None:
    data = tmp_path / "volume" / "data"  # a first start: the directory is not there yet
    bot = launch_bot(upstreams, env={"INCIDENT_BOT_DATA_DIR": str(data)})
    assert (data / "incident-bot.db").is_file()
    assert revision_of(f"sqlite+aiosqlite:///{data / 'incident-bot.db'}") == head()
    said = [line for line in bot.log_lines() if "store:" in str(line.get("message", ""))]
    assert said and str(data) in said[0]["message"]


def test_serve_starts_while_its_database_is_down_and_never_logs_the_password(
    upstreams: Upstreams, launch_bot: Callable[..., BotProcess]
) -> None:
    url = f"postgresql+asyncpg://bot:{PASSWORD}@127.0.0.1:1/incident_bot"
    bot = launch_bot(upstreams, env={"DATABASE_URL": url})
    text = bot.log_text()
    assert "postgresql+asyncpg://bot:***@127.0.0.1:1/incident_bot" in text
    assert "could not migrate" in text
    assert PASSWORD not in text
