"""What the bot keeps that neither Slack nor incident.io holds, as the flows see it.

The implementations live in bot/store/ (SQLAlchemy: SQLite by default, PostgreSQL for several
replicas); `MemoryStore` is the one for a single short-lived process and for tests that do not
test the store itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class StoreError(Exception):
    """The store could not be read or written (down, locked, timed out)."""


@dataclass(frozen=True)
class CardPlace:
    """Where one card of an incident was posted."""

    incident_id: str
    channel_id: str
    ts: str  # the card message's ts: what chat.update and thread replies name


class Store(Protocol):
    async def add_card(self, card: CardPlace) -> None:
        """Record a card; recording the same (incident, channel, ts) twice keeps one."""

    async def cards_of(self, incident_id: str) -> list[CardPlace]:
        """Every card of the incident, oldest first."""

    async def close(self) -> None:
        """Release connections."""


class MemoryStore:
    def __init__(self) -> None:
        self._cards: dict[str, list[CardPlace]] = {}

    async def add_card(self, card: CardPlace) -> None:
        cards = self._cards.setdefault(card.incident_id, [])
        if card not in cards:
            cards.append(card)

    async def cards_of(self, incident_id: str) -> list[CardPlace]:
        return list(self._cards.get(incident_id, []))

    async def close(self) -> None:
        return None
