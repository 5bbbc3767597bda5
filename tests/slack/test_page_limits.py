"""Pages under incident.io's 60-a-minute limit: a burst queues in the bot's own bucket (none
refused, none twice, other calls not held up), a 429 is retried within the budget or said to
have paged nobody; and a path select that outgrew a static one is searched."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.ids import Field
from bot.incidentio.client import IncidentIoClient
from sandbox.emulator import create_emulator
from sandbox.fake_slack import FakeSlack
from sandbox.serving import BackgroundServer
from tests.slack.conftest import API_KEY, Harness, make_settings, serve
from tests.slack.helpers import blocks_text, open_view, seed_incident

# The minute shrunk to half a second: 60 pages per 0.5 s on both sides.
WINDOW = 0.5


@pytest.fixture
async def fast(slack_server: tuple[FakeSlack, BackgroundServer]) -> AsyncIterator[Harness]:
    """The harness with real sleeps (the bucket must really wait) and the page window shrunk."""
    fake, _ = slack_server
    fake.reset()
    # The emulator's bucket holds a few pages more than the bot's: shrunk to half a second, the
    # window turns the scheduling jitter of a loaded machine (requests sent apart, arriving
    # together) into whole pages, which a real minute does not. A bot without its own bucket
    # still sends the 40 past 60 at once and is refused.
    emulator = create_emulator(
        api_key=API_KEY, validate="requests", page_capacity=66, page_refill_per_second=60 / WINDOW
    )
    settings = make_settings(
        fake.api_url, incidentio_page_limit=60, incidentio_page_window_seconds=WINDOW
    )
    incidents = IncidentIoClient.from_settings(
        settings, transport=httpx.ASGITransport(app=emulator.app)
    )
    async for h in serve(fake, emulator, incidents, settings):
        yield h


async def test_a_burst_of_100_pages_is_neither_refused_nor_doubled(fast: Harness) -> None:
    h = fast
    incident = await seed_incident(h)
    views = [await open_view(h, f"page {incident.reference}") for _ in range(100)]
    started = time.monotonic()
    answers = await asyncio.gather(
        *(h.driver.submit(v["id"], {Field.PAGE_PATH: "Payments"}) for v in views)
    )
    # A double click on a few of them: the same view, the same page.
    again = [h.driver.submit(v["id"], {Field.PAGE_PATH: "Payments"}, shown=v) for v in views[:5]]
    answers += await asyncio.gather(*again)
    await h.settle()
    assert {a.status for a in answers} == {200}
    posts = [r for r in h.emulator.requests if r.route == "POST /v2/escalations"]
    assert [r.status for r in posts if r.status != 201] == []  # none refused
    assert len(h.emulator.escalations) == 100  # one per form, none twice
    keys = {r.body["idempotency_key"] for r in posts}
    assert len(keys) == 100
    # 40 past the bucket's 60 wait about 40 / 120 s; nobody waited for a 429's Retry-After.
    assert time.monotonic() - started < 5
    assert all("Paged *Payments*" in blocks_text(h.fake.current_view(v["id"])) for v in views)


async def test_a_429_beyond_the_budget_says_nobody_was_paged(h: Harness) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference}")
    h.emulator.faults.from_json(
        {"status": 429, "route": "POST /v2/escalations", "retry_after": 40, "count": 5}
    )
    await h.driver.submit(view["id"], {Field.PAGE_PATH: "Payments"})
    await h.settle()
    text = blocks_text(h.fake.current_view(view["id"]))
    assert "takes 60 pages a minute" in text and "Nobody was paged" in text
    assert "Submit again in 40 s: it will not page twice" in text
    posts = [r for r in h.emulator.requests if r.route == "POST /v2/escalations"]
    assert len(posts) == 1  # not retried: 40 s is past the 3 s budget
    assert h.emulator.escalations == []


async def test_a_429_within_the_budget_is_retried(h: Harness) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference}")
    h.emulator.faults.from_json(
        {"status": 429, "route": "POST /v2/escalations", "retry_after": 1, "count": 1}
    )
    await h.driver.submit(view["id"], {Field.PAGE_PATH: "Payments"})
    await h.settle()
    assert len(h.emulator.escalations) == 1
    assert "Paged *Payments*" in blocks_text(h.fake.current_view(view["id"]))


def _many_paths(h: Harness, count: int) -> None:
    oncall = h.emulator.store.oncall
    template: dict[str, Any] = oncall.paths[1]  # Payments: someone is on call
    oncall.paths += [
        {**template, "id": f"{template['id'][:-4]}{n:04d}", "name": f"Service {n:03d}"}
        for n in range(count)
    ]


async def test_past_100_paths_the_select_is_searched(h: Harness) -> None:
    _many_paths(h, 120)
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference}")
    select = next(b for b in view["blocks"] if b["block_id"] == Field.PAGE_PATH)["element"]
    assert select["type"] == "external_select"
    found = await h.driver.options(view["id"], Field.PAGE_PATH, "service 11")
    assert [o["text"]["text"] for o in found] == [f"Service {n}" for n in range(110, 120)]
    assert found[0]["description"]["text"] == "On call: Alan Turing, Lin Contractor"
    await h.driver.submit(view["id"], {Field.PAGE_PATH: found[3]})
    await h.settle()
    [page] = h.emulator.escalations
    assert page["escalation_path_id"] == found[3]["value"]
