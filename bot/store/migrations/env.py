"""Alembic's entry point for the store: it runs on the connection bot/store/migrate.py hands it
(in its transaction), so there is no alembic.ini and no second way to reach the database."""

from __future__ import annotations

from alembic import context

from bot.store.schema import metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        # Offline mode (SQL scripts) and the `alembic` command have no connection to share.
        raise RuntimeError("the store's migrations run through `incident-bot migrate`")
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


run()
