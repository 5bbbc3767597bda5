"""What the bot keeps that neither Slack nor incident.io holds, as the flows see it.

The implementations live in bot/store/ (SQLAlchemy: SQLite by default, PostgreSQL for several
replicas); `MemoryStore` is the one for a single short-lived process and for tests that do not
test the store itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Protocol

from bot.reminders.leases import MemoryReminders, ReminderStore


@dataclass(frozen=True)
class CardPlace:
    """Where one card of an incident was posted."""

    incident_id: str
    channel_id: str
    ts: str  # the card message's ts: what chat.update and thread replies name


class Claim(Enum):
    """What claiming a webhook delivery found (Store.claim_delivery)."""

    CLAIMED = "claimed"  # this caller processes it
    DONE = "done"  # processed before: a retry or a copy
    BUSY = "busy"  # another replica is processing it now


class StoreError(Exception):
    """The store could not be reached or used (down, locked, refused the credentials, schema not
    migrated): the one exception a store raises for what is not the caller's mistake.

    The flows catch it so that a write to incident.io never depends on the store. Its message
    names the database with the password hidden; say it to an operator, not to Slack users.
    """


class Store(ReminderStore, Protocol):
    """Where the cards are, and the reminder leases (bot/reminders/leases.py); every method
    raises StoreError when the store cannot be used."""

    async def add_card(self, card: CardPlace) -> None:
        """Record a card; recording the same (incident, channel, ts) twice keeps one.

        Raises StoreError when the store cannot be used."""

    async def cards_of(self, incident_id: str) -> list[CardPlace]:
        """Every card of the incident, oldest first. Raises StoreError as add_card does."""

    async def claim_delivery(self, webhook_id: str, lease: timedelta) -> Claim:
        """Claim a webhook delivery for processing, atomically across replicas: CLAIMED for the
        first claim, and for one whose claim was neither finished nor released within `lease`
        (its replica died); DONE once finished; BUSY while another claim holds it."""

    async def finish_delivery(self, webhook_id: str) -> None:
        """Mark a claimed delivery processed: every later claim of it is DONE."""

    async def release_delivery(self, webhook_id: str) -> None:
        """Forget a claim whose processing failed, so that incident.io's retry processes it."""

    async def purge_deliveries(self, before: datetime) -> int:
        """Forget deliveries received before `before` (incident.io retries for a day); how many."""

    async def version_of(self, incident_id: str) -> datetime | None:
        """The incident's `updated_at` its cards were last brought to, if any."""

    async def advance_version(self, incident_id: str, updated_at: datetime) -> bool:
        """Record that the cards show the incident as of `updated_at`, unless a newer state is
        recorded already (atomic: a conditional upsert). True when recorded; False when the
        recorded state is newer, and a card written from this one may have gone backwards."""

    async def close(self) -> None:
        """Release connections."""


class MemoryStore(MemoryReminders):
    def __init__(self) -> None:
        super().__init__()
        self._cards: dict[str, list[CardPlace]] = {}
        self._deliveries: dict[str, tuple[datetime, bool]] = {}  # id -> (claimed at, done)
        self._versions: dict[str, datetime] = {}

    async def add_card(self, card: CardPlace) -> None:
        cards = self._cards.setdefault(card.incident_id, [])
        if card not in cards:
            cards.append(card)

    async def cards_of(self, incident_id: str) -> list[CardPlace]:
        return list(self._cards.get(incident_id, []))

    async def claim_delivery(self, webhook_id: str, lease: timedelta) -> Claim:
        now = datetime.now(UTC)
        claimed, done = self._deliveries.get(webhook_id, (now - lease, False))
        if done:
            return Claim.DONE
        if claimed > now - lease:
            return Claim.BUSY
        self._deliveries[webhook_id] = (now, False)
        return Claim.CLAIMED

    async def finish_delivery(self, webhook_id: str) -> None:
        self._deliveries[webhook_id] = (datetime.now(UTC), True)

    async def release_delivery(self, webhook_id: str) -> None:
        if not self._deliveries.get(webhook_id, (None, True))[1]:
            del self._deliveries[webhook_id]

    async def purge_deliveries(self, before: datetime) -> int:
        old = [key for key, (at, _) in self._deliveries.items() if at < before]
        for key in old:
            del self._deliveries[key]
        return len(old)

    async def version_of(self, incident_id: str) -> datetime | None:
        return self._versions.get(incident_id)

    async def advance_version(self, incident_id: str, updated_at: datetime) -> bool:
        recorded = self._versions.get(incident_id)
        if recorded is not None and recorded > updated_at:
            return False
        self._versions[incident_id] = updated_at
        return True

    async def close(self) -> None:
        return None
