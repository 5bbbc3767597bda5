"""The store's schema brought to the newest revision: by `incident-bot migrate` (which `serve`
runs as a child process when the schema is behind) and by a store's first use after a failed
start, through Alembic's programmatic API on the scripts shipped in bot/store/migrations/.
Imported only then (bot/store/revisions.py says whether anything is to be done).

Replicas may start together: on PostgreSQL an advisory lock, on SQLite an immediate transaction,
lets one of them migrate while the others wait, then find nothing left to do.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.revisions import SchemaError

# Package notation: found wherever the package is installed, with no alembic.ini beside it.
SCRIPTS = "bot.store:migrations"
# Any constant shared by every replica: "incident-bot store" folded into a bigint.
LOCK_KEY = 0x1C1DE7B07


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    config.attributes["connection"] = connection
    return config


def head() -> str | None:
    """The newest revision, as Alembic finds it (bot/store/revisions.head() must agree)."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def _upgrade(connection: Connection) -> None:
    try:
        command.upgrade(_config(connection), "head")
    except CommandError as error:
        raise SchemaError(str(error)) from error


async def upgrade(engine: AsyncEngine) -> None:
    """Apply every migration the database lacks; a database already at head is left as it is."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until this transaction ends; PostgreSQL runs the DDL in it too.
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        else:
            # SQLite's driver would leave DDL outside any transaction: take the write lock first.
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        await connection.run_sync(_upgrade)
