"""The webhook tables' statements: which deliveries were processed, and which incident state the
cards show. Each decision is one statement, atomic in the database, so replicas racing on one
delivery or one incident never both win."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.schema import incident_versions, utc
from bot.store.schema import webhook_deliveries as deliveries
from bot.store_api import Claim


async def claim(
    connection: AsyncConnection, dialect: ModuleType, webhook_id: str, lease: timedelta
) -> Claim:
    now = datetime.now(UTC)
    insert = dialect.insert(deliveries).values(webhook_id=webhook_id, received_at=now)
    # New, or an unfinished claim older than the lease (its replica died): taken in one statement.
    taken = insert.on_conflict_do_update(
        index_elements=[deliveries.c.webhook_id],
        set_={"received_at": now},
        where=deliveries.c.processed_at.is_(None) & (deliveries.c.received_at < now - lease),
    ).returning(deliveries.c.webhook_id)
    if (await connection.execute(taken)).first() is not None:
        return Claim.CLAIMED
    done = select(deliveries.c.processed_at).where(deliveries.c.webhook_id == webhook_id)
    return Claim.DONE if await connection.scalar(done) is not None else Claim.BUSY


async def finish(connection: AsyncConnection, webhook_id: str) -> None:
    mark = update(deliveries).where(deliveries.c.webhook_id == webhook_id)
    await connection.execute(mark.values(processed_at=datetime.now(UTC)))


async def release(connection: AsyncConnection, webhook_id: str) -> None:
    unfinished = deliveries.c.processed_at.is_(None)
    gone = delete(deliveries).where(deliveries.c.webhook_id == webhook_id, unfinished)
    await connection.execute(gone)


async def purge(connection: AsyncConnection, before: datetime) -> int:
    old = delete(deliveries).where(deliveries.c.received_at < utc(before))
    return (await connection.execute(old)).rowcount


async def version_of(connection: AsyncConnection, incident_id: str) -> datetime | None:
    query = select(incident_versions.c.updated_at).where(
        incident_versions.c.incident_id == incident_id
    )
    found = await connection.scalar(query)
    return utc(found) if found is not None else None


async def advance(
    connection: AsyncConnection, dialect: ModuleType, incident_id: str, updated_at: datetime
) -> bool:
    insert = dialect.insert(incident_versions).values(
        incident_id=incident_id, updated_at=utc(updated_at)
    )
    # Never backwards: the row changes only when what it holds is not newer.
    upsert = insert.on_conflict_do_update(
        index_elements=[incident_versions.c.incident_id],
        set_={"updated_at": insert.excluded.updated_at},
        where=incident_versions.c.updated_at <= insert.excluded.updated_at,
    ).returning(incident_versions.c.incident_id)
    return (await connection.execute(upsert)).first() is not None
