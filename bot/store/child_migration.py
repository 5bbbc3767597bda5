"""`serve`'s migration at start, in a child process: `incident-bot migrate`.

Once imported, Alembic (and Mako, which only it needs) stays resident for the life of the
process, some 11 MiB. So a serving process only reads where the schema stands
(bot/store/revisions.py); when it is behind, the same command an operator or a Kubernetes Job
runs migrates it, under the same lock, in a process that then exits.
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.sql import SqlStore
from bot.store_api import StoreError


async def migrate_apart(store: SqlStore) -> str | None:
    """Bring the schema to head without loading Alembic here; the revision it is then at.
    The store's connections are closed after: they belong to this event loop."""
    try:
        await store.migrate(upgrade=_run_migrate)
        return await store.revision()
    finally:
        await store.close()


async def _run_migrate(_engine: AsyncEngine) -> None:
    # Same interpreter, environment and working directory: the same DATABASE_URL (or .env).
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "migrate",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await child.communicate()
    if child.returncode:
        # Its last line says why (already without the password: `migrate` prints a StoreError).
        lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
        raise StoreError(lines[-1] if lines else f"incident-bot migrate exited {child.returncode}")
