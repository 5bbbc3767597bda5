"""What every flow needs, assembled once by build_app and passed to each flow's register()."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config import Settings
from bot.incidentio.catalog import CatalogCache, OpenIncidentsCache
from bot.incidentio.client import IncidentIoClient
from bot.observability.health import Health
from bot.observability.metrics import Metrics


@dataclass
class Deps:
    settings: Settings
    incidents: IncidentIoClient
    catalog: CatalogCache
    open_incidents: OpenIncidentsCache
    metrics: Metrics = field(default_factory=Metrics)
    health: Health = field(default_factory=Health)
    # How long a listener may wait for incident.io before it must answer Slack. Slack allows 3 s
    # end to end; these leave room for the network and for views.open itself.
    open_budget: float = 1.0
    ack_budget: float = 1.8
    wall_clock: Callable[[], float] = field(default=time.time)

    @property
    def sandbox(self) -> bool:
        return self.settings.incidentio_sandbox
