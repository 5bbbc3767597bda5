"""Response bodies shaped like incident.io's, small enough to read in a test.

Every builder returns a dict that satisfies the response schema (the spec fixture checks each
one as it is served); keyword arguments override fields.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx

TS = "2026-08-17T13:28:57.801578Z"
_ids = itertools.count(1)


def ulid(prefix: str = "01") -> str:
    """A ULID-shaped, unique id (26 characters)."""
    return f"{prefix}{next(_ids):024d}"


def request_id() -> str:
    return str(uuid.uuid4())


def severity(name: str = "Major", rank: int = 2, **over: Any) -> dict[str, Any]:
    return {
        "id": ulid(),
        "name": name,
        "description": f"{name} impact",
        "rank": rank,
        "created_at": TS,
        "updated_at": TS,
        **over,
    }


def status(
    name: str = "Investigating", category: str = "live", rank: int = 1, **over: Any
) -> dict[str, Any]:
    return {
        "id": ulid(),
        "name": name,
        "description": f"{name} description",
        "rank": rank,
        "category": category,
        "created_at": TS,
        "updated_at": TS,
        **over,
    }


def incident_type(name: str = "Default", is_default: bool = True, **over: Any) -> dict[str, Any]:
    return {
        "id": ulid(),
        "name": name,
        "description": f"{name} description",
        "is_default": is_default,
        "private_incidents_only": False,
        "create_in_triage": "optional",
        "created_at": TS,
        "updated_at": TS,
        **over,
    }


def role(name: str = "Incident Lead", role_type: str = "lead", **over: Any) -> dict[str, Any]:
    return {
        "id": ulid(),
        "name": name,
        "shortform": role_type,
        "description": f"{name} description",
        "instructions": "Take point",
        "role_type": role_type,
        "created_at": TS,
        "updated_at": TS,
        **over,
    }


def user(name: str = "Lisa", slack_user_id: str = "U02AYNF2XJM", **over: Any) -> dict[str, Any]:
    return {"id": ulid(), "name": name, "role": "responder", "slack_user_id": slack_user_id, **over}


def user_with_roles(slack_user_id: str = "U02AYNF2XJM", **over: Any) -> dict[str, Any]:
    base = {"id": ulid(), "name": "Responder", "slug": "responder"}
    return {
        **user(slack_user_id=slack_user_id),
        "base_role": base,
        "custom_roles": [],
        "seats": {"on_call": "none", "response": "full_access"},
        "is_active": True,
        **over,
    }


def incident(number: int = 123, **over: Any) -> dict[str, Any]:
    return {
        "id": ulid(),
        "reference": f"INC-{number}",
        "name": f"Incident {number}",
        "incident_status": status(),
        "severity": severity(),
        "mode": "standard",
        "visibility": "public",
        "creator": {"user": user()},
        "custom_field_entries": [],
        "incident_role_assignments": [],
        "slack_team_id": "T02A1FSLE8J",
        "slack_channel_id": "C02AW36C1M5",
        "permalink": f"https://app.incident.io/incidents/{number}",
        "created_at": TS,
        "updated_at": TS,
        **over,
    }


def incident_update(incident_id: str, **over: Any) -> dict[str, Any]:
    return {
        "id": ulid(),
        "incident_id": incident_id,
        "message": "Still investigating",
        "new_incident_status": status(),
        "updater": {"user": user()},
        "created_at": TS,
        **over,
    }


def page(key: str, items: list[dict[str, Any]], after: str | None, size: int) -> dict[str, Any]:
    meta: dict[str, Any] = {"page_size": size}
    if after is not None:
        meta["after"] = after
    return {key: items, "pagination_meta": meta}


ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "resource_forbidden",
    404: "not_found",
    409: "conflict",
    422: "validation_error",
    429: "too_many_requests",
    500: "api_error",
    503: "api_error",
}


def error(
    status_code: int,
    message: str = "Something went wrong",
    *,
    field: str | None = None,
    rid: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    item: dict[str, Any] = {"code": "invalid_value", "message": message}
    if field is not None:
        item["source"] = {"field": field, "pointer": f"/{field}"}
    body = {
        "type": ERROR_TYPES[status_code],
        "status": status_code,
        "request_id": rid or request_id(),
        "errors": [item],
    }
    return httpx.Response(status_code, json=body, headers=headers)
