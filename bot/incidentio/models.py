"""Typed views of what the bot reads from incident.io.

Every model ignores fields it does not know, and enum-like fields are plain strings: incident.io
adds enum values without notice (`paused`, `tutorial`), and a new one must never crash a reply.
Requests the bot sends are plain dicts built in the adapter, shaped by the schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Known values, for the code that branches on them; the fields themselves accept any string.
OPEN_CATEGORIES: tuple[str, ...] = ("triage", "live", "paused")
ENDING_CATEGORIES: tuple[str, ...] = ("learning", "closed")
Visibility = Literal["public", "private"]


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Severity(ApiModel):
    id: str
    name: str
    description: str = ""
    rank: int = 0


class IncidentStatus(ApiModel):
    id: str
    name: str
    description: str = ""
    rank: int = 0
    category: str

    @property
    def is_open(self) -> bool:
        return self.category in OPEN_CATEGORIES


class IncidentType(ApiModel):
    id: str
    name: str
    description: str = ""
    is_default: bool = False
    private_incidents_only: bool = False


class IncidentRole(ApiModel):
    id: str
    name: str
    shortform: str = ""
    description: str = ""
    role_type: str = "custom"


class User(ApiModel):
    id: str
    name: str
    email: str | None = None
    slack_user_id: str | None = None


class Actor(ApiModel):
    user: User | None = None


class EmbeddedRole(ApiModel):
    id: str
    name: str
    shortform: str = ""
    role_type: str = "custom"


class RoleAssignment(ApiModel):
    role: EmbeddedRole
    assignee: User | None = None


class Incident(ApiModel):
    id: str
    reference: str
    name: str
    summary: str | None = None
    severity: Severity | None = None
    incident_status: IncidentStatus
    incident_type: IncidentType | None = None
    mode: str = "standard"
    visibility: str = "public"
    permalink: str | None = None
    slack_channel_id: str | None = None
    slack_channel_name: str | None = None
    slack_team_id: str | None = None
    incident_role_assignments: list[RoleAssignment] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        return self.incident_status.is_open

    @property
    def is_private(self) -> bool:
        return self.visibility == "private"


class IncidentUpdate(ApiModel):
    id: str
    incident_id: str
    message: str | None = None
    new_incident_status: IncidentStatus
    new_severity: Severity | None = None
    updater: Actor = Field(default_factory=Actor)
    created_at: datetime


class Identity(ApiModel):
    name: str
    roles: list[str] = Field(default_factory=list)
    dashboard_url: str = ""


class Catalog(ApiModel):
    """The lists that feed the pickers, loaded together."""

    severities: tuple[Severity, ...]
    statuses: tuple[IncidentStatus, ...]
    types: tuple[IncidentType, ...]
    roles: tuple[IncidentRole, ...]

    def severities_by_rank(self) -> list[Severity]:
        return sorted(self.severities, key=lambda s: s.rank)

    def severity(self, severity_id: str) -> Severity | None:
        return next((s for s in self.severities if s.id == severity_id), None)

    def status(self, status_id: str) -> IncidentStatus | None:
        return next((s for s in self.statuses if s.id == status_id), None)

    def incident_type(self, type_id: str) -> IncidentType | None:
        return next((t for t in self.types if t.id == type_id), None)

    def default_type(self) -> IncidentType | None:
        return next((t for t in self.types if t.is_default), self.types[0] if self.types else None)

    def role_of_type(self, role_type: str) -> IncidentRole | None:
        return next((r for r in self.roles if r.role_type == role_type), None)

    def higher_severities(self, current: Severity | None) -> list[Severity]:
        """Severities ranked above `current` (all of them when there is none), least severe first."""
        floor = current.rank if current is not None else None
        return [s for s in self.severities_by_rank() if floor is None or s.rank > floor]

    def ending_statuses(self) -> list[IncidentStatus]:
        """Statuses that end an incident: post-incident (learning) first, then closed."""
        order = {c: i for i, c in enumerate(ENDING_CATEGORIES)}
        found = [s for s in self.statuses if s.category in order]
        return sorted(found, key=lambda s: (order[s.category], s.rank))

    def open_statuses(self) -> list[IncidentStatus]:
        return sorted((s for s in self.statuses if s.is_open), key=lambda s: s.rank)
