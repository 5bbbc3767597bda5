"""Prometheus metrics, in a registry owned by one running bot (nothing global)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.incidentio.client import ApiCall

if TYPE_CHECKING:
    from bot.observability.interaction import Interaction


class Counted(Protocol):
    """A cache that counts its hits, misses and failed background refreshes."""

    @property
    def hits(self) -> int: ...
    @property
    def misses(self) -> int: ...
    @property
    def refresh_failures(self) -> int: ...


_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.interactions = Counter(
            "incident_bot_interactions",
            "Slack interactions handled, by kind, verb and outcome",
            ["kind", "verb", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "incident_bot_ack_seconds",
            "Time from receiving a Slack request to acknowledging it",
            ["kind"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.api_requests = Counter(
            "incident_bot_incidentio_requests",
            "incident.io HTTP attempts, by route and status (or error)",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.api_seconds = Histogram(
            "incident_bot_incidentio_request_seconds",
            "incident.io request latency",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.cache = Gauge(
            "incident_bot_cache_lookups",
            "Cache lookups since start, by cache and result (hit, miss; refresh_failure: background reloads that failed)",
            ["cache", "result"],
            registry=self.registry,
        )
        self.webhook_deliveries = Counter(
            "incident_bot_webhook_deliveries",
            "incident.io webhook deliveries, by outcome (accepted, ignored, duplicate, refused, failed)",
            ["outcome"],
            registry=self.registry,
        )
        self.incidentio_reachable = Gauge(
            "incident_bot_incidentio_reachable",
            "1 when incident.io answered the bot's last call (a 4xx is an answer), else 0; "
            "not part of readiness",
            registry=self.registry,
        )
        self.reminders = Counter(
            "incident_bot_reminders",
            "Update reminders, by outcome (posted; snoozed: a Snooze button clicked)",
            ["outcome"],
            registry=self.registry,
        )

    def observe_call(self, call: ApiCall) -> None:
        status = str(call.status) if call.status is not None else (call.error or "error")
        self.api_requests.labels(call.method, call.route, status).inc()
        self.api_seconds.labels(call.method, call.route).observe(call.duration_s)

    def observe_interaction(self, interaction: Interaction) -> None:
        self.interactions.labels(interaction.kind, interaction.name, interaction.outcome).inc()

    def observe_ack(self, kind: str, seconds: float) -> None:
        self.ack_seconds.labels(kind).observe(seconds)

    def render(self, caches: Mapping[str, Counted]) -> tuple[bytes, str]:
        for name, cache in caches.items():
            self.cache.labels(name, "hit").set(cache.hits)
            self.cache.labels(name, "miss").set(cache.misses)
            self.cache.labels(name, "refresh_failure").set(cache.refresh_failures)
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
