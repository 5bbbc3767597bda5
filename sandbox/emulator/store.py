"""In-memory state of the emulated organisation: its catalog, incidents and updates."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sandbox.emulator.clock import Clock, iso, to_datetime
from sandbox.emulator.ids import UlidFactory
from sandbox.emulator.oncall import build_oncall
from sandbox.emulator.seed import build_catalog


@dataclass
class IncidentRecord:
    number: int
    data: dict[str, Any]  # the IncidentV2 as the API renders it
    created: float  # Unix seconds, for filters and ordering
    idempotency_key: str
    assignees: dict[str, str] = field(default_factory=dict)  # role id -> user id

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def sort_key(self) -> tuple[float, str]:
        return (self.created, self.id)


@dataclass
class UpdateRecord:
    data: dict[str, Any]  # the IncidentUpdateV2
    created: float
    idempotency_key: str | None

    @property
    def sort_key(self) -> tuple[float, str]:
        return (self.created, str(self.data["id"]))


class Store:
    def __init__(self, clock: Clock, seed: bool = True, custom_fields: bool = False) -> None:
        self.clock = clock
        self.catalog = build_catalog(seed, custom_fields)
        self.ids = UlidFactory()
        self.incidents: dict[str, IncidentRecord] = {}
        self.updates: dict[str, UpdateRecord] = {}
        self.incident_keys: dict[str, str] = {}  # idempotency key -> incident id
        self.update_keys: dict[str, str] = {}  # idempotency key -> update id
        self.oncall = build_oncall(clock, self.catalog, seed)  # paths, schedules, pages

    def now(self) -> tuple[float, str]:
        seconds = self.clock()
        return seconds, iso(to_datetime(seconds))

    def new_id(self) -> str:
        return self.ids.new(self.clock())

    def actor(self) -> dict[str, Any]:
        return {"api_key": dict(self.catalog.api_key)}

    @staticmethod
    def _by_id(items: list[dict[str, Any]], item_id: Any) -> dict[str, Any] | None:
        return next((item for item in items if item["id"] == item_id), None)

    def severity(self, severity_id: Any) -> dict[str, Any] | None:
        return self._by_id(self.catalog.severities, severity_id)

    def status(self, status_id: Any) -> dict[str, Any] | None:
        return self._by_id(self.catalog.statuses, status_id)

    def incident_type(self, type_id: Any) -> dict[str, Any] | None:
        return self._by_id(self.catalog.types, type_id)

    def role(self, role_id: Any) -> dict[str, Any] | None:
        return self._by_id(self.catalog.roles, role_id)

    def user(self, user_id: Any) -> dict[str, Any] | None:
        return self._by_id(self.catalog.users, user_id)

    def user_where(self, key: str, value: str) -> dict[str, Any] | None:
        wanted = value.casefold() if key == "email" else value
        for user in self.catalog.users:
            found = user.get(key)
            if found is not None and (found.casefold() if key == "email" else found) == wanted:
                return user
        return None

    def default_type(self) -> dict[str, Any] | None:
        types = self.catalog.types
        return next((t for t in types if t["is_default"]), types[0] if types else None)

    def first_status(self, category: str) -> dict[str, Any] | None:
        found = [s for s in self.catalog.statuses if s["category"] == category]
        return min(found, key=lambda s: s["rank"]) if found else None

    def find_incident(self, ref: str, allow_number: bool = True) -> IncidentRecord | None:
        """By id, or (where the API documents it) by the number of its reference: 123 for
        INC-123."""
        record = self.incidents.get(ref)
        if record is None and allow_number and ref.isdigit():
            number = int(ref)
            record = next((r for r in self.incidents.values() if r.number == number), None)
        return record

    def render_incident(self, record: IncidentRecord) -> dict[str, Any]:
        return copy.deepcopy(record.data)

    def render_update(self, record: UpdateRecord) -> dict[str, Any]:
        return copy.deepcopy(record.data)

    def next_number(self) -> int:
        return max((r.number for r in self.incidents.values()), default=0) + 1
