"""CatalogCache and OpenIncidentsCache over the real client and the spec-checked mock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from bot.incidentio.catalog import CatalogCache, OpenIncidentsCache
from bot.incidentio.client import IncidentIoClient
from bot.incidentio.models import Incident, IncidentUpdate
from tests.incidentio import factories as f
from tests.incidentio.conftest import SpecCheckedRouter

LISTS = {
    "/v1/severities": "severities",
    "/v1/incident_statuses": "incident_statuses",
    "/v1/incident_types": "incident_types",
    "/v2/incident_roles": "incident_roles",
    "/v1/custom_fields": "custom_fields",
}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def catalog_bodies(tag: str) -> dict[str, dict[str, Any]]:
    return {
        "/v1/severities": {"severities": [f.severity(f"Minor {tag}", 1), f.severity("Major", 2)]},
        "/v1/incident_statuses": {"incident_statuses": [f.status(), f.status("Closed", "closed")]},
        "/v1/incident_types": {"incident_types": [f.incident_type()]},
        "/v2/incident_roles": {"incident_roles": [f.role(), f.role("Reporter", "reporter")]},
        "/v1/custom_fields": {"custom_fields": []},
    }


def mock_catalog(api: SpecCheckedRouter, tag: str = "A") -> dict[str, Any]:
    bodies = catalog_bodies(tag)
    return {path: api.get(path).respond(json=body) for path, body in bodies.items()}


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_100_cold_callers_cause_one_get_per_list_all_four_in_parallel(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    bodies = catalog_bodies("A")
    in_flight = 0
    all_four = asyncio.Event()

    def answer(path: str) -> Callable[[httpx.Request], Awaitable[httpx.Response]]:
        async def effect(request: httpx.Request) -> httpx.Response:
            nonlocal in_flight
            in_flight += 1
            if in_flight == len(LISTS):
                all_four.set()
            # Each list answers only once all four requests are in flight: one parallel round trip.
            await asyncio.wait_for(all_four.wait(), timeout=2)
            return httpx.Response(200, json=bodies[path])

        return effect

    routes = {path: api.get(path).mock(side_effect=answer(path)) for path in LISTS}
    cache = CatalogCache(client, ttl_seconds=300)

    catalogs = await asyncio.gather(*(cache.get() for _ in range(100)))

    assert {path: r.call_count for path, r in routes.items()} == dict.fromkeys(LISTS, 1)
    assert all(c is catalogs[0] for c in catalogs)
    catalog = catalogs[0]
    assert [s.name for s in catalog.severities_by_rank()] == ["Minor A", "Major"]
    assert catalog.role_of_type("reporter") is not None
    live = next(s for s in catalog.statuses if s.category == "live")
    assert [s.category for s in catalog.resolve_statuses(live)] == ["closed"]
    assert (cache.counters.misses, cache.counters.hits) == (100, 0)


async def test_fresh_catalog_is_served_from_memory(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    routes = mock_catalog(api)
    cache = CatalogCache(client, ttl_seconds=300, clock=Clock())
    assert cache.peek() is None

    first = await cache.get()
    second = await cache.get()

    assert first is second is cache.peek()
    assert all(r.call_count == 1 for r in routes.values())
    assert (cache.counters.hits, cache.counters.misses) == (1, 1)


async def test_stale_catalog_is_served_while_one_refresh_runs(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    clock = Clock()
    cache = CatalogCache(client, ttl_seconds=300, clock=clock)
    mock_catalog(api, "A")
    old = await cache.get()
    api.routes.clear()
    routes = mock_catalog(api, "B")
    clock.now = 301

    served = await asyncio.gather(*(cache.get() for _ in range(10)))
    await settle()

    assert all(c is old for c in served)
    assert all(r.call_count == 1 for r in routes.values())
    assert cache.counters.stale == 10
    assert (await cache.get()).severities[0].name == "Minor B"


async def test_warm_loads_and_reports_failure_without_raising(
    client: IncidentIoClient, api: SpecCheckedRouter, caplog: pytest.LogCaptureFixture
) -> None:
    rid = f.request_id()
    for path in LISTS:
        api.get(path).mock(return_value=f.error(401, "Invalid API key", rid=rid))
    cache = CatalogCache(client, ttl_seconds=300)

    with caplog.at_level(logging.WARNING, logger="bot.incidentio"):
        assert await cache.warm() is False

    assert cache.peek() is None
    assert rid in caplog.text
    api.routes.clear()
    mock_catalog(api)
    assert await cache.warm() is True
    assert cache.peek() is not None


async def test_open_incidents_asks_for_open_categories_and_caches(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    clock = Clock()
    open_ones = [f.incident(1), f.incident(2)]
    route = api.get("/v2/incidents").respond(json=f.page("incidents", open_ones, None, 250))
    cache = OpenIncidentsCache(client, clock=clock)

    first = await cache.get()
    clock.now = 14.9
    second = await cache.get()

    assert [i.reference for i in first] == ["INC-1", "INC-2"]
    assert second == first
    assert route.call_count == 1
    params = route.calls.last.request.url.params
    # Post-incident incidents too: they take messages and can be closed, and their channels
    # must still be recognised as theirs.
    assert params.get_list("status_category[one_of]") == ["triage", "live", "paused", "learning"]


async def test_open_incidents_invalidate_refetches(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    route = api.get("/v2/incidents").mock(
        side_effect=[
            httpx.Response(200, json=f.page("incidents", [f.incident(1)], None, 250)),
            httpx.Response(
                200, json=f.page("incidents", [f.incident(1), f.incident(2)], None, 250)
            ),
        ]
    )
    cache = OpenIncidentsCache(client, clock=Clock())
    assert len(await cache.get()) == 1

    cache.invalidate()

    assert cache.peek() is None
    assert len(await cache.get()) == 2
    assert route.call_count == 2


async def test_open_incidents_write_through_needs_no_reread(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    first = f.incident(1)
    route = api.get("/v2/incidents").respond(json=f.page("incidents", [first], None, 250))
    cache = OpenIncidentsCache(client, clock=Clock())
    await cache.get()

    declared = Incident.model_validate(f.incident(2))
    cache.record(declared)
    assert [i.reference for i in await cache.get()] == ["INC-2", "INC-1"]

    critical = f.severity("Critical", 3)
    moved = IncidentUpdate.model_validate(
        f.incident_update(
            first["id"], new_severity=critical, new_incident_status=f.status("Fixing")
        )
    )
    cache.record_update(moved)
    now = {i.reference: i for i in await cache.get()}
    assert now["INC-1"].severity is not None and now["INC-1"].severity.name == "Critical"
    assert now["INC-1"].incident_status.name == "Fixing"

    closed = IncidentUpdate.model_validate(
        f.incident_update(first["id"], new_incident_status=f.status("Closed", "closed"))
    )
    cache.record_update(closed)
    assert [i.reference for i in await cache.get()] == ["INC-2"]
    assert route.call_count == 1


async def test_a_resolved_incident_stays_cached_until_it_is_closed(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    first = f.incident(1)
    route = api.get("/v2/incidents").respond(json=f.page("incidents", [first], None, 250))
    cache = OpenIncidentsCache(client, clock=Clock())
    await cache.get()

    documenting = f.status("Documenting", "learning")
    cache.record_update(
        IncidentUpdate.model_validate(
            f.incident_update(first["id"], new_incident_status=documenting)
        )
    )
    [resolved] = await cache.get()
    assert resolved.is_post_incident and not resolved.is_open and resolved.is_changeable

    closed = f.status("Closed", "closed")
    cache.record_update(
        IncidentUpdate.model_validate(f.incident_update(first["id"], new_incident_status=closed))
    )
    assert await cache.get() == []
    assert route.call_count == 1


async def test_a_load_started_before_our_write_is_not_stored(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    gate = asyncio.Event()
    before_write = f.page("incidents", [f.incident(1)], None, 250)

    async def slow(_: httpx.Request) -> httpx.Response:
        await gate.wait()
        return httpx.Response(200, json=before_write)

    route = api.get("/v2/incidents").mock(side_effect=slow)
    cache = OpenIncidentsCache(client, clock=Clock())
    waiter = asyncio.create_task(cache.get())
    await settle()
    cache.record(Incident.model_validate(f.incident(2)))  # our write lands meanwhile
    gate.set()
    assert len(await waiter) == 1  # the waiter still gets its answer
    assert cache.peek() is None  # but the pre-write list is not kept
    route.side_effect = None
    route.respond(json=f.page("incidents", [f.incident(1), f.incident(2)], None, 250))
    assert len(await cache.get()) == 2


async def test_a_key_without_the_custom_fields_scope_still_loads_the_catalog(
    client: IncidentIoClient, api: SpecCheckedRouter, caplog: pytest.LogCaptureFixture
) -> None:
    bodies = catalog_bodies("A")
    for path, body in bodies.items():
        if path != "/v1/custom_fields":
            api.get(path).respond(json=body)
    api.get("/v1/custom_fields").mock(return_value=f.error(403, "Missing scope custom_fields.view"))
    cache = CatalogCache(client, ttl_seconds=300)
    with caplog.at_level(logging.WARNING, logger="bot.incidentio"):
        catalog = await cache.get()
    assert catalog.custom_fields == () and catalog.severities
    assert "custom fields not shown" in caplog.text
