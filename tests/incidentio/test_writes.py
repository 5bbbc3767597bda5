"""Writes: the exact bodies the adapter sends (each one also checked by the strict schema)."""

from __future__ import annotations

import json

import pytest

from bot.incidentio.client import IncidentIoClient
from tests.incidentio import factories as f
from tests.incidentio.conftest import SpecCheckedRouter


async def test_create_incident_minimal_body(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    body = f.incident(42, name="DB down")
    route = api.post("/v2/incidents").respond(json={"incident": body})

    created = await client.create_incident(idempotency_key="slack:T1:cmd:abc", name="DB down")

    assert (created.id, created.reference, created.name) == (body["id"], "INC-42", "DB down")
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "idempotency_key": "slack:T1:cmd:abc",
        "name": "DB down",
        "visibility": "public",
        "mode": "standard",
    }


async def test_create_incident_full_body_assigns_roles_by_slack_user(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    route = api.post("/v2/incidents").respond(json={"incident": f.incident(43)})

    await client.create_incident(
        idempotency_key="k1",
        name="Payments failing",
        visibility="private",
        summary="Card payments fail at checkout",
        severity_id="SEV",
        incident_type_id="TYPE",
        incident_status_id="STATUS",
        mode="test",
        role_assignments=[("ROLE_REPORTER", "U1"), ("ROLE_LEAD", "U2")],
        slack_team_id="T1",
    )

    assert json.loads(route.calls.last.request.content) == {
        "idempotency_key": "k1",
        "name": "Payments failing",
        "visibility": "private",
        "mode": "test",
        "summary": "Card payments fail at checkout",
        "severity_id": "SEV",
        "incident_type_id": "TYPE",
        "incident_status_id": "STATUS",
        "slack_team_id": "T1",
        "incident_role_assignments": [
            {"incident_role_id": "ROLE_REPORTER", "assignee": {"slack_user_id": "U1"}},
            {"incident_role_id": "ROLE_LEAD", "assignee": {"slack_user_id": "U2"}},
        ],
    }


async def test_edit_incident_sends_only_the_given_fields(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    body = f.incident(9, name="Renamed")
    route = api.post(f"/v2/incidents/{body['id']}/actions/edit").respond(json={"incident": body})

    edited = await client.edit_incident(body["id"], name="Renamed", severity_id="SEV3")

    assert edited.name == "Renamed"
    assert json.loads(route.calls.last.request.content) == {
        "incident": {"name": "Renamed", "severity_id": "SEV3"},
        "notify_incident_channel": True,
    }


async def test_edit_incident_can_stay_quiet(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    body = f.incident(9)
    route = api.post(f"/v2/incidents/{body['id']}/actions/edit").respond(json={"incident": body})

    await client.edit_incident(body["id"], summary="New summary", notify_incident_channel=False)

    sent = json.loads(route.calls.last.request.content)
    assert sent == {"incident": {"summary": "New summary"}, "notify_incident_channel": False}


async def test_edit_incident_with_nothing_to_change_sends_nothing(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    with pytest.raises(ValueError, match="at least one field"):
        await client.edit_incident("01FDAG4SAP5TYPT98WGR2N7W91")
    assert len(api.calls) == 0


async def test_create_incident_update_moves_status_and_severity(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    incident_id = f.ulid()
    resolved = f.status("Resolved", "closed", rank=5)
    update = f.incident_update(incident_id, message="Fixed", new_incident_status=resolved)
    route = api.post("/v2/incident_updates").respond(201, json={"incident_update": update})

    created = await client.create_incident_update(
        incident_id=incident_id,
        idempotency_key="slack:T1:upd:V1",
        message="Fixed",
        to_incident_status_id=resolved["id"],
        to_severity_id="SEV1",
    )

    assert (created.id, created.new_incident_status.category) == (update["id"], "closed")
    assert json.loads(route.calls.last.request.content) == {
        "incident_id": incident_id,
        "idempotency_key": "slack:T1:upd:V1",
        "message": "Fixed",
        "to_incident_status_id": resolved["id"],
        "to_severity_id": "SEV1",
    }


async def test_create_incident_update_message_only(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    incident_id = f.ulid()
    route = api.post("/v2/incident_updates").respond(
        201, json={"incident_update": f.incident_update(incident_id)}
    )

    await client.create_incident_update(incident_id=incident_id, idempotency_key="k", message="hi")

    sent = json.loads(route.calls.last.request.content)
    assert sent == {"incident_id": incident_id, "idempotency_key": "k", "message": "hi"}


async def test_create_incident_update_needs_something_to_say(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    with pytest.raises(ValueError, match="message, a status or a severity"):
        await client.create_incident_update(incident_id="X", idempotency_key="k")
    assert len(api.calls) == 0
