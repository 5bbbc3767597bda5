"""What the bot keeps that neither Slack nor incident.io holds, as the flows see it.

The implementations live in bot/store/ (SQLAlchemy: SQLite by default, PostgreSQL for several
replicas); `MemoryStore` is the one for a single short-lived process and for tests that do not
test the store itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.reminders.leases import MemoryReminders, ReminderStore


@dataclass(frozen=True)
class CardPlace:
    """Where one card of an incident was posted."""

    incident_id: str
    channel_id: str
    ts: str  # the card message's ts: what chat.update and thread replies name


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

    async def close(self) -> None:
        """Release connections."""


class MemoryStore(MemoryReminders):
    def __init__(self) -> None:
        super().__init__()
        self._cards: dict[str, list[CardPlace]] = {}

    async def add_card(self, card: CardPlace) -> None:
        cards = self._cards.setdefault(card.incident_id, [])
        if card not in cards:
            cards.append(card)

    async def cards_of(self, incident_id: str) -> list[CardPlace]:
        return list(self._cards.get(incident_id, []))

    async def close(self) -> None:
        return None
