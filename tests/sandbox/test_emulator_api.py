"""The emulator's incident.io endpoints: auth, catalog, incidents, updates, edits, envelopes."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from sandbox.emulator import Emulator

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


async def declare(client: httpx.AsyncClient, emulator: Emulator, **fields: Any) -> dict[str, Any]:
    body = {
        "idempotency_key": fields.pop("idempotency_key", str(uuid.uuid4())),
        "visibility": "public",
        "name": "Checkout is down",
        "severity_id": emulator.severity_id("Major"),
        **fields,
    }
    response = await client.post("/v2/incidents", json=body)
    assert response.status_code == 200, response.text
    incident: dict[str, Any] = response.json()["incident"]
    return incident


async def update(client: httpx.AsyncClient, incident_id: str, **fields: Any) -> httpx.Response:
    body = {"incident_id": incident_id, "idempotency_key": str(uuid.uuid4()), **fields}
    return await client.post("/v2/incident_updates", json=body)


async def edit(client: httpx.AsyncClient, incident_id: str, **changes: Any) -> httpx.Response:
    body = {"incident": changes, "notify_incident_channel": True}
    return await client.post(f"/v2/incidents/{incident_id}/actions/edit", json=body)


def only_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert uuid.UUID(body["request_id"]).version == 4
    assert len(body["errors"]) == 1
    error: dict[str, Any] = body["errors"][0]
    return error


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_authorization_material"),
        ({"Authorization": "Bearer not-the-key"}, "invalid_authorization_material"),
        ({"Authorization": "Basic c2FuZGJveC1rZXk="}, "missing_authorization_material"),
    ],
)
async def test_requests_without_the_key_get_401(
    emulator: Emulator, emulator_client: httpx.AsyncClient, headers: dict[str, str], code: str
) -> None:
    emulator_client.headers.pop("Authorization")
    response = await emulator_client.get("/v1/identity", headers=headers)
    assert response.status_code == 401
    assert response.json()["type"] == "authentication_error"
    assert only_error(response)["code"] == code
    assert "not-the-key" not in response.text
    assert emulator.requests[-1].status == 401


async def test_catalog(emulator_client: httpx.AsyncClient) -> None:
    severities = (await emulator_client.get("/v1/severities")).json()["severities"]
    assert [(s["name"], s["rank"]) for s in severities] == [
        ("Minor", 1),
        ("Major", 2),
        ("Critical", 3),
    ]
    statuses = (await emulator_client.get("/v1/incident_statuses")).json()["incident_statuses"]
    assert {s["name"]: s["category"] for s in statuses} == {
        "Triage": "triage",
        "Investigating": "live",
        "Fixing": "live",
        "Monitoring": "live",
        "Documenting": "learning",
        "Closed": "closed",
        "Declined": "declined",
        "Merged": "merged",
    }
    types = (await emulator_client.get("/v1/incident_types")).json()["incident_types"]
    assert [t["name"] for t in types if t["is_default"]] == ["Default"]
    roles = (await emulator_client.get("/v2/incident_roles")).json()["incident_roles"]
    assert {r["role_type"] for r in roles} >= {"lead", "reporter"}
    identity = (await emulator_client.get("/v1/identity")).json()["identity"]
    assert identity["name"] == "Sandbox key"
    assert ULID.match(severities[0]["id"])


async def test_schema_document_advertises_incident_updates(
    emulator_client: httpx.AsyncClient,
) -> None:
    document = (await emulator_client.get("/v1/openapiV3.json")).json()
    assert "post" in document["paths"]["/v2/incident_updates"]


async def test_incidents_are_numbered_and_found_by_id_or_number(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    first = await declare(emulator_client, emulator, name="Checkout is down")
    second = await declare(emulator_client, emulator, name="Search: slow!")
    assert (first["reference"], second["reference"]) == ("INC-1", "INC-2")
    assert ULID.match(first["id"]) and first["id"] < second["id"]
    assert second["slack_channel_id"] == "C0INC2"
    assert second["slack_channel_name"] == "inc-2-search-slow"
    by_id = await emulator_client.get(f"/v2/incidents/{second['id']}")
    by_number = await emulator_client.get("/v2/incidents/2")
    assert by_id.json() == by_number.json() == {"incident": second}
    assert (await emulator_client.get("/v2/incidents/INC-2")).status_code == 404
    assert emulator.incident("INC-2")["id"] == second["id"]


async def test_create_fills_in_defaults_and_resolves_assignees(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    lead, reporter = emulator.role_id("lead"), emulator.role_id("reporter")
    incident = await declare(
        emulator_client,
        emulator,
        incident_role_assignments=[
            {"incident_role_id": lead, "assignee": {"slack_user_id": "U0SBXADA01"}},
            {"incident_role_id": reporter, "assignee": {"slack_user_id": "U0NEWCOMER"}},
        ],
    )
    assert incident["incident_status"]["name"] == "Investigating"
    assert incident["incident_type"]["name"] == "Default"
    assert (incident["mode"], incident["visibility"]) == ("standard", "public")
    assert incident["creator"] == {"api_key": emulator.store.catalog.api_key}
    assignees = {
        a["role"]["role_type"]: a.get("assignee", {}).get("name")
        for a in incident["incident_role_assignments"]
    }
    assert assignees == {
        "lead": "Ada Lovelace",
        "reporter": "Slack user U0NEWCOMER",
        "custom": None,
    }
    users = await emulator_client.get("/v2/users", params={"slack_user_id": "U0NEWCOMER"})
    assert [u["name"] for u in users.json()["users"]] == ["Slack user U0NEWCOMER"]
    security = await declare(
        emulator_client, emulator, incident_type_id=emulator.type_id("Security")
    )
    assert security["incident_status"]["category"] == "triage"


async def test_create_is_idempotent(emulator: Emulator, emulator_client: httpx.AsyncClient) -> None:
    body = {
        "idempotency_key": "slack:T1:declare:V1",
        "visibility": "public",
        "name": "Checkout is down",
        "severity_id": emulator.severity_id("Minor"),
    }
    first = await emulator_client.post("/v2/incidents", json=body)
    again = await emulator_client.post("/v2/incidents", json={**body, "name": "Retry"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert len(emulator.incidents) == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"severity_id": None}, "severity_id", "A severity is required to open an incident"),
        ({"severity_id": "01NOPE"}, "severity_id", "Severity 01NOPE not found"),
        ({"incident_status_id": "01NOPE"}, "incident_status_id", "not found"),
        ({"incident_type_id": "01NOPE"}, "incident_type_id", "not found"),
        (
            {"incident_role_assignments": [{"incident_role_id": "01NOPE"}]},
            "incident_role_assignments",
            "Incident role 01NOPE not found",
        ),
        (
            {"custom_field_entries": [{"custom_field_id": "01CF", "values": []}]},
            "custom_field_entries",
            "not found",
        ),
    ],
)
async def test_create_rejections_name_the_field(
    emulator: Emulator,
    emulator_client: httpx.AsyncClient,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    body = {
        "idempotency_key": "k",
        "visibility": "public",
        "severity_id": emulator.severity_id("Minor"),
        **change,
    }
    body = {k: v for k, v in body.items() if v is not None}
    response = await emulator_client.post("/v2/incidents", json=body)
    assert response.status_code == 422
    assert response.json()["type"] == "validation_error"
    error = only_error(response)
    assert error["source"]["field"] == field
    assert message in error["message"]
    assert emulator.incidents == []


async def test_updates_move_status_and_severity(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    incident = await declare(emulator_client, emulator)
    response = await update(
        emulator_client,
        incident["id"],
        message="Rolling back the deploy",
        to_incident_status_id=emulator.status_id("Fixing"),
        to_severity_id=emulator.severity_id("Critical"),
    )
    assert response.status_code == 201
    first = response.json()["incident_update"]
    assert first["message"] == "Rolling back the deploy"
    assert first["new_incident_status"]["name"] == "Fixing"
    assert first["new_severity"]["name"] == "Critical"
    assert first["updater"] == {"api_key": emulator.store.catalog.api_key}
    current = emulator.incident(incident["id"])
    assert (current["incident_status"]["name"], current["severity"]["name"]) == (
        "Fixing",
        "Critical",
    )
    note = (await update(emulator_client, incident["id"], message="Still fixing")).json()
    assert note["incident_update"]["new_incident_status"]["name"] == "Fixing"
    assert "new_severity" not in note["incident_update"]


async def test_update_is_idempotent(emulator: Emulator, emulator_client: httpx.AsyncClient) -> None:
    incident = await declare(emulator_client, emulator)
    body = {"incident_id": incident["id"], "idempotency_key": "slack:u1", "message": "Fixed"}
    first = await emulator_client.post("/v2/incident_updates", json=body)
    again = await emulator_client.post("/v2/incident_updates", json=body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert len(emulator.updates) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "message", "at least one of message"),
        ({"message": "   "}, "message", "at least one of message"),
        ({"to_incident_status_id": "01NOPE"}, "to_incident_status_id", "not found"),
        ({"to_severity_id": "01NOPE"}, "to_severity_id", "not found"),
        ({"to_incident_status_id": "Triage"}, "to_incident_status_id", "back to triage"),
        ({"to_incident_status_id": "Merged"}, "to_incident_status_id", "merged"),
    ],
)
async def test_update_rejections_name_the_field(
    emulator: Emulator,
    emulator_client: httpx.AsyncClient,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    incident = await declare(emulator_client, emulator)
    if fields.get("to_incident_status_id") in ("Triage", "Merged"):
        fields = {"to_incident_status_id": emulator.status_id(fields["to_incident_status_id"])}
    response = await update(emulator_client, incident["id"], **fields)
    assert response.status_code == 422
    error = only_error(response)
    assert error["source"]["field"] == field
    assert message in error["message"]
    assert emulator.updates == []


async def test_update_of_unknown_incident(emulator_client: httpx.AsyncClient) -> None:
    response = await update(emulator_client, "01NOPE", message="hello")
    assert response.status_code == 422
    assert only_error(response)["source"]["field"] == "incident_id"


async def test_edit_changes_only_given_fields(
    emulator: Emulator, emulator_client: httpx.AsyncClient, emulator_clock: Any
) -> None:
    incident = await declare(emulator_client, emulator, summary="Payments fail at checkout")
    emulator_clock.advance(60)
    response = await edit(emulator_client, incident["id"], name="Checkout payments fail")
    assert response.status_code == 200
    edited = response.json()["incident"]
    assert edited["name"] == "Checkout payments fail"
    assert edited["summary"] == "Payments fail at checkout"
    assert edited["severity"] == incident["severity"]
    assert edited["updated_at"] > incident["updated_at"]
    assert emulator.updates == []  # no status or severity change, so no update recorded

    response = await edit(
        emulator_client, incident["id"], severity_id=emulator.severity_id("Minor")
    )
    assert response.json()["incident"]["severity"]["name"] == "Minor"
    assert [u["new_severity"]["name"] for u in emulator.updates] == ["Minor"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["Fixing"], True),
        (["Documenting"], True),
        (["Closed"], True),
        (["Documenting", "Closed"], True),
        (["Documenting", "Investigating"], False),
        (["Closed", "Investigating"], False),
        (["Triage"], False),
        (["Declined"], False),
    ],
)
async def test_edit_enforces_status_transitions(
    emulator: Emulator, emulator_client: httpx.AsyncClient, path: list[str], allowed: bool
) -> None:
    incident = await declare(emulator_client, emulator)  # starts in Investigating (live)
    responses = [
        await edit(emulator_client, incident["id"], incident_status_id=emulator.status_id(name))
        for name in path
    ]
    assert all(r.status_code == 200 for r in responses[:-1])
    if allowed:
        assert responses[-1].status_code == 200
        assert responses[-1].json()["incident"]["incident_status"]["name"] == path[-1]
    else:
        assert responses[-1].status_code == 422
        assert only_error(responses[-1])["source"]["field"] == "incident_status_id"
        current = emulator.incident(incident["id"])["incident_status"]["name"]
        assert current == (path[-2] if len(path) > 1 else "Investigating")


async def test_triage_cannot_be_accepted_by_edit(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    incident = await declare(
        emulator_client, emulator, incident_type_id=emulator.type_id("Security")
    )
    response = await edit(
        emulator_client, incident["id"], incident_status_id=emulator.status_id("Investigating")
    )
    assert response.status_code == 422


async def test_edit_rejections(emulator: Emulator, emulator_client: httpx.AsyncClient) -> None:
    incident = await declare(emulator_client, emulator)
    by_number = await edit(emulator_client, "1", name="x")
    assert by_number.status_code == 404
    assert by_number.json()["type"] == "not_found"
    unknown = await edit(emulator_client, incident["id"], severity_id="01NOPE")
    assert only_error(unknown)["source"] == {
        "field": "severity_id",
        "pointer": "/incident/severity_id",
    }
    reporter = await edit(
        emulator_client,
        incident["id"],
        incident_role_assignments=[
            {"incident_role_id": emulator.role_id("reporter"), "assignee": {"id": "01NOPE"}}
        ],
    )
    assert reporter.status_code == 422
    assert "reporter role" in only_error(reporter)["message"]


async def test_edit_assigns_and_unassigns_roles(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    incident = await declare(emulator_client, emulator)
    lead = emulator.role_id("lead")
    assign = [{"incident_role_id": lead, "assignee": {"email": "GRACE@example.com"}}]
    edited = (await edit(emulator_client, incident["id"], incident_role_assignments=assign)).json()
    names = [
        a.get("assignee", {}).get("name") for a in edited["incident"]["incident_role_assignments"]
    ]
    assert "Grace Hopper" in names
    unassign = [{"incident_role_id": lead}]
    edited = (
        await edit(emulator_client, incident["id"], incident_role_assignments=unassign)
    ).json()
    assert all("assignee" not in a for a in edited["incident"]["incident_role_assignments"])


async def test_edit_refuses_a_person_incident_io_does_not_know(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    incident = await declare(emulator_client, emulator)
    comms = emulator.role_id("comms")
    assign = [{"incident_role_id": comms, "assignee": {"slack_user_id": "U0STRANGER"}}]
    refused = await edit(emulator_client, incident["id"], incident_role_assignments=assign)
    assert refused.status_code == 422
    assert "U0STRANGER" in only_error(refused)["message"]
    emulator.add_user("Bea Newhire", "U0STRANGER")
    edited = await edit(emulator_client, incident["id"], incident_role_assignments=assign)
    holders = {
        a["role"]["id"]: a.get("assignee", {}).get("name")
        for a in edited.json()["incident"]["incident_role_assignments"]
    }
    assert holders[comms] == "Bea Newhire"


async def test_unknown_incident_path_and_method(emulator_client: httpx.AsyncClient) -> None:
    missing = await emulator_client.get("/v2/incidents/01FDAG4SAP5TYPT98WGR2N7W91")
    assert (missing.status_code, missing.json()["type"]) == (404, "not_found")
    assert only_error(missing)["message"] == "Incident not found"
    nowhere = await emulator_client.get("/v2/incidentz")
    assert nowhere.status_code == 404
    wrong = await emulator_client.patch("/v2/incidents/1", json={})
    assert (wrong.status_code, wrong.json()["type"]) == (405, "method_not_allowed")
    assert wrong.headers["Allow"] == "GET"


async def test_users_lookup(emulator_client: httpx.AsyncClient) -> None:
    by_slack = (
        await emulator_client.get("/v2/users", params={"slack_user_id": "U0SBXGRACE"})
    ).json()
    assert [u["email"] for u in by_slack["users"]] == ["grace@example.com"]
    assert by_slack["pagination_meta"] == {"page_size": 25}
    by_email = await emulator_client.get("/v2/users", params={"email": "Alan@Example.com"})
    assert [u["name"] for u in by_email.json()["users"]] == ["Alan Turing"]
    active = (await emulator_client.get("/v2/users")).json()["users"]
    everyone = (await emulator_client.get("/v2/users", params={"include_inactive": "true"})).json()
    assert len(everyone["users"]) == len(active) + 1
    page = (await emulator_client.get("/v2/users", params={"page_size": "2"})).json()
    assert len(page["users"]) == 2 and page["pagination_meta"]["after"] == page["users"][-1]["id"]
