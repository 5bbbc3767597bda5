"""The reminder leases on SQL (bot/reminders/leases.py says what each method promises).

Claiming is one statement on both databases: `UPDATE … WHERE incident_id IN (SELECT … due, lease
free … LIMIT n FOR UPDATE SKIP LOCKED) RETURNING`. On PostgreSQL, replicas claiming at once skip
the rows another has locked, and the outer WHERE repeats the condition, so a row is held by one
owner at a time; SQLite has no FOR UPDATE (SQLAlchemy leaves it out) but runs one write at a time,
which makes the same statement atomic there.

SQLite keeps datetimes without their zone: every time goes in as UTC and comes back made UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, or_, select, update
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.reminders.leases import Claim
from bot.store.schema import reminders, utc
from bot.store.url import dialect_of


class SqlReminders:
    """The reminder methods of SqlStore (bot/store/sql.py), which gives the connection."""

    url: URL

    def _begin(self, doing: str) -> AbstractAsyncContextManager[AsyncConnection]:
        raise NotImplementedError  # SqlStore's: a transaction, failures raised as StoreError

    def _insert(self) -> Any:
        dialect = dialect_of(self.url)
        return dialect.insert(reminders)

    async def watch(self, due: Mapping[str, datetime]) -> None:
        if not due:
            return
        rows = [{"incident_id": i, "due_at": utc(d)} for i, d in sorted(due.items())]
        async with self._begin("watch incidents for reminders") as connection:
            await connection.execute(self._insert().values(rows).on_conflict_do_nothing())

    async def push_back(self, incident_id: str, due_at: datetime) -> None:
        insert = self._insert().values(incident_id=incident_id, due_at=utc(due_at))
        later = case(
            (reminders.c.due_at > insert.excluded.due_at, reminders.c.due_at),
            else_=insert.excluded.due_at,
        )
        statement = insert.on_conflict_do_update(
            index_elements=[reminders.c.incident_id], set_={"due_at": later}
        )
        async with self._begin("reset a reminder") as connection:
            await connection.execute(statement)

    async def snooze(self, incident_id: str, until: datetime) -> None:
        insert = self._insert().values(incident_id=incident_id, due_at=utc(until))
        statement = insert.on_conflict_do_update(
            index_elements=[reminders.c.incident_id], set_={"due_at": insert.excluded.due_at}
        )
        async with self._begin("snooze a reminder") as connection:
            await connection.execute(statement)

    async def claim(
        self, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Claim]:
        now = utc(now)
        free = or_(reminders.c.lease_until.is_(None), reminders.c.lease_until <= now)
        due = and_(reminders.c.due_at <= now, free)
        pick = (
            select(reminders.c.incident_id)
            .where(due)
            .order_by(reminders.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(reminders)
            .where(reminders.c.incident_id.in_(pick), due)
            .values(lease_owner=owner, lease_until=utc(lease_until))
            .returning(reminders.c.incident_id, reminders.c.due_at)
        )
        async with self._begin("claim due reminders") as connection:
            rows = (await connection.execute(statement)).all()
        return sorted(
            (Claim(row.incident_id, utc(row.due_at)) for row in rows), key=lambda c: c.due_at
        )

    async def release(self, claim: Claim, owner: str, due_at: datetime) -> bool:
        moved = reminders.c.due_at > utc(claim.due_at)
        statement = (
            update(reminders)
            .where(reminders.c.incident_id == claim.incident_id, reminders.c.lease_owner == owner)
            .values(
                due_at=case((moved, reminders.c.due_at), else_=utc(due_at)),
                lease_owner=None,
                lease_until=None,
            )
        )
        async with self._begin("release a reminder") as connection:
            result = await connection.execute(statement)
        return bool(result.rowcount)

    async def forget(self, incident_id: str) -> None:
        statement = delete(reminders).where(reminders.c.incident_id == incident_id)
        async with self._begin("stop reminders") as connection:
            await connection.execute(statement)

    async def due_of(self, incident_id: str) -> datetime | None:
        query = select(reminders.c.due_at).where(reminders.c.incident_id == incident_id)
        async with self._begin("read a reminder") as connection:
            found = (await connection.execute(query)).scalar_one_or_none()
        return utc(found) if found is not None else None
