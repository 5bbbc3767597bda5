"""Reads: the catalog lists, identity, users, incidents and their pagination, and the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from bot.incidentio.client import IncidentIoClient, UnexpectedResponseError
from tests.incidentio import factories as f
from tests.incidentio.conftest import API_KEY, SpecCheckedRouter


async def test_list_severities_sends_the_key_and_parses(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    minor, major = f.severity("Minor", 1), f.severity("Major", 2)
    route = api.get("/v1/severities").respond(json={"severities": [minor, major]})

    found = await client.list_severities()

    assert [(s.id, s.name, s.rank) for s in found] == [
        (minor["id"], "Minor", 1),
        (major["id"], "Major", 2),
    ]
    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["accept"] == "application/json"


async def test_list_incident_statuses_accepts_every_category(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    statuses = [f.status(name=c.title(), category=c) for c in ("triage", "live", "paused")]
    api.get("/v1/incident_statuses").respond(json={"incident_statuses": statuses})

    found = await client.list_incident_statuses()

    assert [s.category for s in found] == ["triage", "live", "paused"]
    assert all(s.is_open for s in found)


async def test_unknown_enum_values_and_fields_are_accepted(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    # A value incident.io may add tomorrow: the schema (today) rejects it, the adapter must not.
    api.check_responses = False
    frozen = f.status(name="Frozen", category="frozen", brand_new_field={"x": 1})
    api.get("/v1/incident_statuses").respond(json={"incident_statuses": [frozen]})
    role = f.role(role_type="observer", colour="teal")
    api.get("/v2/incident_roles").respond(json={"incident_roles": [role], "extra": True})

    (status,) = await client.list_incident_statuses()
    (found_role,) = await client.list_incident_roles()

    assert status.category == "frozen"
    assert not status.is_open
    assert found_role.role_type == "observer"


async def test_list_incident_types_and_roles(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    default, other = f.incident_type("Default", True), f.incident_type("Security", False)
    api.get("/v1/incident_types").respond(json={"incident_types": [default, other]})
    lead, reporter = f.role("Incident Lead", "lead"), f.role("Reporter", "reporter")
    api.get("/v2/incident_roles").respond(json={"incident_roles": [lead, reporter]})

    types = await client.list_incident_types()
    roles = await client.list_incident_roles()

    assert [(t.name, t.is_default) for t in types] == [("Default", True), ("Security", False)]
    assert [(r.id, r.role_type) for r in roles] == [
        (lead["id"], "lead"),
        (reporter["id"], "reporter"),
    ]


async def test_get_identity(client: IncidentIoClient, api: SpecCheckedRouter) -> None:
    identity = {
        "name": "Slack bot",
        "roles": ["viewer", "incident_creator"],
        "dashboard_url": "https://app.incident.io/acme",
        "team_roles": [],
        "teams": [],
    }
    api.get("/v1/identity").respond(json={"identity": identity})

    found = await client.get_identity()

    assert (found.name, found.roles) == ("Slack bot", ["viewer", "incident_creator"])


async def test_find_user_by_slack_id(client: IncidentIoClient, api: SpecCheckedRouter) -> None:
    person = f.user_with_roles(slack_user_id="U123")
    route = api.get("/v2/users").respond(
        json={"users": [person], "pagination_meta": {"page_size": 1}}
    )

    found = await client.find_user_by_slack_id("U123")

    assert found is not None
    assert (found.id, found.slack_user_id) == (person["id"], "U123")
    assert route.calls.last.request.url.params["slack_user_id"] == "U123"


async def test_find_user_by_slack_id_none_when_unknown(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    api.get("/v2/users").respond(json={"users": [], "pagination_meta": {"page_size": 1}})

    assert await client.find_user_by_slack_id("UNOBODY") is None


@pytest.mark.parametrize(
    ("ref", "path"),
    [
        ("INC-123", "/v2/incidents/123"),
        ("inc-123", "/v2/incidents/123"),
        ("#123", "/v2/incidents/123"),
        ("123", "/v2/incidents/123"),
        ("01FDAG4SAP5TYPT98WGR2N7W91", "/v2/incidents/01FDAG4SAP5TYPT98WGR2N7W91"),
    ],
)
async def test_get_incident_by_reference_or_id(
    client: IncidentIoClient, api: SpecCheckedRouter, ref: str, path: str
) -> None:
    body = f.incident(123)
    route = api.get(path).respond(json={"incident": body})

    found = await client.get_incident(ref)

    assert route.call_count == 1
    assert (found.id, found.reference, found.is_open) == (body["id"], "INC-123", True)
    assert found.severity is not None and found.severity.name == "Major"


async def test_get_incident_rejects_an_empty_reference(client: IncidentIoClient) -> None:
    with pytest.raises(ValueError, match="not an incident reference"):
        await client.get_incident("INC-")


async def test_incident_model_reads_roles_and_ignores_unknown_fields(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    lead = f.role("Incident Lead", "lead")
    assignment = {"role": lead, "assignee": f.user("Ada", "U777")}
    body = f.incident(7, incident_role_assignments=[assignment], has_debrief=False, call_url="x")
    api.get("/v2/incidents/7").respond(json={"incident": body})

    found = await client.get_incident("7")

    (role,) = found.incident_role_assignments
    assert (role.role.role_type, role.assignee and role.assignee.slack_user_id) == ("lead", "U777")
    assert found.created_at == datetime(2026, 8, 17, 13, 28, 57, 801578, tzinfo=UTC)


async def test_a_body_that_breaks_the_model_raises_a_clear_error(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    api.check_responses = False
    broken = f.incident(5)
    del broken["incident_status"]
    rid = f.request_id()
    api.get("/v2/incidents/5").respond(json={"incident": broken}, headers={"x-request-id": rid})

    with pytest.raises(UnexpectedResponseError) as caught:
        await client.get_incident("5")

    message = str(caught.value)
    assert "incident.incident_status" in message
    assert "Field required" in message
    assert rid in message
    assert "pydantic" not in message.lower()


async def test_a_body_that_is_not_json_raises_unexpected_response(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    api.check_responses = False
    api.get("/v1/severities").respond(200, text="<html>gateway</html>")

    with pytest.raises(UnexpectedResponseError, match="not a JSON object"):
        await client.list_severities()


# Pagination -----------------------------------------------------------------------------------


def _pages(api: SpecCheckedRouter, route: str, pages: list[dict[str, Any]]) -> Any:
    return api.get(route).mock(side_effect=[httpx.Response(200, json=p) for p in pages])


async def test_list_incidents_follows_the_cursor_across_three_pages(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    first = [f.incident(n) for n in (1, 2)]
    second = [f.incident(n) for n in (3, 4)]
    third = [f.incident(5)]
    route = _pages(
        api,
        "/v2/incidents",
        [
            f.page("incidents", first, first[-1]["id"], 2),
            f.page("incidents", second, second[-1]["id"], 2),
            f.page("incidents", third, None, 2),
        ],
    )

    found = [i.reference async for i in client.list_incidents(page_size=2)]

    assert found == ["INC-1", "INC-2", "INC-3", "INC-4", "INC-5"]
    afters = [c.request.url.params.get("after") for c in route.calls]
    assert afters == [None, first[-1]["id"], second[-1]["id"]]
    assert {c.request.url.params["page_size"] for c in route.calls} == {"2"}


async def test_pagination_stops_on_a_short_page_even_with_a_cursor(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    items = [f.incident(1)]
    route = _pages(api, "/v2/incidents", [f.page("incidents", items, "NEXT", 2)])

    found = [i async for i in client.list_incidents(page_size=2)]

    assert len(found) == 1
    assert route.call_count == 1


async def test_pagination_stops_on_an_empty_page(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    full = [f.incident(1), f.incident(2)]
    route = _pages(
        api,
        "/v2/incidents",
        [f.page("incidents", full, full[-1]["id"], 2), f.page("incidents", [], "STILL", 2)],
    )

    found = [i async for i in client.list_incidents(page_size=2)]

    assert len(found) == 2
    assert route.call_count == 2


async def test_pagination_stops_when_pagination_meta_is_absent(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    route = api.get("/v2/incidents").respond(json={"incidents": [f.incident(1), f.incident(2)]})

    found = [i async for i in client.list_incidents(page_size=2)]

    assert len(found) == 2
    assert route.call_count == 1


async def test_list_incidents_sends_deep_object_filters(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    route = api.get("/v2/incidents").respond(json=f.page("incidents", [], None, 250))
    since = datetime(2026, 9, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))

    found = [
        i
        async for i in client.list_incidents(
            status_categories=["live", "paused"],
            severity_ids=["SEV1"],
            severity_gte="SEV2",
            created_after=since,
            created_before=datetime(2026, 9, 2),
            modes=["test", "standard"],
        )
    ]

    assert found == []
    assert route.calls.last.request.url.params.multi_items() == [
        ("status_category[one_of]", "live"),
        ("status_category[one_of]", "paused"),
        ("severity[one_of]", "SEV1"),
        ("severity[gte]", "SEV2"),
        ("created_at[gte]", "2026-09-01T10:00:00Z"),
        ("created_at[lte]", "2026-09-02T00:00:00Z"),
        ("mode[one_of]", "test"),
        ("mode[one_of]", "standard"),
        ("page_size", "250"),
    ]


async def test_list_incidents_caps_page_size_at_250(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    route = api.get("/v2/incidents").respond(json=f.page("incidents", [], None, 250))

    assert [i async for i in client.list_incidents(page_size=1000)] == []
    assert route.calls.last.request.url.params["page_size"] == "250"


async def test_list_incident_updates_pages_and_honours_limit(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    incident_id = f.ulid()
    first = [f.incident_update(incident_id, message=f"m{n}") for n in range(3)]
    second = [f.incident_update(incident_id, message=f"m{n}") for n in range(3, 6)]
    route = _pages(
        api,
        "/v2/incident_updates",
        [
            f.page("incident_updates", first, first[-1]["id"], 3),
            f.page("incident_updates", second, second[-1]["id"], 3),
        ],
    )

    found = [
        u.message async for u in client.list_incident_updates(incident_id, page_size=3, limit=4)
    ]

    assert found == ["m0", "m1", "m2", "m3"]
    assert route.call_count == 2
    assert route.calls[0].request.url.params["incident_id"] == incident_id


async def test_list_incident_updates_small_limit_asks_for_a_small_page(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    incident_id = f.ulid()
    updates = [f.incident_update(incident_id) for _ in range(2)]
    route = api.get("/v2/incident_updates").respond(
        json=f.page("incident_updates", updates, updates[-1]["id"], 2)
    )

    found = [u async for u in client.list_incident_updates(incident_id, limit=2)]

    assert len(found) == 2
    assert route.call_count == 1
    assert route.calls.last.request.url.params["page_size"] == "2"
