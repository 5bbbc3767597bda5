"""Every test: no store of the developer's (a bot built without a store of the test's own keeps
its SQLite file in a temporary directory, never in the repository's data/ nor in a database
named by the shell's DATABASE_URL), and no logging set-up left behind by a test that ran the
CLI (the next test would inherit its handler and level)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.observability.logs import CurrentStderrHandler
from tests.postgres import emptied, postgres_url


@pytest.fixture(scope="session", autouse=True)
def _no_store_of_the_developers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DATABASE_URL", raising=False)
        patch.setenv("INCIDENT_BOT_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        yield


@pytest.fixture
async def postgres() -> str:
    """TEST_DATABASE_URL, emptied of the store's tables (see tests/postgres.py)."""
    return await emptied(postgres_url())


@pytest.fixture(autouse=True)
def _no_logging_left_behind() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if isinstance(h, CurrentStderrHandler)]:
        root.removeHandler(handler)
    root.setLevel(level)
