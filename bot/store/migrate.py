"""The store's schema brought to the newest revision: by `serve` at start and by `incident-bot
migrate`, through Alembic's programmatic API on the scripts shipped in bot/store/migrations/.

Replicas may start together: on PostgreSQL an advisory lock, on SQLite an immediate transaction,
lets one of them migrate while the others wait, then find nothing left to do.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

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
    """The newest revision this version of the bot knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def _upgrade(connection: Connection) -> None:
    command.upgrade(_config(connection), "head")


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


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


async def current(engine: AsyncEngine) -> str | None:
    """The database's revision (None before the first migration)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)
