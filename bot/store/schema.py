"""The store's tables as the queries see them. Migrations (bot/store/migrations/versions/) create
them and stay frozen; a later table is one more Table here and one more migration there."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table


def utc(moment: datetime) -> datetime:
    """A moment for, or from, a DateTime column: SQLite keeps no zone, so every moment is
    stored in UTC and read back as UTC."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


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

# incident.io retries a delivery for a day: its webhook-id, once processed, is never processed again.
# A replica claims a delivery (received_at) before processing it and marks it processed_at after;
# a claim never marked is taken over once it is old (its replica died), and released on failure.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("webhook_id", String(128), primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=True),
    Index("ix_webhook_deliveries_received_at", "received_at"),
)

# The newest incident state the cards were brought to (incident.io's updated_at): deliveries arrive
# out of order, and a card must never go back to an older state.
incident_versions = Table(
    "incident_versions",
    metadata,
    Column("incident_id", String(64), primary_key=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# One row per open incident that reminders watch: when the next reminder is due, and which replica
# holds it (until lease_until) while posting it, so replicas never both post and a dead one's
# lease expires instead of losing the reminder.
reminders = Table(
    "reminders",
    metadata,
    Column("incident_id", String(64), primary_key=True),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("lease_owner", String(128), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Index("ix_reminders_due_at", "due_at"),
)
