"""Rate limiting, fault injection, the /_emulator control endpoints and serving on a socket."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from sandbox.emulator import Emulator, ManualClock, create_emulator
from sandbox.emulator.__main__ import main as run_emulator
from sandbox.serving import serve_async
from sandbox.spec import ApiSpec

AUTH = {"Authorization": "Bearer sandbox-key"}


def client_for(
    emulator: Emulator, client: tuple[str, int] = ("127.0.0.1", 5555)
) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=emulator.app, client=client)
    return httpx.AsyncClient(transport=transport, base_url="https://api.incident.io", headers=AUTH)


@pytest.fixture
async def small_bucket(
    emulator_clock: ManualClock,
) -> AsyncIterator[tuple[Emulator, httpx.AsyncClient]]:
    emulator = create_emulator(clock=emulator_clock, rate_capacity=5, rate_refill_per_second=0.5)
    async with client_for(emulator) as client:
        yield emulator, client


async def test_rate_limit_refuses_with_retry_after(
    small_bucket: tuple[Emulator, httpx.AsyncClient], emulator_clock: ManualClock, api_spec: ApiSpec
) -> None:
    emulator, client = small_bucket
    answers = [await client.get("/v1/severities") for _ in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    assert [r.headers["X-RateLimit-Remaining"] for r in answers[:5]] == ["4", "3", "2", "1", "0"]
    refused = answers[-1]
    assert refused.headers["Retry-After"] == "2"  # one token at 0.5/s
    body = refused.json()
    assert body["type"] == "too_many_requests"
    assert body["rate_limit"]["limit"] == 5 and body["rate_limit"]["remaining"] == 0
    api_spec.validate_response("GET", "/v1/severities", 429, refused.content)
    emulator_clock.advance(1.0)
    assert (await client.get("/v1/severities")).status_code == 429
    emulator_clock.advance(1.0)
    assert (await client.get("/v1/severities")).status_code == 200
    state = emulator.state()
    assert state["rate_limited"] == 2
    assert state["peak_per_second"] == 6  # a window is one second wide: t0+1s starts anew
    assert state["peak_per_minute"] == 8


async def test_default_limit_is_1200_a_minute(emulator_client: httpx.AsyncClient) -> None:
    response = await emulator_client.get("/v1/identity")
    assert response.headers["X-RateLimit-Limit"] == "1200, 1200;window=60"
    assert response.headers["X-RateLimit-Used"] == "1"


async def test_unauthenticated_requests_spend_no_tokens(
    small_bucket: tuple[Emulator, httpx.AsyncClient],
) -> None:
    _, client = small_bucket
    for _ in range(10):
        response = await client.get("/v1/identity", headers={"Authorization": "Bearer wrong"})
        assert response.status_code == 401
    assert (await client.get("/v1/identity")).status_code == 200


async def test_status_fault_answers_next_n_without_processing(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    emulator.faults.add("POST /v2/incidents", status=503, count=2)
    body = {
        "idempotency_key": "k",
        "visibility": "public",
        "severity_id": emulator.severity_id("Minor"),
    }
    other = await emulator_client.get("/v1/severities")
    answers = [await emulator_client.post("/v2/incidents", json=body) for _ in range(3)]
    assert other.status_code == 200
    assert [r.status_code for r in answers] == [503, 503, 200]
    assert answers[0].json()["type"] == "api_error"
    assert len(emulator.incidents) == 1
    assert emulator.faults.rules == []
    assert [r.status for r in emulator.requests if r.route == "POST /v2/incidents"] == [
        503,
        503,
        200,
    ]


async def test_status_fault_can_say_what_incident_io_would(
    emulator: Emulator, emulator_client: httpx.AsyncClient, api_spec: ApiSpec
) -> None:
    emulator.faults.from_json(
        {"route": "POST /v2/incidents", "status": 422, "messages": ["Too long", "No"]}
    )
    emulator.faults.add("POST /v2/incidents", status=422, messages=["Unknown"], field="name")
    body = {"idempotency_key": "k", "visibility": "public"}
    plain, named = [await emulator_client.post("/v2/incidents", json=body) for _ in range(2)]
    assert [e["message"] for e in plain.json()["errors"]] == ["Too long", "No"]
    assert "source" not in plain.json()["errors"][0]
    assert named.json()["errors"] == [
        {
            "code": "injected_fault",
            "message": "Unknown",
            "source": {"field": "name", "pointer": "/name"},
        }
    ]
    for answer in (plain, named):
        api_spec.validate_response("POST", "/v2/incidents", 422, answer.content)


async def test_fault_patterns(emulator: Emulator, emulator_client: httpx.AsyncClient) -> None:
    emulator.faults.add("/v2/incidents*", status=500, count=None)
    emulator.faults.add("GET /v1/*", status=429, count=1, retry_after=7)
    assert (await emulator_client.get("/v2/incidents")).status_code == 500
    assert (await emulator_client.get("/v2/incidents/01ABC")).status_code == 500
    limited = await emulator_client.get("/v1/severities")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    assert (await emulator_client.get("/v1/severities")).status_code == 200
    assert (await emulator_client.get("/v2/incidents")).status_code == 500  # until cleared
    emulator.faults.clear()
    assert (await emulator_client.get("/v2/incidents")).status_code == 200


async def test_latency_fault(emulator: Emulator, emulator_client: httpx.AsyncClient) -> None:
    emulator.faults.latency(0.1, route="GET /v1/severities", count=1)
    started = time.perf_counter()
    assert (await emulator_client.get("/v1/severities")).status_code == 200
    assert time.perf_counter() - started >= 0.1
    assert emulator.requests[-1].duration >= 0.1
    assert emulator.faults.rules == []


async def test_hang_processes_the_write_but_never_answers_in_time(
    emulator: Emulator, emulator_client: httpx.AsyncClient
) -> None:
    emulator.faults.hang(count=1, route="POST /v2/incidents", seconds=5)
    body = {
        "idempotency_key": "slack:T1:declare:V9",
        "visibility": "public",
        "severity_id": emulator.severity_id("Minor"),
    }
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(emulator_client.post("/v2/incidents", json=body), timeout=0.2)
    assert len(emulator.incidents) == 1  # it happened, the client just never heard
    retry = await emulator_client.post("/v2/incidents", json=body)
    assert retry.status_code == 200
    assert retry.json()["incident"]["id"] == emulator.incidents[0]["id"]


async def test_control_endpoints(emulator: Emulator) -> None:
    async with client_for(emulator) as client:
        rule = {"kind": "status", "route": "GET /v1/identity", "status": 500, "count": 1}
        added = await client.post("/_emulator/faults", json=rule)
        assert added.json()["faults"][0]["status"] == 500
        assert (await client.get("/v1/identity")).status_code == 500
        latency = {"kind": "latency", "route": "GET /v1/identity", "seconds": 0.01}
        await client.post("/_emulator/faults", json=[latency, {"kind": "hang", "count": 2}])
        assert len((await client.get("/_emulator/faults")).json()["faults"]) == 2
        assert (await client.delete("/_emulator/faults")).json() == {"faults": []}
        bad = await client.post("/_emulator/faults", json={"kind": "explode"})
        assert bad.status_code == 400

        emulator.create_incident("Something")
        state = (await client.get("/_emulator/state")).json()
        assert state["counts"]["GET /v1/identity"] == 1
        assert state["incidents"] == 1
        assert state["status_counts"] == {"500": 1}
        assert state["recent"][-1]["route"] == "GET /v1/identity"
        assert "sandbox-key" not in str(state)

        limits = await client.post("/_emulator/rate_limit", json={"capacity": 3})
        assert limits.json() == {"capacity": 3, "refill_per_second": 20.0}
        reset = (await client.post("/_emulator/reset")).json()
        assert (reset["incidents"], reset["requests"]) == (0, 0)
        assert emulator.incidents == [] and emulator.requests == []
        assert len((await client.get("/v1/severities")).json()["severities"]) == 3


async def test_control_endpoints_refuse_remote_clients(emulator: Emulator) -> None:
    async with client_for(emulator, client=("10.1.2.3", 40000)) as client:
        assert (await client.get("/_emulator/state")).status_code == 403
        assert (await client.post("/_emulator/reset")).status_code == 403
        assert (await client.post("/_emulator/faults", json={})).status_code == 403


async def test_serves_over_a_loopback_socket(emulator: Emulator) -> None:
    async with (
        serve_async(emulator.app) as url,
        httpx.AsyncClient(base_url=url, headers=AUTH) as client,
    ):
        body: dict[str, Any] = {
            "idempotency_key": str(uuid.uuid4()),
            "visibility": "public",
            "severity_id": emulator.severity_id("Major"),
        }
        created = await client.post("/v2/incidents", json=body)
        assert created.status_code == 200
        assert created.json()["incident"]["reference"] == "INC-1"
        state = (await client.get("/_emulator/state")).json()
        assert state["writes"] == 1 and state["counts"] == {"POST /v2/incidents": 1}


def test_runner_refuses_to_bind_beyond_loopback() -> None:
    assert run_emulator(["--host", "192.0.2.1", "--port", "0"]) == 2
