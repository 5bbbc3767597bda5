"""The store on SQLAlchemy 2 async: an embedded SQLite file for one process, PostgreSQL for
several replicas. Whatever goes wrong below it (down, locked, refused, not migrated) leaves as a
StoreError whose message hides the password; nothing else does."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store import deliveries, revisions
from bot.store.reminders import SqlReminders
from bot.store.schema import cards
from bot.store.url import POSTGRESQL, dialect_of, redact, scrub, sqlite_file
from bot.store_api import CardPlace, Claim, StoreError

log = logging.getLogger("bot.store")
Upgrade = Callable[[AsyncEngine], Awaitable[None]]

# What the drivers and Alembic raise when the database, not the caller, is the problem.
FAILURES: tuple[type[BaseException], ...] = (
    SQLAlchemyError,
    revisions.SchemaError,
    OSError,
    TimeoutError,
)


def failures_of(url: URL) -> tuple[type[BaseException], ...]:
    """FAILURES, and for PostgreSQL asyncpg's own errors, which escape SQLAlchemy's wrapping
    while connecting (a refused password, a missing database). asyncpg is imported only for a
    PostgreSQL URL: a process on SQLite never loads it (2 MiB)."""
    if url.drivername != POSTGRESQL:
        return FAILURES
    import asyncpg

    return (*FAILURES, asyncpg.PostgresError, asyncpg.InterfaceError)


# A flow waits on the store while Slack waits on the flow: give up on a dead server, or on a
# SQLite file another process holds locked, within seconds.
TIMEOUT = 5.0


class SqlStore(SqlReminders):
    """The Store protocol (bot/store_api.py) on a database URL. Creating one connects to nothing:
    the engine is made on first use, in the event loop that uses it."""

    def __init__(self, url: URL, *, timeout: float = TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout
        self._failures_caught = failures_of(url)
        self._engine: AsyncEngine | None = None
        self._migrated = False
        self._migrating: asyncio.Lock | None = None

    def __repr__(self) -> str:
        return f"SqlStore({redact(self.url)})"

    @property
    def where(self) -> str:
        """The database, as it may be logged: its URL with the password hidden."""
        return redact(self.url)

    async def migrate(self, upgrade: Upgrade | None = None) -> None:
        """Bring the schema to this version's newest revision. Idempotent; replicas may call it
        together. `upgrade` does it when the schema is behind (Alembic in this process unless
        given: `serve` runs a child, bot/store/child_migration.py)."""
        async with self._failures("migrate"):
            engine = self._connect()
            if not await revisions.at_head(engine):
                await (upgrade or _alembic_upgrade)(engine)
        self._migrated = True

    async def revision(self) -> str | None:
        """The database's schema revision (None before the first migration)."""
        async with self._failures("read the schema revision"):
            return await revisions.current(self._connect())

    @property
    def _dialect(self) -> ModuleType:
        return dialect_of(self.url)

    async def add_card(self, card: CardPlace) -> None:
        dialect = self._dialect
        # Insert-or-ignore, atomic in the database: replicas recording one card race safely.
        statement = (
            dialect.insert(cards)
            .values(
                incident_id=card.incident_id,
                channel_id=card.channel_id,
                ts=card.ts,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
        )
        async with self._failures("record a card"):
            async with (await self._ready()).begin() as connection:
                await connection.execute(statement)

    async def cards_of(self, incident_id: str) -> list[CardPlace]:
        query = (
            select(cards.c.incident_id, cards.c.channel_id, cards.c.ts)
            .where(cards.c.incident_id == incident_id)
            .order_by(cards.c.created_at, cards.c.ts)
        )
        async with self._failures("read the cards"):
            async with (await self._ready()).connect() as connection:
                rows = (await connection.execute(query)).all()
        return [CardPlace(row.incident_id, row.channel_id, row.ts) for row in rows]

    # Webhooks (bot/store/deliveries.py has the statements).
    async def claim_delivery(self, webhook_id: str, lease: timedelta) -> Claim:
        async with self._failures("claim a webhook delivery"):
            async with (await self._ready()).begin() as connection:
                return await deliveries.claim(connection, self._dialect, webhook_id, lease)

    async def finish_delivery(self, webhook_id: str) -> None:
        async with self._failures("mark a webhook delivery processed"):
            async with (await self._ready()).begin() as connection:
                await deliveries.finish(connection, webhook_id)

    async def release_delivery(self, webhook_id: str) -> None:
        async with self._failures("release a webhook delivery"):
            async with (await self._ready()).begin() as connection:
                await deliveries.release(connection, webhook_id)

    async def purge_deliveries(self, before: datetime) -> int:
        async with self._failures("purge old webhook deliveries"):
            async with (await self._ready()).begin() as connection:
                return await deliveries.purge(connection, before)

    async def version_of(self, incident_id: str) -> datetime | None:
        async with self._failures("read the state a card shows"):
            async with (await self._ready()).connect() as connection:
                return await deliveries.version_of(connection, incident_id)

    async def advance_version(self, incident_id: str, updated_at: datetime) -> bool:
        async with self._failures("record the state a card shows"):
            async with (await self._ready()).begin() as connection:
                return await deliveries.advance(connection, self._dialect, incident_id, updated_at)

    async def close(self) -> None:
        """Release the connections; the store stays usable (it reconnects on next use)."""
        engine, self._engine = self._engine, None
        if engine is not None:
            async with self._failures("close its connections"):
                await engine.dispose()

    def _connect(self) -> AsyncEngine:
        if self._engine is None:
            file = sqlite_file(self.url)
            if file is not None:  # the data directory, on a first start
                file.parent.mkdir(parents=True, exist_ok=True)
            self._engine = create_async_engine(
                self.url, pool_pre_ping=True, connect_args=self._connect_args()
            )
        return self._engine

    def _connect_args(self) -> dict[str, Any]:
        if self.url.drivername == POSTGRESQL:
            return {"timeout": self.timeout, "command_timeout": self.timeout * 2}
        # SQLite: how long to wait for another process's write lock before "database is locked".
        return {"timeout": self.timeout}

    async def _ready(self) -> AsyncEngine:
        """The engine, once the schema is migrated. `serve` migrates at start; when that failed
        (the database was down), the first use after it comes back migrates instead."""
        if not self._migrated:
            self._migrating = self._migrating or asyncio.Lock()
            async with self._migrating:
                if not self._migrated:
                    await self.migrate()
        return self._connect()

    @contextlib.asynccontextmanager
    async def _begin(self, doing: str) -> AsyncIterator[AsyncConnection]:
        async with self._failures(doing):
            async with (await self._ready()).begin() as connection:
                yield connection

    @contextlib.asynccontextmanager
    async def _failures(self, doing: str) -> AsyncIterator[None]:
        try:
            yield
        except self._failures_caught as error:
            # The driver's own words (not SQLAlchemy's wrapper, which repeats the SQL).
            cause = getattr(error, "orig", None) or error
            detail = scrub(str(cause).strip(), self.url) or type(cause).__name__
            raise StoreError(f"the store ({self.where}) could not {doing}: {detail}") from error


async def _alembic_upgrade(engine: AsyncEngine) -> None:
    # Alembic stays out of a process whose database is already at head (11 MiB resident).
    from bot.store import migrate

    await migrate.upgrade(engine)
