"""GET /v2/incidents and /v2/incident_updates: filters, ordering, cursor pagination."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox.emulator import Emulator, ManualClock

DAY = 86_400.0
Query = list[tuple[str, str]]


async def list_all(client: httpx.AsyncClient, query: Query, page_size: int) -> list[dict[str, Any]]:
    """Follow the cursor to the end, checking each page's pagination_meta."""
    pages: list[list[dict[str, Any]]] = []
    after: str | None = None
    while True:
        params = [*query, ("page_size", str(page_size))] + ([("after", after)] if after else [])
        response = await client.get("/v2/incidents", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["incidents"])
        after = body["pagination_meta"].get("after")
        assert body["pagination_meta"]["page_size"] == page_size
        if after is None:
            return [incident for page in pages for incident in page]
        assert after == body["incidents"][-1]["id"]
        assert len(pages) < 20, "pagination does not end"


async def refs(client: httpx.AsyncClient, query: Query) -> list[str]:
    response = await client.get("/v2/incidents", params=query)
    assert response.status_code == 200, response.text
    return [incident["reference"] for incident in response.json()["incidents"]]


async def test_three_pages_newest_first(
    emulator: Emulator, emulator_client: httpx.AsyncClient, emulator_clock: ManualClock
) -> None:
    for number in range(1, 8):
        emulator.create_incident(f"Incident {number}")
        emulator_clock.advance(60)
    first = (await emulator_client.get("/v2/incidents", params={"page_size": "3"})).json()
    assert first["pagination_meta"]["total_record_count"] == 7
    assert [i["reference"] for i in first["incidents"]] == ["INC-7", "INC-6", "INC-5"]
    pages = []
    after = None
    while True:
        params = {"page_size": "3", **({"after": after} if after else {})}
        body = (await emulator_client.get("/v2/incidents", params=params)).json()
        pages.append([i["reference"] for i in body["incidents"]])
        after = body["pagination_meta"].get("after")
        if after is None:
            break
    assert pages == [["INC-7", "INC-6", "INC-5"], ["INC-4", "INC-3", "INC-2"], ["INC-1"]]
    oldest = await list_all(emulator_client, [("sort_by", "created_at_oldest_first")], 3)
    assert [i["reference"] for i in oldest] == [f"INC-{n}" for n in range(1, 8)]


async def test_default_page_size_and_exact_last_page(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    for number in range(30):
        emulator.create_incident(f"Incident {number}")
    body = (await emulator_client.get("/v2/incidents")).json()
    assert len(body["incidents"]) == 25
    assert body["pagination_meta"]["page_size"] == 25
    assert len(await list_all(emulator_client, [], 10)) == 30  # 3 full pages, no empty 4th


async def test_cursor_survives_the_record_leaving_the_filter(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    for number in range(4):
        emulator.create_incident(f"Incident {number}")
    query = [("status_category[one_of]", "live"), ("page_size", "2")]
    first = (await emulator_client.get("/v2/incidents", params=query)).json()
    cursor = first["pagination_meta"]["after"]
    closed = emulator.status_id("Closed")
    body = {"incident": {"incident_status_id": closed}, "notify_incident_channel": False}
    await emulator_client.post(f"/v2/incidents/{cursor}/actions/edit", json=body)
    second = await emulator_client.get("/v2/incidents", params=[*query, ("after", cursor)])
    assert [i["reference"] for i in second.json()["incidents"]] == ["INC-2", "INC-1"]


async def test_test_and_tutorial_incidents_are_hidden_by_default(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    for mode in ("standard", "test", "tutorial", "retrospective"):
        emulator.create_incident(f"A {mode} incident", mode=mode)
    assert await refs(emulator_client, []) == ["INC-4", "INC-1"]
    assert await refs(emulator_client, [("mode[one_of]", "test")]) == ["INC-2"]
    both = [("mode[one_of]", "test"), ("mode[one_of]", "tutorial")]
    assert await refs(emulator_client, both) == ["INC-3", "INC-2"]


@pytest.fixture
def varied(emulator: Emulator, emulator_clock: ManualClock) -> Emulator:
    """INC-1 Minor live, INC-2 Major closed, INC-3 Critical triage (Security), one day apart."""
    emulator.create_incident("One", severity="Minor")
    emulator_clock.advance(DAY)
    emulator.create_incident("Two", severity="Major", status="Closed")
    emulator_clock.advance(DAY)
    emulator.create_incident("Three", severity="Critical", incident_type="Security")
    return emulator


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ([("status_category[one_of]", "live")], ["INC-1"]),
        (
            [("status_category[one_of]", "live"), ("status_category[one_of]", "triage")],
            ["INC-3", "INC-1"],
        ),
        ([("status_category[not_in]", "closed")], ["INC-3", "INC-1"]),
        ([("severity[gte]", "Major")], ["INC-3", "INC-2"]),
        ([("severity[lte]", "Major")], ["INC-2", "INC-1"]),
        ([("severity[one_of]", "Minor")], ["INC-1"]),
        ([("severity[not_in]", "Minor")], ["INC-3", "INC-2"]),
        ([("status[one_of]", "Closed")], ["INC-2"]),
        ([("incident_type[one_of]", "Security")], ["INC-3"]),
        ([("incident_type[not_in]", "Security")], ["INC-2", "INC-1"]),
        ([("severity[gte]", "Critical"), ("status_category[one_of]", "closed")], []),
        (
            [
                ("filter_mode", "any"),
                ("severity[gte]", "Critical"),
                ("status_category[one_of]", "closed"),
            ],
            ["INC-3", "INC-2"],
        ),
    ],
)
async def test_filters(
    varied: Emulator, emulator_client: httpx.AsyncClient, query: Query, expected: list[str]
) -> None:
    lookups = {
        "severity": varied.severity_id,
        "status": varied.status_id,
        "incident_type": varied.type_id,
    }
    resolved = []
    for key, value in query:
        name = key.split("[")[0]
        resolved.append((key, lookups[name](value) if name in lookups else value))
    assert await refs(emulator_client, resolved) == expected


async def test_created_at_filters(
    varied: Emulator, emulator_client: httpx.AsyncClient, emulator_clock: ManualClock
) -> None:
    first_day = varied.incident(1)["created_at"][:10]
    second_day = varied.incident(2)["created_at"][:10]
    assert await refs(emulator_client, [("created_at[gte]", second_day)]) == ["INC-3", "INC-2"]
    assert await refs(emulator_client, [("created_at[lte]", second_day)]) == ["INC-2", "INC-1"]
    window = f"{first_day}~{second_day}"
    assert await refs(emulator_client, [("created_at[date_range]", window)]) == ["INC-2", "INC-1"]
    exact = varied.incident(3)["created_at"]
    assert await refs(emulator_client, [("created_at[gte]", exact)]) == ["INC-3"]


async def test_role_filters(emulator: Emulator, emulator_client: httpx.AsyncClient) -> None:
    lead = emulator.role_id("lead")
    ada = emulator.store.user_where("slack_user_id", "U0SBXADA01")
    assert ada is not None
    emulator.create_incident(
        "Led", incident_role_assignments=[{"incident_role_id": lead, "assignee": {"id": ada["id"]}}]
    )
    emulator.create_incident("Leaderless")
    assert await refs(emulator_client, [(f"incident_role[{lead}][is_blank]", "true")]) == ["INC-2"]
    assert await refs(emulator_client, [(f"incident_role[{lead}][is_blank]", "false")]) == ["INC-1"]
    assert await refs(emulator_client, [(f"incident_role[{lead}][one_of]", ada["id"])]) == ["INC-1"]


@pytest.mark.parametrize(
    ("query", "status", "named"),
    [
        ([("status_category", "live")], 400, "status_category"),
        ([("status_category[one_of]", "active")], 400, "status_category[one_of]"),
        ([("page_size", "251")], 400, "page_size"),
        ([("after", "01NOPE")], 400, "after"),
        ([("severity[gte]", "01NOPE")], 422, "severity[gte]"),
        ([("custom_field[01CF][one_of]", "x")], 422, "custom_field[01CF][one_of]"),
    ],
)
async def test_bad_list_queries_are_refused(
    emulator_client: httpx.AsyncClient, query: Query, status: int, named: str
) -> None:
    response = await emulator_client.get("/v2/incidents", params=query)
    assert response.status_code == status
    assert response.json()["errors"][0]["source"]["field"] == named


async def test_incident_updates_list(
    emulator: Emulator, emulator_client: httpx.AsyncClient, emulator_clock: ManualClock
) -> None:
    one = emulator.create_incident("One")
    two = emulator.create_incident("Two")
    for number in range(5):
        emulator_clock.advance(1)
        for incident in (one, two):
            body = {"incident_id": incident["id"], "idempotency_key": f"{incident['id']}:{number}"}
            body["message"] = f"update {number}"
            assert (
                await emulator_client.post("/v2/incident_updates", json=body)
            ).status_code == 201
    params: dict[str, str] = {"incident_id": one["id"], "page_size": "2"}
    messages: list[str] = []
    while True:
        body = (await emulator_client.get("/v2/incident_updates", params=params)).json()
        messages += [u["message"] for u in body["incident_updates"]]
        assert all(u["incident_id"] == one["id"] for u in body["incident_updates"])
        if "after" not in body["pagination_meta"]:
            break
        params["after"] = body["pagination_meta"]["after"]
    assert messages == [f"update {n}" for n in range(4, -1, -1)]
    everything = (await emulator_client.get("/v2/incident_updates")).json()
    assert len(everything["incident_updates"]) == 10
    too_big = await emulator_client.get("/v2/incident_updates", params={"page_size": "251"})
    assert too_big.status_code == 400
