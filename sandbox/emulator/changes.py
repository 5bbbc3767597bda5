"""Changing incidents after creation: the edit action and incident updates."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.emulator.custom_fields import apply_entries
from sandbox.emulator.errors import ApiError, ErrorItem, invalid
from sandbox.emulator.incidents import record_update, render_assignments, resolve_assignments
from sandbox.emulator.lifecycle import move_problem
from sandbox.emulator.store import IncidentRecord, Store, UpdateRecord


def _edit_error(field: str, message: str) -> ApiError:
    return ApiError(422, [ErrorItem("invalid_value", message, field, f"/incident/{field}")])


def edit_incident(store: Store, record: IncidentRecord, changes: dict[str, Any]) -> None:
    """POST /v2/incidents/{id}/actions/edit: only the fields sent change. Everything is checked
    before anything is applied, so a 422 leaves the incident as it was."""
    data = record.data
    severity = status = None
    if "severity_id" in changes:
        severity = store.severity(changes["severity_id"])
        if severity is None:
            raise _edit_error("severity_id", f"Severity {changes['severity_id']} not found")
    if "incident_status_id" in changes:
        status = store.status(changes["incident_status_id"])
        if status is None:
            message = f"Incident status {changes['incident_status_id']} not found"
            raise _edit_error("incident_status_id", message)
        problem = move_problem(store.catalog, data, status)
        if problem:
            raise _edit_error("incident_status_id", problem)
    if changes.get("incident_timestamp_values"):
        message = "incident_timestamp_values refers to timestamps this organisation does not have"
        raise _edit_error("incident_timestamp_values", message)
    entries = None
    if "custom_field_entries" in changes:
        fields, current = store.catalog.custom_fields, data["custom_field_entries"]
        entries = apply_entries(fields, current, changes["custom_field_entries"], "/incident")
    assigned = resolve_assignments(store, changes.get("incident_role_assignments", []), False)

    severity_changed = severity is not None and data.get("severity", {}).get("id") != severity["id"]
    status_changed = status is not None and data["incident_status"]["id"] != status["id"]
    if severity is not None:
        data["severity"] = copy.deepcopy(severity)
    if status is not None:
        data["incident_status"] = copy.deepcopy(status)
    for key in ("name", "summary", "call_url"):
        if key in changes:
            data[key] = changes[key]
    if entries is not None:
        data["custom_field_entries"] = entries
    if "slack_channel_name_override" in changes and data.get("slack_channel_name"):
        data["slack_channel_name"] = changes["slack_channel_name_override"]
    for role_id, user_id in assigned.items():
        if user_id is None:
            record.assignees.pop(role_id, None)
        else:
            record.assignees[role_id] = user_id
    data["incident_role_assignments"] = render_assignments(store, record.assignees)
    data["updated_at"] = store.now()[1]
    if severity_changed or status_changed:
        # The API records an update whenever status or severity changes, however it changed.
        record_update(store, record, None, severity_changed)


def create_update(store: Store, payload: dict[str, Any]) -> UpdateRecord:
    """POST /v2/incident_updates: a message, a status move, a severity change, or all three.
    The same idempotency key returns the first update."""
    existing = store.update_keys.get(payload["idempotency_key"])
    if existing is not None:
        return store.updates[existing]
    record = store.incidents.get(payload["incident_id"])
    if record is None:
        raise invalid("incident_id", f"Incident {payload['incident_id']} not found")
    message = (payload.get("message") or "").strip()
    if not (message or payload.get("to_incident_status_id") or payload.get("to_severity_id")):
        text = "Give at least one of message, to_incident_status_id and to_severity_id"
        raise invalid("message", text, "is_required")
    status = severity = None
    if payload.get("to_incident_status_id"):
        status = store.status(payload["to_incident_status_id"])
        if status is None:
            text = f"Incident status {payload['to_incident_status_id']} not found"
            raise invalid("to_incident_status_id", text)
        problem = move_problem(store.catalog, record.data, status)
        if problem:
            raise invalid("to_incident_status_id", problem)
    if payload.get("to_severity_id"):
        severity = store.severity(payload["to_severity_id"])
        if severity is None:
            raise invalid("to_severity_id", f"Severity {payload['to_severity_id']} not found")
    data = record.data
    severity_changed = severity is not None and data.get("severity", {}).get("id") != severity["id"]
    if status is not None:
        data["incident_status"] = copy.deepcopy(status)
    if severity is not None:
        data["severity"] = copy.deepcopy(severity)
    data["updated_at"] = store.now()[1]
    return record_update(
        store, record, message or None, severity_changed, payload["idempotency_key"]
    )
