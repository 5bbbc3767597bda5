"""Faults that need the real process: signals, start-up, and a rate-limit storm over sockets."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot.ids import Modal
from sandbox.emulator import RequestRecord
from tests.e2e.botproc import BotProcess
from tests.e2e.conftest import E2E, serve_upstreams
from tests.e2e.helpers import text_of

ACK_BUDGET = 1.8  # bot.deps.Deps.ack_budget: how long a submission waits before "Working…"


@pytest.fixture
async def own_bot(launch_bot: Callable[..., BotProcess]) -> AsyncIterator[E2E]:
    """A bot process and upstreams of this test's own (for tests that stop or starve it)."""
    with serve_upstreams() as up:
        bot = launch_bot(up)
        async with httpx.AsyncClient(timeout=30.0) as http:
            yield E2E(bot, up, http)


async def _declare_form(e2e: E2E, name: str) -> dict[str, Any]:
    await e2e.driver.command(f"declare {name}")
    await e2e.settle()
    view = e2e.driver.last_view()
    assert view["callback_id"] == Modal.DECLARE
    return view


@pytest.mark.parametrize(
    "latency", [1.5, ACK_BUDGET + 0.7], ids=["before-the-ack", "after-the-ack"]
)
async def test_sigterm_lets_in_flight_work_finish_and_exits_0(own_bot: E2E, latency: float) -> None:
    e2e = own_bot
    form = await _declare_form(e2e, "Disk full on db-2")
    await e2e.fault(kind="latency", route="POST /v2/incidents", seconds=latency)

    submit = asyncio.create_task(e2e.driver.submit(form["id"], {"severity": "Major"}))
    if latency < ACK_BUDGET:
        # Signal once the bot holds the request open, waiting for incident.io.
        running = "Running listener: handle_declare_submission ..."
        await e2e.until(lambda: running in e2e.log_text(), "the submission's listener")
        await asyncio.sleep(0.2)
        assert not submit.done()
    else:
        progress = await submit  # acked with a progress view; the write is still running
        assert "Working" in text_of(progress.json()["view"])
    e2e.bot.terminate()
    ack = await submit
    code = await asyncio.to_thread(e2e.bot.wait, 30.0)

    assert ack.status == 200
    assert code == 0, e2e.bot.tail()
    [incident] = e2e.emulator.incidents
    assert incident["name"] == "Disk full on db-2"
    seen = text_of(e2e.shown(form["id"]))
    assert "INC-1" in seen and "Disk full on db-2" in seen
    if latency > ACK_BUDGET:
        assert e2e.slack_methods()[-1] == "views.update"
    messages = [line.get("message", "") for line in e2e.logs()]
    assert "shutdown: in-flight interactions finished" in messages
    tracebacks = [line for line in e2e.logs() if "exception" in line or "raw" in line]
    assert tracebacks == []
    assert "Traceback" not in e2e.log_text()


def _backed_off(records: list[RequestRecord]) -> list[float]:
    """For each write refused with 429, how long until the same write (same key) came again."""
    by_key: dict[str, list[RequestRecord]] = defaultdict(list)
    for record in records:
        by_key[record.body["idempotency_key"]].append(record)
    gaps = []
    for attempts in by_key.values():
        attempts.sort(key=lambda r: r.time)
        for refused, again in itertools.pairwise(attempts):
            assert refused.status == 429
            gaps.append(again.time - refused.time)
    return gaps


async def test_429_storm_every_action_completes_and_the_client_backs_off(e2e: E2E) -> None:
    form = await _declare_form(e2e, "Storm")
    await e2e.driver.submit(form["id"], {"severity": "Minor"})
    await e2e.settle()
    await asyncio.gather(*[e2e.driver.command("update INC-1") for _ in range(30)])
    await e2e.settle()
    forms = [v for v in e2e.driver.open_views() if v["callback_id"] == Modal.UPDATE]
    assert len(forms) == 30
    # A quarter of incident.io's real refill and 1/240 of its burst: 30 writes at once overflow
    # it six times over.
    await e2e.rate_limit(capacity=5, refill_per_second=5)

    acks = await asyncio.gather(
        *[e2e.driver.submit(f["id"], {"message": f"Note {i}"}) for i, f in enumerate(forms)]
    )
    await e2e.settle(timeout=30)

    assert {a.status for a in acks} == {200}
    for f in forms:
        assert "Update shared on *INC-1*" in text_of(e2e.shown(f["id"]))
    notes = sorted(u["message"].split("\n")[0] for u in e2e.emulator.updates)
    assert notes == sorted(f"Note {i}" for i in range(30))  # each once
    writes = e2e.requests("POST", "POST /v2/incident_updates")
    refused = [r for r in writes if r.status == 429]
    # Every 429 reached the client (the card's re-reads after the writes get some too). The
    # cards' background re-reads may still be getting some: the count read between two looks
    # at the request log lies between them.
    before = len([r for r in e2e.requests() if r.status == 429])
    state = await e2e.emulator_state()
    after = len([r for r in e2e.requests() if r.status == 429])
    assert before <= state["rate_limited"] <= after
    assert len(refused) >= 10  # it was a storm
    assert len(refused) < 3 * 30  # and the retries were bounded
    assert len(writes) == 30 + len(refused)
    # Backing off: no refused write came again before its Retry-After (1 s) had passed.
    gaps = _backed_off(writes)
    assert len(gaps) == len(refused)
    assert min(gaps) >= 0.95, sorted(gaps)[:5]
    assert [line["outcome"] for line in e2e.interactions()].count("ok") == len(e2e.interactions())


async def test_not_ready_until_the_catalog_loads(
    launch_bot: Callable[..., BotProcess],
) -> None:
    with serve_upstreams() as up:
        # The key lacks a permission: incident.io refuses the catalog (no retry for a 403).
        up.emulator.faults.add("GET /v1/severities", status=403, count=None)
        bot = launch_bot(up)
        async with httpx.AsyncClient(timeout=10.0) as http:
            assert (await http.get(f"{bot.url}/healthz")).status_code == 200
            refused = await http.get(f"{bot.url}/readyz")
            assert refused.status_code == 503
            assert refused.json()["catalog_loaded"] is False

            up.emulator.faults.clear()
            ready = await http.get(f"{bot.url}/readyz")
            assert ready.status_code == 200
            assert ready.json() == {
                "catalog_loaded": True,
                "incidentio_reachable": True,
                "status": "ready",
            }
