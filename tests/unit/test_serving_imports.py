"""What a serving process never needs stays out of it: Alembic (migrations run in a child, or
only when the schema is behind) and svix (only once webhooks are on), 11 MiB resident each; on
SQLite, asyncpg and SQLAlchemy's PostgreSQL dialect (4 MiB)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
import bot.__main__, bot.app, bot.server, bot.webhook_endpoint
import bot.store.child_migration, bot.store.sql
loaded = {name: name in sys.modules for name in ("alembic", "svix")}
from bot.webhook_signature import Signatures
Signatures("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
print(json.dumps([loaded, "svix" in sys.modules]))
"""


def test_serving_loads_neither_alembic_nor_svix_until_webhooks_are_on() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == [{"alembic": False, "svix": False}, True]


ON_SQLITE = """
import asyncio, json, sys
from datetime import UTC, datetime, timedelta
import bot.__main__, bot.app, bot.server, bot.serve_command
from bot.store.sql import SqlStore
from bot.store.url import default_url
from bot.store_api import CardPlace


async def not_behind(engine):
    raise AssertionError("the parent migrated this database: it must be at head")


async def use(store):
    await store.migrate(upgrade=not_behind)
    await store.add_card(CardPlace("01ABC", "C1", "1.2"))
    now = datetime.now(UTC)
    await store.watch({"01ABC": now})
    await store.claim("me", now, now + timedelta(seconds=30), 5)
    await store.claim_delivery("msg_1", timedelta(seconds=30))
    await store.advance_version("01ABC", now)
    cards = await store.cards_of("01ABC")
    await store.close()
    return len(cards)


store = SqlStore(default_url(__import__("pathlib").Path(sys.argv[1])))
count = asyncio.run(use(store))
print(json.dumps([count, [m for m in ("asyncpg", "sqlalchemy.dialects.postgresql") if m in sys.modules]]))
"""


def test_a_process_on_sqlite_never_loads_postgresqls_driver_or_dialect(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'incident-bot.db'}"}
    subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=env,
        capture_output=True,
        timeout=60,
        check=True,
    )
    done = subprocess.run(
        [sys.executable, "-c", ON_SQLITE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout) == [1, []]
