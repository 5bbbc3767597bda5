"""What every flow needs, assembled once by build_app and passed to each flow's register()."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.acks import AckGate
from bot.config import Settings
from bot.directory import Directory
from bot.flows.card_queue import CardQueue
from bot.incidentio.cache import Coalesce
from bot.incidentio.catalog import CatalogCache, OpenIncidentsCache
from bot.incidentio.client import IncidentIoClient
from bot.incidentio.models import Incident
from bot.incidentio.oncall_cache import OnCallCache
from bot.observability.health import Health
from bot.observability.metrics import Metrics
from bot.policy import Guard
from bot.reminders.schedule import ReminderSettings
from bot.store_api import MemoryStore, Store
from bot.ui.card import CardButton


@dataclass
class Deps:
    settings: Settings
    incidents: IncidentIoClient
    catalog: CatalogCache
    open_incidents: OpenIncidentsCache
    health: Health
    directory: Directory
    # Who may do what (bot/policy.py).
    guard: Guard
    oncall: OnCallCache  # escalation paths and schedules, for paging and /incident oncall
    metrics: Metrics = field(default_factory=Metrics)
    # Where the incident cards are (bot/store_api.py); build_app gives the configured store.
    store: Store = field(default_factory=MemoryStore)
    acks: AckGate = field(default_factory=AckGate)
    # The change verbs the incident card has a button for: every registered one (flows/buttons.py).
    card_buttons: tuple[CardButton, ...] = ()
    # The cards' refreshes, one at a time per incident (flows/cards.py).
    card_queue: CardQueue = field(default_factory=CardQueue)
    # The longest a modal waits for other requests' acks before it opens anyway.
    ack_priority_wait: float = 0.5
    # A reference missing from the cached open incidents reloads the list only if the list is
    # at least this old; otherwise the incident is fetched by itself.
    reread_after: float = 2.0
    # Concurrent lookups of one incident share one GET.
    fetches: Coalesce[str, Incident] = field(default_factory=Coalesce)
    # How long a listener may wait for incident.io before it must answer Slack. Slack allows 3 s
    # end to end; these leave room for the network and for views.open itself.
    open_budget: float = 1.0
    ack_budget: float = 1.8
    wall_clock: Callable[[], float] = field(default=time.time)
    # Update reminders: REMINDER_* settings and their clock (bot/reminders/).
    reminders: ReminderSettings = field(default_factory=ReminderSettings)

    async def acks_first(self) -> None:
        """Let the acks other requests still owe go out before slow work (see bot/acks.py)."""
        await self.acks.quiet(self.ack_priority_wait)

    @property
    def sandbox(self) -> bool:
        return self.settings.incidentio_sandbox
