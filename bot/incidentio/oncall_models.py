"""Typed views of incident.io's on-call: escalation paths, escalations (pages) and schedules.

Like every model here they ignore fields they do not know and keep enum-like fields as plain
strings: incident.io adds statuses and event kinds without notice.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from bot.incidentio.models import ApiModel, User

# Escalation statuses that are over: nobody is being paged any more.
FINISHED = ("acked", "resolved", "expired", "cancelled")


class EscalationPath(ApiModel):
    id: str
    name: str
    current_responders: list[User] = Field(default_factory=list)
    team_ids: list[str] = Field(default_factory=list)


class EscalationEvent(ApiModel):
    event: str  # triggered, notified_users, acked, …
    occurred_at: datetime
    users: list[User] = Field(default_factory=list)


class Escalation(ApiModel):
    id: str
    title: str
    description: str = ""
    status: str  # pending, triggered, acked, resolved, expired, cancelled, snoozed, …
    escalation_path_id: str | None = None
    events: list[EscalationEvent] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime

    @property
    def reached(self) -> list[User]:
        """Everyone incident.io says it notified, once each, in the order it did."""
        seen: dict[str, User] = {}
        for event in self.events:
            if event.event == "notified_users":
                seen.update((u.id, u) for u in event.users if u.id not in seen)
        return list(seen.values())


class Schedule(ApiModel):
    id: str
    name: str
    timezone: str = "UTC"
    team_ids: list[str] = Field(default_factory=list)


class ScheduleEntry(ApiModel):
    start_at: datetime
    end_at: datetime
    user: User | None = None

    def covers(self, moment: datetime) -> bool:
        return self.start_at <= moment < self.end_at


class ScheduleEntries(ApiModel):
    """`final` is who is actually on call: the rota with its overrides applied."""

    final: list[ScheduleEntry] = Field(default_factory=list)
