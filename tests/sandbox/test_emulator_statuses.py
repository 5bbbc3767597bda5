"""The emulator moves incidents between statuses exactly as incident.io documents (API-NOTES
§12.1, `IncidentEditPayloadV2.incident_status_id`), through both endpoints that move them, and
refuses anything else with a 422 that names the status field."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from sandbox.emulator import Emulator

CATEGORIES = ("triage", "live", "paused", "learning", "closed", "declined", "merged", "canceled")

# Source category -> the target categories the API accepts. Within a category (between
# post-incident statuses too: the text only advises against it, since incident.io recalculates
# them); from triage or active (paused counts as active) to post-incident or closed; from
# post-incident to closed. Nothing else.
ACCEPTED = {
    "triage": {"triage", "learning", "closed"},
    "live": {"live", "learning", "closed"},
    "paused": {"paused", "learning", "closed"},
    "learning": {"learning", "closed"},
    "closed": {"closed"},
    "declined": {"declined"},
    "merged": {"merged"},
    "canceled": {"canceled"},
}


@pytest.fixture
def lifecycle(emulator: Emulator) -> Emulator:
    """Two statuses in every category: "<category> A" and "<category> B"."""
    for category in CATEGORIES:
        emulator.add_status(f"{category} A", category)
        emulator.add_status(f"{category} B", category)
    return emulator


async def _update(client: httpx.AsyncClient, incident_id: str, status_id: str) -> httpx.Response:
    body = {
        "incident_id": incident_id,
        "idempotency_key": str(uuid.uuid4()),
        "to_incident_status_id": status_id,
    }
    return await client.post("/v2/incident_updates", json=body)


async def _edit(client: httpx.AsyncClient, incident_id: str, status_id: str) -> httpx.Response:
    body = {"incident": {"incident_status_id": status_id}, "notify_incident_channel": False}
    return await client.post(f"/v2/incidents/{incident_id}/actions/edit", json=body)


ENDPOINTS = {
    "update": (_update, 201, "to_incident_status_id"),
    "edit": (_edit, 200, "incident_status_id"),
}


def _refused(response: httpx.Response, field: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["type"], body["status"]) == ("validation_error", 422)
    assert body["request_id"] == response.headers["X-Request-Id"]
    [error] = body["errors"]
    assert error["code"] == "invalid_value"
    assert error["source"]["field"] == field
    item: dict[str, Any] = error
    return item


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize(("source", "target"), [(s, t) for s in CATEGORIES for t in CATEGORIES])
async def test_status_moves_follow_the_official_rules(
    lifecycle: Emulator,
    emulator_client: httpx.AsyncClient,
    endpoint: str,
    source: str,
    target: str,
) -> None:
    send, created, field = ENDPOINTS[endpoint]
    incident = lifecycle.create_incident("Moving", status=f"{source} A")
    updates_before = len(lifecycle.updates)
    response = await send(emulator_client, incident["id"], lifecycle.status_id(f"{target} B"))
    now = lifecycle.incident(incident["id"])["incident_status"]["name"]
    if target in ACCEPTED[source]:
        assert response.status_code == created, response.text
        assert now == f"{target} B"
        assert len(lifecycle.updates) == updates_before + 1
    else:
        _refused(response, field)
        assert now == f"{source} A"
        assert len(lifecycle.updates) == updates_before


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
async def test_paused_never_goes_back_to_triage_or_live(
    lifecycle: Emulator, emulator_client: httpx.AsyncClient, endpoint: str
) -> None:
    send, _, field = ENDPOINTS[endpoint]
    incident = lifecycle.create_incident("On hold", status="paused A")
    triage = _refused(
        await send(emulator_client, incident["id"], lifecycle.status_id("Triage")), field
    )
    assert "back to triage" in triage["message"]
    live = _refused(
        await send(emulator_client, incident["id"], lifecycle.status_id("Fixing")), field
    )
    assert "from paused to live" in live["message"]


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
async def test_a_post_incident_status_of_another_flow_is_refused(
    emulator: Emulator, emulator_client: httpx.AsyncClient, endpoint: str
) -> None:
    """ "A post-incident status must belong to the post-incident flow that applies to the
    incident, otherwise a validation error." Security incidents here have a flow of their own."""
    send, created, field = ENDPOINTS[endpoint]
    emulator.add_post_incident_flow("Security review", incident_type="Security")
    standard = emulator.create_incident("Checkout down")
    security = emulator.create_incident("Leaked key", incident_type="Security")

    refused = _refused(
        await send(emulator_client, standard["id"], emulator.status_id("Security review")), field
    )
    assert "post-incident flow" in refused["message"]
    assert "Security review" in refused["message"]
    _refused(await send(emulator_client, security["id"], emulator.status_id("Documenting")), field)
    assert emulator.incident(standard["id"])["incident_status"]["name"] == "Investigating"
    assert emulator.incident(security["id"])["incident_status"]["name"] == "Triage"

    for incident, status in ((standard, "Documenting"), (security, "Security review")):
        response = await send(emulator_client, incident["id"], emulator.status_id(status))
        assert response.status_code == created, response.text
        assert emulator.incident(incident["id"])["incident_status"]["name"] == status


async def test_an_added_flow_status_is_listed_like_any_other(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    emulator.add_post_incident_flow("Security review", incident_type="Security")
    statuses = (await emulator_client.get("/v1/incident_statuses")).json()["incident_statuses"]
    added = next(s for s in statuses if s["name"] == "Security review")
    assert added["category"] == "learning"
    assert added["rank"] == max(s["rank"] for s in statuses)
