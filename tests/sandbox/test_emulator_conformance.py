"""All the emulator answers matches the schema; what the schema refuses, the emulator refuses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox.emulator import Emulator, ManualClock, create_emulator, routes
from sandbox.emulator.routes import ApiRequest
from sandbox.emulator.store import Store
from sandbox.spec import ApiSpec


async def test_a_whole_incident_conforms(
    emulator: Emulator,
    emulator_client: httpx.AsyncClient,
    emulator_clock: ManualClock,
    api_spec: ApiSpec,
) -> None:
    # emulator_client checks each response as it arrives; this re-checks them all at the end.
    seen: list[httpx.Response] = []

    async def keep(response: httpx.Response) -> None:
        seen.append(response)

    emulator_client.event_hooks["response"].append(keep)
    c = emulator_client
    for path in ("/v1/identity", "/v1/severities", "/v1/incident_statuses", "/v1/incident_types"):
        await c.get(path)
    await c.get("/v2/incident_roles")
    await c.get("/v2/users", params={"slack_user_id": "U0SBXADA01"})
    created = await c.post(
        "/v2/incidents",
        json={
            "idempotency_key": "slack:T1:declare:V1",
            "visibility": "private",
            "name": "Card payments failing",
            "summary": "Checkout returns 502 for card payments.",
            "severity_id": emulator.severity_id("Major"),
            "mode": "standard",
            "incident_role_assignments": [
                {
                    "incident_role_id": emulator.role_id("reporter"),
                    "assignee": {"slack_user_id": "U0SBXADA01"},
                },
                {
                    "incident_role_id": emulator.role_id("lead"),
                    "assignee": {"email": "new@example.com"},
                },
            ],
            "slack_channel_name_override": "inc-payments",
        },
    )
    incident = created.json()["incident"]
    emulator_clock.advance(120)
    await c.post(
        "/v2/incident_updates",
        json={
            "incident_id": incident["id"],
            "idempotency_key": "u1",
            "message": "Escalating",
            "to_severity_id": emulator.severity_id("Critical"),
            "to_incident_status_id": emulator.status_id("Fixing"),
        },
    )
    await c.post(
        f"/v2/incidents/{incident['id']}/actions/edit",
        json={
            "incident": {
                "name": "Card payments failing (EU)",
                "call_url": "https://meet.example.com/x",
            },
            "notify_incident_channel": True,
        },
    )
    await c.post(
        f"/v2/incidents/{incident['id']}/actions/edit",
        json={
            "incident": {"incident_status_id": emulator.status_id("Documenting")},
            "notify_incident_channel": True,
        },
    )
    await c.post(
        "/v2/incidents",
        json={
            "idempotency_key": "retro",
            "visibility": "public",
            "severity_id": emulator.severity_id("Minor"),
            "mode": "retrospective",
            "retrospective_incident_options": {"slack_channel_id": "C0RETRO"},
        },
    )
    await c.get(
        "/v2/incidents", params=[("status_category[one_of]", "learning"), ("page_size", "1")]
    )
    await c.get("/v2/incidents/1")
    await c.get("/v2/incident_updates", params={"incident_id": incident["id"]})
    await c.get("/v2/incidents/999")
    await c.post("/v2/incidents", json={"idempotency_key": "x", "visibility": "public"})
    await c.get("/v1/openapiV3.json")

    assert len(seen) == 17
    for response in seen:
        request = response.request
        api_spec.validate_response(
            request.method, request.url.path, response.status_code, response.content
        )
    statuses = sorted(r.status_code for r in seen)
    assert statuses.count(404) == 1 and statuses.count(422) == 1
    assert all(s < 400 for s in statuses if s not in (404, 422))
    assert [r.status for r in emulator.requests] == [r.status_code for r in seen]
    final = emulator.incident(1)
    assert final["incident_status"]["category"] == "learning"
    assert final["slack_channel_name"] == "inc-payments"
    assert emulator.incident(2)["slack_channel_id"] == "C0RETRO"
    assert [u.get("new_severity", {}).get("name") for u in emulator.updates] == ["Critical", None]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"idempotency_key": "k", "visibility": "public", "sevrity_id": "x"}, "sevrity_id"),
        ({"idempotency_key": "k", "visibility": "secret"}, "visibility"),
        ({"visibility": "public"}, "idempotency_key"),
        (
            {
                "idempotency_key": "k",
                "visibility": "public",
                "incident_role_assignments": [{"incident_role_id": "r", "user": {"id": "u"}}],
            },
            "incident_role_assignments.0.user",
        ),
    ],
)
async def test_schema_invalid_bodies_are_refused_before_anything_happens(
    emulator: Emulator, emulator_client: httpx.AsyncClient, body: dict[str, Any], named: str
) -> None:
    response = await emulator_client.post("/v2/incidents", json=body)
    assert response.status_code == 422
    assert response.json()["type"] == "validation_error"
    assert named in [e["source"]["field"] for e in response.json()["errors"]]
    assert emulator.incidents == []


async def test_unparseable_body_is_a_400(emulator_client: httpx.AsyncClient) -> None:
    response = await emulator_client.post(
        "/v2/incidents", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.json()["type"]) == (400, "invalid_request_error")
    assert "not valid JSON" in response.json()["errors"][0]["message"]


async def test_without_validation_unknown_fields_are_ignored_like_the_real_api(
    emulator_clock: ManualClock,
) -> None:
    emulator = create_emulator(clock=emulator_clock, validate=False)
    transport = httpx.ASGITransport(app=emulator.app)
    headers = {"Authorization": "Bearer sandbox-key"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://x", headers=headers
    ) as client:
        body = {
            "idempotency_key": "k",
            "visibility": "public",
            "severity_id": emulator.severity_id("Minor"),
            "incident_role_assignments": [
                {"incident_role_id": emulator.role_id("lead"), "user": {"id": "u"}}
            ],
        }
        response = await client.post("/v2/incidents", json=body)
    assert response.status_code == 200
    assignments = response.json()["incident"]["incident_role_assignments"]
    assert all("assignee" not in a for a in assignments)  # the typo silently assigned nobody


async def test_an_answer_outside_the_schema_becomes_a_500(
    emulator: Emulator, emulator_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(store: Store, request: ApiRequest) -> tuple[int, dict[str, Any]]:
        return 200, {"severities": [{"name": "No id"}]}

    monkeypatch.setitem(routes.HANDLERS, "GET /v1/severities", broken)
    response = await emulator_client.get("/v1/severities")
    assert response.status_code == 500
    assert "Emulator bug" in response.json()["errors"][0]["message"]
    assert "'id' is a required property" in response.json()["errors"][0]["message"]


async def test_requests_only_validation_skips_the_answer_check(
    emulator_clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(store: Store, request: ApiRequest) -> tuple[int, dict[str, Any]]:
        return 200, {"severities": [{"name": "No id"}]}

    monkeypatch.setitem(routes.HANDLERS, "GET /v1/severities", broken)
    emulator = create_emulator(clock=emulator_clock, validate="requests")
    transport = httpx.ASGITransport(app=emulator.app)
    headers = {"Authorization": "Bearer sandbox-key"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://x", headers=headers
    ) as client:
        assert (await client.get("/v1/severities")).status_code == 200
        refused = await client.post("/v2/incidents", json={"visibility": "secret"})
    assert refused.status_code == 422
    with pytest.raises(ValueError, match="validate"):
        create_emulator(validate="responses")  # type: ignore[arg-type]
