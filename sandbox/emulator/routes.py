"""One handler per incident.io operation: (store, request) -> (status, JSON body)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.emulator import escalations, listing
from sandbox.emulator.changes import create_update, edit_incident
from sandbox.emulator.errors import error, not_found
from sandbox.emulator.incidents import create_incident
from sandbox.emulator.store import Store


@dataclass(frozen=True)
class ApiRequest:
    route: str  # "GET /v2/incidents/{id}"
    path_params: dict[str, str]
    query: list[tuple[str, str]]
    body: Any  # parsed JSON, or None


Reply = tuple[int, dict[str, Any]]
Handler = Callable[[Store, ApiRequest], Reply]


def _object(request: ApiRequest) -> dict[str, Any]:
    # Reached only with validation off: keep a malformed body from crashing a handler.
    if not isinstance(request.body, dict):
        raise error(400, "invalid_json", "The request body must be a JSON object")
    return request.body


def identity(store: Store, request: ApiRequest) -> Reply:
    return 200, {"identity": dict(store.catalog.identity)}


def severities(store: Store, request: ApiRequest) -> Reply:
    return 200, {"severities": [dict(s) for s in store.catalog.severities]}


def statuses(store: Store, request: ApiRequest) -> Reply:
    return 200, {"incident_statuses": [dict(s) for s in store.catalog.statuses]}


def incident_types(store: Store, request: ApiRequest) -> Reply:
    return 200, {"incident_types": [dict(t) for t in store.catalog.types]}


def incident_roles(store: Store, request: ApiRequest) -> Reply:
    return 200, {"incident_roles": [dict(r) for r in store.catalog.roles]}


def custom_fields(store: Store, request: ApiRequest) -> Reply:
    return 200, {"custom_fields": copy.deepcopy(store.catalog.custom_fields)}


def custom_field_options(store: Store, request: ApiRequest) -> Reply:
    return 200, listing.list_custom_field_options(store, request.query)


def list_incidents(store: Store, request: ApiRequest) -> Reply:
    return 200, listing.list_incidents(store, request.query)


def show_incident(store: Store, request: ApiRequest) -> Reply:
    record = store.find_incident(request.path_params["id"], allow_number=True)
    if record is None:
        raise not_found("Incident")
    return 200, {"incident": store.render_incident(record)}


def post_incident(store: Store, request: ApiRequest) -> Reply:
    record = create_incident(store, _object(request))
    return 200, {"incident": store.render_incident(record)}


def edit(store: Store, request: ApiRequest) -> Reply:
    # The edit endpoint documents only the incident id, not the reference number.
    record = store.find_incident(request.path_params["id"], allow_number=False)
    if record is None:
        raise not_found("Incident")
    edit_incident(store, record, _object(request).get("incident") or {})
    return 200, {"incident": store.render_incident(record)}


def list_updates(store: Store, request: ApiRequest) -> Reply:
    return 200, listing.list_updates(store, request.query)


def post_update(store: Store, request: ApiRequest) -> Reply:
    update = create_update(store, _object(request))
    return 201, {"incident_update": store.render_update(update)}


def list_users(store: Store, request: ApiRequest) -> Reply:
    return 200, listing.list_users(store, request.query)


HANDLERS: dict[str, Handler] = {
    "GET /v1/identity": identity,
    "GET /v1/severities": severities,
    "GET /v1/incident_statuses": statuses,
    "GET /v1/incident_types": incident_types,
    "GET /v2/incident_roles": incident_roles,
    "GET /v1/custom_fields": custom_fields,
    "GET /v1/custom_field_options": custom_field_options,
    "GET /v2/incidents": list_incidents,
    "POST /v2/incidents": post_incident,
    "GET /v2/incidents/{id}": show_incident,
    "POST /v2/incidents/{id}/actions/edit": edit,
    "GET /v2/incident_updates": list_updates,
    "POST /v2/incident_updates": post_update,
    "GET /v2/users": list_users,
    "GET /v2/escalation_paths": escalations.list_paths,
    "GET /v2/escalation_paths/{id}": escalations.show_path,
    "POST /v2/escalations": escalations.create,
    "GET /v2/escalations": escalations.list_escalations,
    "GET /v2/schedules": escalations.list_schedules,
    "GET /v2/schedule_entries": escalations.schedule_entries,
}
