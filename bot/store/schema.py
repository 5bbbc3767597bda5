"""The store's tables as the queries see them. Migrations (bot/store/migrations/versions/) create
them and stay frozen; a later table (processed webhook deliveries, reminder leases) is one more
Table here and one more migration there."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table

# Named constraints: Alembic can then drop or alter them by name on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Where each incident card was posted: the one thing about a card that neither Slack (which cannot
# be searched by incident) nor incident.io knows. The primary key is the card itself, so a card
# is recorded once; led by incident_id, its index also serves "the cards of an incident".
cards = Table(
    "cards",
    metadata,
    Column("incident_id", String(64), primary_key=True),
    Column("channel_id", String(64), primary_key=True),
    Column("ts", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
