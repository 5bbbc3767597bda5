"""The PostgreSQL server the tests run the store against, found through TEST_DATABASE_URL.

CI (.ci/run) starts one and sets INCIDENT_BOT_REQUIRE_POSTGRES=1, so a missing or unreachable
server fails the run; locally, without TEST_DATABASE_URL, the PostgreSQL tests are skipped, saying
why (README.md, "Testing against PostgreSQL").
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store.schema import metadata
from bot.store.url import parse, redact

URL_VARIABLE = "TEST_DATABASE_URL"
REQUIRE_VARIABLE = "INCIDENT_BOT_REQUIRE_POSTGRES"


def required() -> bool:
    return os.environ.get(REQUIRE_VARIABLE, "").strip() not in ("", "0")


def postgres_url() -> str:
    """TEST_DATABASE_URL; without it the test fails when PostgreSQL is required, else skips."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return url
    if required():
        pytest.fail(
            f"{REQUIRE_VARIABLE} is set but {URL_VARIABLE} is not: the store's PostgreSQL tests "
            "cannot run (.ci/run starts a server and sets both)",
            pytrace=False,
        )
    pytest.skip(f"{URL_VARIABLE} is not set: no PostgreSQL server to test the store against")


async def emptied(url: str) -> str:
    """The database with none of the store's tables (the next store to use it migrates it from
    nothing); an unreachable server fails the test, whatever the require flag says."""
    parsed = parse(url)
    engine = create_async_engine(parsed)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    except (OSError, SQLAlchemyError) as error:
        pytest.fail(f"{URL_VARIABLE} ({redact(parsed)}) cannot be reached: {error}", pytrace=False)
    finally:
        await engine.dispose()
    return url
