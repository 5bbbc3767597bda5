"""Request parameters as incident.io reads them: incident references in paths, timestamps,
page sizes, role assignments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote


def path_ref(ref: str) -> str:
    text = ref.strip().lstrip("#")
    if text[:4].upper() == "INC-":
        text = text[4:]
    if not text:
        raise ValueError(f"not an incident reference: {ref!r}")
    return quote(text, safe="")


def timestamp(value: datetime) -> str:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def clamp(page_size: int, maximum: int) -> int:
    return max(1, min(page_size, maximum))


def role_assignments_body(pairs: Iterable[tuple[str, str | None]]) -> list[dict[str, Any]]:
    """(role id, Slack user ID) pairs; no user leaves the role without a holder."""
    return [
        {"incident_role_id": role, **({"assignee": {"slack_user_id": user}} if user else {})}
        for role, user in pairs
    ]
