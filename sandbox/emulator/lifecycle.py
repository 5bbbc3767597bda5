"""Status moves, as incident.io documents them for both endpoints that move an incident
(`POST /v2/incident_updates` and the edit action): API-NOTES §12.1, the official text of
`IncidentEditPayloadV2.incident_status_id`.

Allowed: within a category (e.g. between active statuses); resolving, from triage or active to
a post-incident (`learning`) or `closed` status; closing, from post-incident to closed. Nothing
else. A post-incident status must belong to the post-incident flow that applies to the incident,
otherwise a validation error.
"""

from __future__ import annotations

from typing import Any

from sandbox.emulator.seed import Catalog

# The text names triage and active; a paused incident is an active one on hold, so it resolves
# like one, but moving it back to live or triage is a move between categories.
ACTIVE = ("triage", "live", "paused")
ENDING = ("learning", "closed")


def transition_problem(source: str, target: str) -> str | None:
    """Why an incident may not move from a status in category `source` to one in `target`."""
    if source == target:
        # Between post-incident statuses too: the text advises against it (incident.io
        # recalculates them from the flow's tasks) but does not refuse it.
        return None
    if source in ACTIVE and target in ENDING:
        return None
    if source == "learning" and target == "closed":
        return None
    if target == "triage":
        return "An incident cannot go back to triage"
    if target == "merged":
        return "Incidents are merged from the dashboard, not through the API"
    return f"Cannot move an incident from {source} to {target}"


def flow_problem(catalog: Catalog, incident: dict[str, Any], status: dict[str, Any]) -> str | None:
    """Why `status` is not a post-incident status of the flow that applies to `incident`.

    The flow that applies is the one for the incident's type when its type has one, else the
    organisation's default flow (every post-incident status not tied to a type)."""
    if status["category"] != "learning":
        return None
    flows = catalog.post_incident_flows
    kind = (incident.get("incident_type") or {}).get("id")
    applies = kind if kind in flows.values() else None
    if flows.get(status["id"]) == applies:
        return None
    return (
        f"Incident status {status['name']} belongs to another post-incident flow than the one "
        "that applies to this incident"
    )


def move_problem(catalog: Catalog, incident: dict[str, Any], status: dict[str, Any]) -> str | None:
    """Why `incident` may not move to `status`, or None."""
    source = incident["incident_status"]["category"]
    return transition_problem(source, status["category"]) or flow_problem(catalog, incident, status)
