"""A serving process reads where the schema stands without Alembic, and migrates through a
child `incident-bot migrate` only when it is behind; the head it compares with is Alembic's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store import migrate, revisions
from bot.store.child_migration import migrate_apart
from bot.store.sql import SqlStore
from bot.store_api import StoreError

# Run in a fresh interpreter: which modules a store's start loads, and where it left the schema.
PROBE = """
import asyncio, json, sys
from bot.store.child_migration import migrate_apart
from bot.store.sql import SqlStore
from bot.store.url import parse

async def start(how: str, store: SqlStore) -> str | None:
    await (migrate_apart(store) if how == "apart" else store.migrate())
    try:
        return await store.revision()
    finally:
        await store.close()

revision = asyncio.run(start(sys.argv[1], SqlStore(parse(sys.argv[2]))))
print(json.dumps({"revision": revision, "alembic": "alembic" in sys.modules}))
"""


def probe(how: str, database: str, cwd: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, how, database],
        cwd=cwd,
        env={**os.environ, "DATABASE_URL": database},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_head_read_from_the_file_names_is_alembics() -> None:
    assert revisions.head() == migrate.head()


def test_a_store_behind_loads_alembic_and_one_at_head_does_not(
    database: str, tmp_path: Path
) -> None:
    assert probe("in-process", database, tmp_path) == {
        "revision": revisions.head(),
        "alembic": True,
    }
    assert probe("in-process", database, tmp_path) == {
        "revision": revisions.head(),
        "alembic": False,
    }


def test_serve_migrates_in_a_child_and_never_loads_alembic(database: str, tmp_path: Path) -> None:
    assert probe("apart", database, tmp_path) == {"revision": revisions.head(), "alembic": False}
    assert probe("apart", database, tmp_path) == {"revision": revisions.head(), "alembic": False}


async def test_a_failed_child_migration_says_why(
    open_store: Callable[[], SqlStore],
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A newer version of the bot migrated this database, then this one was started on it.
    store = open_store()
    await store.migrate()
    async with store._connect().begin() as connection:
        await connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'fffffff'")
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=r"could not migrate.*fffffff"):
        await migrate_apart(open_store())
