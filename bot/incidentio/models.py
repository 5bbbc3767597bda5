"""Typed views of what the bot reads from incident.io.

Every model ignores fields it does not know, and enum-like fields are plain strings: incident.io
adds enum values without notice (`paused`, `tutorial`), and a new one must never crash a reply.
Requests the bot sends are plain dicts built in the adapter, shaped by the schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.incidentio.fields import CustomField, CustomFieldEntry

# Known values, for the code that branches on them; the fields themselves accept any string.
OPEN_CATEGORIES: tuple[str, ...] = ("triage", "live", "paused")
POST_INCIDENT = "learning"  # "Post-incident" in incident.io's app
ENDING_CATEGORIES: tuple[str, ...] = (POST_INCIDENT, "closed")
FINAL_CATEGORIES: tuple[str, ...] = ("closed", "declined", "merged", "canceled")
# Incidents some verb still acts on: open ones, and post-incident ones (which take messages and
# can be closed). The open-incidents cache holds these.
CHANGEABLE_CATEGORIES: tuple[str, ...] = (*OPEN_CATEGORIES, POST_INCIDENT)
# Every category the bot knows, in the order it lists statuses.
CATEGORIES: tuple[str, ...] = (*OPEN_CATEGORIES, POST_INCIDENT, *FINAL_CATEGORIES)
Visibility = Literal["public", "private"]


def may_move(source: str, target: str) -> bool:
    """Whether incident.io lets an incident move from a status in category `source` to one in
    `target` (API-NOTES §12.1; `IncidentEditPayloadV2.incident_status_id`).

    Allowed: within a category; resolving, from triage or active (live) to post-incident or
    closed; closing, from post-incident to closed. Nothing else: never back to triage.
    """
    if source not in CATEGORIES or target not in CATEGORIES:
        # A category incident.io added since: offer no move the bot cannot vouch for.
        return False
    if source == target:
        # Post-incident statuses move with the flow's task completion, and incident.io
        # recalculates them: the API must not move an incident between them.
        return source != POST_INCIDENT
    if source in OPEN_CATEGORIES:
        # The text names only triage and active; paused is an active incident on hold, so it
        # resolves like one (but never moves to live or triage: those are other categories).
        return target in ENDING_CATEGORIES
    return source == POST_INCIDENT and target == "closed"


def allowed_moves(
    current: IncidentStatus, statuses: Iterable[IncidentStatus]
) -> list[IncidentStatus]:
    """The statuses an incident in `current` may move to (never `current` itself), by category
    then rank. The one place that decides; the modals filter what it returns."""
    order = {category: index for index, category in enumerate(CATEGORIES)}
    found = [s for s in statuses if s.id != current.id and may_move(current.category, s.category)]
    return sorted(found, key=lambda s: (order[s.category], s.rank))


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

    @property
    def is_post_incident(self) -> bool:
        return self.category == POST_INCIDENT


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
    call_url: str | None = None
    custom_field_entries: list[CustomFieldEntry] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime

    def involves(self, slack_user_id: str | None) -> bool:
        """Whether incident.io lists this Slack user on the incident (holding one of its roles)."""
        return bool(slack_user_id) and any(
            a.assignee is not None and a.assignee.slack_user_id == slack_user_id
            for a in self.incident_role_assignments
        )

    @property
    def is_open(self) -> bool:
        return self.incident_status.is_open

    @property
    def is_post_incident(self) -> bool:
        """Resolved into incident.io's post-incident flow: still open for follow-ups there."""
        return self.incident_status.is_post_incident

    @property
    def is_changeable(self) -> bool:
        """Open or in post-incident: some verb may still act on it."""
        return self.is_open or self.is_post_incident

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


class Team(ApiModel):
    id: str
    name: str


class Identity(ApiModel):
    name: str
    roles: list[str] = Field(default_factory=list)
    # A team-scoped key: its roles within its teams (escalation_creator pages their paths only).
    team_roles: list[str] = Field(default_factory=list)
    teams: list[Team] = Field(default_factory=list)
    dashboard_url: str = ""


class Catalog(ApiModel):
    """The lists that feed the pickers, loaded together."""

    severities: tuple[Severity, ...]
    statuses: tuple[IncidentStatus, ...]
    types: tuple[IncidentType, ...]
    roles: tuple[IncidentRole, ...]
    custom_fields: tuple[CustomField, ...] = ()

    def severities_by_rank(self) -> list[Severity]:
        return sorted(self.severities, key=lambda s: s.rank)

    def severity(self, severity_id: str) -> Severity | None:
        return next((s for s in self.severities if s.id == severity_id), None)

    def status(self, status_id: str | None) -> IncidentStatus | None:
        return next((s for s in self.statuses if s.id == status_id), None)

    def incident_type(self, type_id: str) -> IncidentType | None:
        return next((t for t in self.types if t.id == type_id), None)

    def default_type(self) -> IncidentType | None:
        return next((t for t in self.types if t.is_default), self.types[0] if self.types else None)

    def role_of_type(self, role_type: str) -> IncidentRole | None:
        return next((r for r in self.roles if r.role_type == role_type), None)

    def custom_field(self, field_id: str) -> CustomField | None:
        return next((f for f in self.custom_fields if f.id == field_id), None)

    def higher_severities(self, current: Severity | None) -> list[Severity]:
        """Severities ranked above `current` (all of them when there is none), least severe first."""
        floor = current.rank if current is not None else None
        return [s for s in self.severities_by_rank() if floor is None or s.rank > floor]

    def update_statuses(self, current: IncidentStatus) -> list[IncidentStatus]:
        """What an update may move an incident in `current` to: its own category only.
        Resolving (to post-incident or closed) is resolve's job."""
        return [s for s in allowed_moves(current, self.statuses) if s.category == current.category]

    def resolve_statuses(self, current: IncidentStatus) -> list[IncidentStatus]:
        """What resolve may move an incident in `current` to: post-incident then closed from an
        open incident, closed from a post-incident one."""
        moves = allowed_moves(current, self.statuses)
        return [s for s in moves if s.category in ENDING_CATEGORIES]
