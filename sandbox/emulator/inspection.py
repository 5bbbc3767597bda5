"""Read-outs and shortcuts on the emulator's state, for tests and tools."""

from __future__ import annotations

import uuid
from typing import Any

from sandbox.emulator.incidents import create_incident
from sandbox.emulator.stats import RequestRecord, Stats
from sandbox.emulator.store import Store


class Inspection:
    """Mixed into Emulator: what it holds, as the API would render it, and catalog look-ups."""

    store: Store
    stats: Stats

    @property
    def incidents(self) -> list[dict[str, Any]]:
        """Every incident as the API renders it, oldest first (test-mode ones included)."""
        return [self.store.render_incident(r) for r in self.store.incidents.values()]

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Every incident update, oldest first."""
        return [self.store.render_update(u) for u in self.store.updates.values()]

    @property
    def escalations(self) -> list[dict[str, Any]]:
        """Every escalation (page), oldest first."""
        return [dict(e) for e in self.store.oncall.escalations.values()]

    @property
    def requests(self) -> list[RequestRecord]:
        return list(self.stats.records)

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.stats.counts)

    def incident(self, ref: str | int) -> dict[str, Any]:
        """One incident by id, number (123) or reference ("INC-123"); KeyError if none."""
        text = str(ref).removeprefix("INC-")
        record = self.store.find_incident(text)
        if record is None:
            raise KeyError(ref)
        return self.store.render_incident(record)

    def _named(self, items: list[dict[str, Any]], name: str, *keys: str) -> str:
        for item in items:
            if any(item.get(key) == name for key in ("name", *keys)):
                return str(item["id"])
        raise KeyError(name)

    def severity_id(self, name: str) -> str:
        return self._named(self.store.catalog.severities, name)

    def status_id(self, name: str) -> str:
        return self._named(self.store.catalog.statuses, name)

    def type_id(self, name: str) -> str:
        return self._named(self.store.catalog.types, name)

    def role_id(self, name_or_type: str) -> str:
        """By name ("Incident Lead"), shortform or role type ("lead", "reporter")."""
        return self._named(self.store.catalog.roles, name_or_type, "shortform", "role_type")

    def add_status(self, name: str, category: str, description: str = "") -> str:
        """Add an incident status to the organisation, ranked after every other, as an admin
        would in incident.io's settings; its id. The bot sees it on its next catalog load."""
        _, stamp = self.store.now()
        rank = max((s["rank"] for s in self.store.catalog.statuses), default=0) + 1
        status = {
            "id": self.store.new_id(),
            "name": name,
            "category": category,
            "rank": rank,
            "description": description or f"{name}.",
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.store.catalog.statuses.append(status)
        return str(status["id"])

    def add_post_incident_flow(self, status_name: str, *, incident_type: str) -> str:
        """A post-incident flow for incidents of `incident_type`, with one post-incident status
        (its id). Other incidents keep the default flow and may not move to this status."""
        status_id = self.add_status(status_name, "learning", f"{incident_type} post-incident.")
        self.store.catalog.post_incident_flows[status_id] = self.type_id(incident_type)
        return status_id

    def add_user(self, name: str, slack_user_id: str, role: str = "responder") -> str:
        """A person incident.io knows, linked to a Slack account; their incident.io id."""
        email = f"{name.split()[0].lower()}@example.com"
        user = self.store.catalog.user_record(self.store.new_id(), name, email, slack_user_id, role)
        self.store.catalog.users.append(user)
        return str(user["id"])

    def create_incident(self, name: str = "Sandbox incident", **payload: Any) -> dict[str, Any]:
        """Create an incident directly (no request is logged). `payload` takes the API's
        fields; `severity`/`status`/`incident_type` take names. Defaults: severity Minor,
        visibility public, a fresh idempotency key."""
        body: dict[str, Any] = {"name": name, "visibility": "public"}
        body["idempotency_key"] = payload.pop("idempotency_key", f"direct:{uuid.uuid4()}")
        body["severity_id"] = self.severity_id(payload.pop("severity", "Minor"))
        if "status" in payload:
            body["incident_status_id"] = self.status_id(payload.pop("status"))
        if "incident_type" in payload:
            body["incident_type_id"] = self.type_id(payload.pop("incident_type"))
        body.update(payload)
        return self.store.render_incident(create_incident(self.store, body))
