"""Where the schema stands, read without Alembic.

Alembic and what only it needs (Mako among them) hold some 11 MiB for the life of a process
that imported them, and a serving process migrates at most once, at start, and usually finds
nothing to do. So whether there is anything to do is answered here, with SQLAlchemy alone:
the database's `alembic_version` against the newest script in migrations/versions/.
bot/store/migrate.py, which imports Alembic, runs only when the two differ.
"""

from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

VERSIONS = Path(__file__).parent / "migrations" / "versions"
# Alembic's bookkeeping table (its default name, which env.py keeps).
VERSION_TABLE = "alembic_version"


class SchemaError(Exception):
    """Alembic could not bring the schema to head (a revision this bot does not know, say)."""


@functools.cache
def head() -> str:
    """The newest revision this version of the bot ships. A migration's file name starts with
    its revision ID, and IDs count up ("0001", "0002", ...): tests/store hold Alembic's own head
    to the same answer."""
    ids = [path.name.partition("_")[0] for path in VERSIONS.glob("[0-9]*_*.py")]
    if not ids:
        raise SchemaError(f"no migrations in {VERSIONS}")
    return max(ids)


def _current(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    # One row on a linear history; several would be branches, which this bot never makes.
    return str(rows[0]) if len(rows) == 1 else None


async def current(engine: AsyncEngine) -> str | None:
    """The database's revision (None before the first migration)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def at_head(engine: AsyncEngine) -> bool:
    return await current(engine) == head()
