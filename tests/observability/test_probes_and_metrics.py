"""/metrics, /healthz and /readyz of the HTTP app, through its real Starlette routes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Bot, build_app
from bot.incidentio.client import IncidentIoClient
from bot.server import create_web_app
from bot.store_api import MemoryStore
from tests.slack.conftest import API_KEY, Harness, make_settings
from tests.slack.helpers import seed_incident


async def _no_sleep(_: float) -> None:
    return None


def web_client(bot: Bot) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_web_app(bot))
    return httpx.AsyncClient(transport=transport, base_url="http://bot")


@pytest.fixture
async def web(h: Harness) -> AsyncIterator[httpx.AsyncClient]:
    async with web_client(h.bot) as client:
        yield client


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """(sample name, labels) -> value, parsed as Prometheus parses it."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(
    parsed: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return parsed.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_count_interactions_latency_api_calls_and_cache(
    h: Harness, web: httpx.AsyncClient
) -> None:
    incident = await seed_incident(h)
    await h.driver.command("declare Checkout down")
    await h.settle()
    await h.driver.submit(h.driver.last_view()["id"], {"severity": "Major"})
    await h.settle()
    await h.driver.command("show INC-99")
    h.emulator.faults.add("POST /v2/incident_updates", 500, count=10)
    await h.driver.command(f"update {incident.reference} failing")
    await h.driver.command("list")
    await h.settle()

    response = await web.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    parsed = samples(response.text)

    counted = "incident_bot_interactions_total"
    assert value(parsed, counted, kind="command", verb="declare", outcome="ok") == 1
    assert (
        value(parsed, counted, kind="view_submission", verb="incident_declare_modal", outcome="ok")
        == 1
    )
    assert value(parsed, counted, kind="command", verb="show", outcome="user_error") == 1
    assert value(parsed, counted, kind="command", verb="update", outcome="api_error") == 1
    assert value(parsed, counted, kind="command", verb="list", outcome="ok") == 1

    # Ack latency: a histogram per kind, every interaction in it, all well inside Slack's 3 s.
    assert value(parsed, "incident_bot_ack_seconds_count", kind="command") == 4
    assert value(parsed, "incident_bot_ack_seconds_bucket", kind="command", le="3.0") == 4
    assert value(parsed, "incident_bot_ack_seconds_count", kind="view_submission") == 1
    assert value(parsed, "incident_bot_ack_seconds_sum", kind="command") > 0

    requests = "incident_bot_incidentio_requests_total"
    failed = value(parsed, requests, method="POST", route="/v2/incident_updates", status="500")
    assert failed >= 2  # every attempt, retries included
    assert failed == sum(
        1 for r in h.emulator.requests if r.path == "/v2/incident_updates" and r.status == 500
    )
    assert value(parsed, requests, method="GET", route="/v2/incidents/{id}", status="404") == 1
    created = [
        k
        for k in parsed
        if k[0] == requests and ("route", "/v2/incidents") in k[1] and ("method", "POST") in k[1]
    ]
    assert created, "the declare's POST /v2/incidents is counted"
    assert (
        value(
            parsed,
            "incident_bot_incidentio_request_seconds_count",
            method="POST",
            route="/v2/incident_updates",
        )
        == failed
    )

    catalog_hits = value(parsed, "incident_bot_cache_lookups", cache="catalog", result="hit")
    catalog_misses = value(parsed, "incident_bot_cache_lookups", cache="catalog", result="miss")
    assert catalog_misses >= 1 and catalog_hits >= 1
    assert (catalog_hits, catalog_misses) == (
        h.deps.catalog.counters.hits,
        h.deps.catalog.counters.misses,
    )
    assert value(parsed, "incident_bot_cache_lookups", cache="open_incidents", result="miss") >= 1


async def test_metrics_carry_no_user_text_or_ids(h: Harness, web: httpx.AsyncClient) -> None:
    await h.driver.command("frobnicate <!channel> secret-word")
    await h.driver.command("show 01FCNDV6P870EA6S7TK1DSYDG0")
    await h.settle()
    text = (await web.get("/metrics")).text
    assert "secret-word" not in text and "frobnicate" not in text
    assert "01FCNDV6P870EA6S7TK1DSYDG0" not in text  # routes are templates: bounded labels
    parsed = samples(text)
    assert (
        value(
            parsed,
            "incident_bot_interactions_total",
            kind="command",
            verb="unknown",
            outcome="user_error",
        )
        == 1
    )


async def test_each_app_has_its_own_registry(h: Harness, web: httpx.AsyncClient) -> None:
    await h.driver.command("help")
    await h.settle()
    other = build_app(
        h.settings,
        IncidentIoClient(API_KEY, transport=httpx.ASGITransport(app=h.emulator.app)),
        store=MemoryStore(),
    )
    async with web_client(other) as fresh:
        parsed = samples((await fresh.get("/metrics")).text)
    assert (
        value(parsed, "incident_bot_interactions_total", kind="command", verb="help", outcome="ok")
        == 0
    )


async def test_healthz_is_up_whatever_incident_io_does(h: Harness, web: httpx.AsyncClient) -> None:
    h.emulator.faults.add(None, 503, count=None)
    response = await web.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_needs_the_catalog_but_not_incident_io_after_it(
    h: Harness, web: httpx.AsyncClient
) -> None:
    # Down from the start: the catalog cannot load, so this process cannot serve forms.
    rule = h.emulator.faults.add(None, 503, count=None)
    down = await web.get("/readyz")
    assert down.status_code == 503
    assert down.json()["status"] == "not ready" and down.json()["catalog_loaded"] is False
    assert down.json()["last_error"]  # what failed, for the operator

    # Back: the probe loads the catalog and says ready.
    h.emulator.faults.rules.remove(rule)
    up = await web.get("/readyz")
    assert up.status_code == 200
    assert up.json() == {"catalog_loaded": True, "incidentio_reachable": True, "status": "ready"}

    # Down again, catalog loaded: still ready (the bot answers "incident.io is failing" itself,
    # which an ingress's 503 would hide), and the outage is reported as information.
    rule = h.emulator.faults.add(None, 503, count=None)
    await h.driver.command("list")
    await h.settle()
    again = await web.get("/readyz")
    assert again.status_code == 200 and again.json()["status"] == "ready"
    assert again.json()["incidentio_reachable"] is False and again.json()["last_error"]
    metrics = samples((await web.get("/metrics")).text)
    assert value(metrics, "incident_bot_incidentio_reachable") == 0
    h.emulator.faults.rules.remove(rule)
    recovered = await web.get("/readyz")
    assert recovered.status_code == 200 and recovered.json()["incidentio_reachable"] is True
    metrics = samples((await web.get("/metrics")).text)
    assert value(metrics, "incident_bot_incidentio_reachable") == 1


async def test_readyz_during_an_outage_costs_one_attempt_shared_by_concurrent_probes(
    h: Harness, web: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await web.get("/readyz")  # the catalog loads
    h.emulator.faults.add(None, 503, count=None)
    await h.driver.command("list")
    await h.settle()

    def probes() -> int:
        return sum(1 for r in h.emulator.requests if r.path == "/v1/identity")

    before = probes()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot"):
        answer = await web.get("/readyz")
    assert answer.status_code == 200 and answer.json()["incidentio_reachable"] is False
    assert probes() == before + 1  # not a round of retries
    assert sum(r.levelno >= logging.WARNING for r in caplog.records) <= 1

    answers = await asyncio.gather(*(web.get("/readyz") for _ in range(5)))
    assert {a.status_code for a in answers} == {200}
    assert probes() == before + 2  # five probes at once, one attempt between them


async def test_readyz_is_503_when_incident_io_is_unreachable(h: Harness) -> None:
    # A closed loopback port: connection refused, no retry waits (sleep is a no-op).
    incidents = IncidentIoClient(
        API_KEY, "http://127.0.0.1:9", sleep=_no_sleep, timeout=1.0, max_retries=1
    )
    bot = build_app(make_settings(h.fake.api_url), incidents, store=MemoryStore())
    try:
        async with web_client(bot) as client:
            response = await client.get("/readyz")
            healthz = await client.get("/healthz")
    finally:
        await incidents.aclose()
    assert response.status_code == 503
    assert (
        response.json()["catalog_loaded"] is False
        and response.json()["incidentio_reachable"] is False
    )
    assert healthz.status_code == 200


async def test_readyz_does_not_leak_the_api_key(h: Harness, web: httpx.AsyncClient) -> None:
    h.emulator.faults.add(None, 401, count=None)
    response = await web.get("/readyz")
    assert response.status_code == 503
    assert API_KEY not in response.text


async def test_a_refused_slack_request_is_a_warning_naming_its_sender(
    web: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    command = "command=%2Fincident&text=list&team_id=T1&user_id=U1&channel_id=C1"
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-forwarded-for": "198.51.100.4",
        "x-slack-request-timestamp": "1",
        "x-slack-signature": "v0=forged",
    }
    readable = await web.post("/slack/events", content=command, headers=headers)
    unreadable = await web.post("/slack/events", content=b"\xff", headers=headers)
    assert (readable.status_code, unreadable.status_code) == (401, 401)
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert [r.levelno for r in refusals] == [logging.WARNING, logging.WARNING]
    # the gate (a body Bolt can read) and the server (one it cannot) name the sender alike
    assert {r.name for r in refusals} == {"bot.gate", "bot.server"}
    assert all(
        r.getMessage().endswith("(from 127.0.0.1 (X-Forwarded-For: 198.51.100.4))")
        for r in refusals
    )
