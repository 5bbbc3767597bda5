"""Creating and editing incidents, with the rules the real API enforces (API-NOTES §4)."""

from __future__ import annotations

import copy
import re
from typing import Any

from sandbox.emulator.custom_fields import apply_entries
from sandbox.emulator.errors import ApiError, ErrorItem, invalid
from sandbox.emulator.seed import DASHBOARD_URL, SLACK_TEAM_ID
from sandbox.emulator.store import IncidentRecord, Store, UpdateRecord


def embedded_role(role: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(role), "required": role["role_type"] == "lead"}


def user_v2(user: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "name", "role", "email", "slack_user_id")
    return {key: user[key] for key in keep if key in user}


def render_assignments(store: Store, assignees: dict[str, str]) -> list[dict[str, Any]]:
    """One entry per role the organisation has, with the assignee when there is one."""
    out = []
    for role in store.catalog.roles:
        entry: dict[str, Any] = {"role": embedded_role(role)}
        user = store.user(assignees.get(role["id"]))
        if user is not None:
            entry["assignee"] = user_v2(user)
        out.append(entry)
    return out


def _assignment_error(index: int, key: str, message: str) -> ApiError:
    pointer = f"/incident_role_assignments/{index}/{key}"
    return ApiError(
        422, [ErrorItem("invalid_value", message, "incident_role_assignments", pointer)]
    )


def resolve_user(
    store: Store, reference: dict[str, Any], index: int, at_create: bool
) -> dict[str, Any]:
    """The user an `assignee` ({id | email | slack_user_id}) names. At create an unknown Slack
    user or email becomes a new user, as when someone new joins the workspace and declares;
    an edit naming someone incident.io does not know is refused (422), and nothing changes."""
    if "id" in reference:
        user = store.user(reference["id"])
        if user is None:
            raise _assignment_error(index, "assignee", f"User {reference['id']} not found")
        return user
    for key in ("slack_user_id", "email"):
        if reference.get(key):
            user = store.user_where(key, reference[key])
            if user is None and not at_create:
                message = f"No incident.io user has {key} {reference[key]}"
                raise _assignment_error(index, "assignee", message)
            if user is None:
                slack_id = reference.get("slack_user_id")
                email = reference.get("email")
                name = email.split("@")[0].title() if email else f"Slack user {slack_id}"
                user = store.catalog.user_record(store.new_id(), name, email, slack_id)
                store.catalog.users.append(user)
            return user
    raise _assignment_error(index, "assignee", "assignee needs an id, email or slack_user_id")


def resolve_assignments(
    store: Store, items: list[dict[str, Any]], at_create: bool
) -> dict[str, str | None]:
    """role id -> user id (None unassigns) for `incident_role_assignments`."""
    result: dict[str, str | None] = {}
    for index, item in enumerate(items):
        role = store.role(item["incident_role_id"])
        if role is None:
            message = f"Incident role {item['incident_role_id']} not found"
            raise _assignment_error(index, "incident_role_id", message)
        if role["id"] in result:
            raise _assignment_error(index, "incident_role_id", "Role assigned more than once")
        if role["role_type"] == "reporter" and not at_create:
            message = "The reporter role can only be assigned when the incident is created"
            raise _assignment_error(index, "incident_role_id", message)
        assignee = item.get("assignee")
        result[role["id"]] = (
            None if assignee is None else resolve_user(store, assignee, index, at_create)["id"]
        )
    return result


def _reject_unconfigured(payload: dict[str, Any]) -> None:
    # The sandbox organisation has no custom timestamps.
    entries = payload.get("incident_timestamp_values") or []
    if entries:
        ident = entries[0].get("incident_timestamp_id")
        raise invalid("incident_timestamp_values", f"Incident timestamp {ident} not found")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def lookup(found: dict[str, Any] | None, field: str, what: str, value: Any) -> dict[str, Any]:
    if found is None:
        raise invalid(field, f"{what} {value} not found")
    return found


def create_incident(store: Store, payload: dict[str, Any]) -> IncidentRecord:
    """POST /v2/incidents; the same idempotency key returns the first incident."""
    existing = store.incident_keys.get(payload["idempotency_key"])
    if existing is not None:
        return store.incidents[existing]
    if not payload.get("severity_id"):
        raise invalid("severity_id", "A severity is required to open an incident", "is_required")
    severity_id = payload["severity_id"]
    severity = lookup(store.severity(severity_id), "severity_id", "Severity", severity_id)
    type_id = payload.get("incident_type_id")
    kind = store.default_type() if type_id is None else store.incident_type(type_id)
    kind = lookup(kind, "incident_type_id", "Incident type", type_id or "(default)")
    mode = payload.get("mode", "standard")
    if "incident_status_id" in payload:
        status = store.status(payload["incident_status_id"])
    elif mode == "retrospective":
        status = store.first_status("learning") or store.first_status("closed")
    else:
        category = "triage" if kind["create_in_triage"] == "always" else "live"
        status = store.first_status(category)
    wanted = payload.get("incident_status_id", "(default)")
    status = lookup(status, "incident_status_id", "Incident status", wanted)
    if kind["private_incidents_only"] and payload["visibility"] != "private":
        raise invalid("visibility", f"Incidents of type {kind['name']} must be private")
    options = payload.get("retrospective_incident_options")
    if options is not None and mode != "retrospective":
        message = "retrospective_incident_options needs mode retrospective"
        raise invalid("retrospective_incident_options", message)
    _reject_unconfigured(payload)
    fields = store.catalog.custom_fields
    entries = apply_entries(fields, [], payload.get("custom_field_entries", []), "")
    assigned = resolve_assignments(store, payload.get("incident_role_assignments", []), True)
    number = store.next_number()
    created, stamp = store.now()
    name = payload.get("name") or "Untitled incident"
    data: dict[str, Any] = {
        "id": store.new_id(),
        "reference": f"INC-{number}",
        "name": name,
        "incident_status": copy.deepcopy(status),
        "severity": copy.deepcopy(severity),
        "incident_type": copy.deepcopy(kind),
        "mode": mode,
        "visibility": payload["visibility"],
        "creator": store.actor(),
        "custom_field_entries": entries,
        "incident_timestamp_values": [],
        "permalink": f"{DASHBOARD_URL}/incidents/{number}",
        "slack_team_id": payload.get("slack_team_id", SLACK_TEAM_ID),
        "created_at": stamp,
        "updated_at": stamp,
    }
    if payload.get("summary"):
        data["summary"] = payload["summary"]
    if mode == "retrospective":
        # Retrospective incidents are not announced and get a channel only when given one.
        data["slack_channel_id"] = (options or {}).get("slack_channel_id", "")
    else:
        data["slack_channel_id"] = f"C0INC{number}"
        slug = _slug(name)
        default_name = f"inc-{number}-{slug}" if slug else f"inc-{number}"
        data["slack_channel_name"] = payload.get("slack_channel_name_override") or default_name
    assignees = {role: user for role, user in assigned.items() if user is not None}
    data["incident_role_assignments"] = render_assignments(store, assignees)
    record = IncidentRecord(number, data, created, payload["idempotency_key"], assignees)
    store.incidents[record.id] = record
    store.incident_keys[record.idempotency_key] = record.id
    return record


def record_update(
    store: Store,
    record: IncidentRecord,
    message: str | None,
    severity_changed: bool,
    key: str | None = None,
) -> UpdateRecord:
    created, stamp = store.now()
    data: dict[str, Any] = {
        "id": store.new_id(),
        "incident_id": record.id,
        "new_incident_status": copy.deepcopy(record.data["incident_status"]),
        "updater": store.actor(),
        "created_at": stamp,
    }
    if message:
        data["message"] = message
    if severity_changed and "severity" in record.data:
        data["new_severity"] = copy.deepcopy(record.data["severity"])
    update = UpdateRecord(data, created, key)
    store.updates[str(data["id"])] = update
    if key is not None:
        store.update_keys[key] = str(data["id"])
    return update
