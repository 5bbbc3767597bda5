"""A small organisation for builder tests: catalogs of any size, and one incident."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.incidentio.models import Catalog, Incident, IncidentStatus, IncidentType, Severity
from bot.modal_meta import ModalMeta

META = ModalMeta(team_id="T1", user_id="U1", channel_id="C1")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def severities(count: int) -> tuple[Severity, ...]:
    return tuple(Severity(id=f"sev{n:03d}", name=f"Sev {n}", rank=n) for n in range(1, count + 1))


def statuses(count: int, category: str) -> tuple[IncidentStatus, ...]:
    return tuple(
        IncidentStatus(id=f"{category}{n:03d}", name=f"{category} {n}", rank=n, category=category)
        for n in range(1, count + 1)
    )


def catalog(
    severity_count: int = 3, type_count: int = 2, default_type: int = 0, status_count: int = 2
) -> Catalog:
    types = tuple(
        IncidentType(id=f"type{n:03d}", name=f"Type {n}", is_default=n == default_type)
        for n in range(type_count)
    )
    return Catalog(
        severities=severities(severity_count),
        statuses=statuses(status_count, "live")
        + statuses(status_count, "learning")
        + statuses(1, "closed"),
        types=types,
        roles=(),
    )


def incident(org: Catalog, severity: Severity | None = None) -> Incident:
    return Incident(
        id="inc1",
        reference="INC-1",
        name="Checkout <down>",
        severity=severity or org.severities_by_rank()[0],
        incident_status=next(s for s in org.statuses if s.is_open),
        created_at=NOW,
        updated_at=NOW,
    )
