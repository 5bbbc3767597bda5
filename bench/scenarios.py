"""The measurements. Each returns plain numbers; report.py lays them out."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench import procs
from bench.harness import (
    CATALOG_ROUTES,
    Emulator,
    Sender,
    Target,
    Timed,
    wait_views_open,
)
from bench.procs import Child
from bot.ids import Modal
from sandbox.fake_slack import FakeSlack

SETTLE = 0.3  # seconds for work that continues after an ack (50 ms latency leaves plenty)
GAP = 0.02  # between sequential commands: each finds the app idle, as a lone command would


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats' surprises
    return ordered[int(rank) - 1]


@dataclass
class Sample:
    """Latencies in seconds, with what the report needs of them."""

    values: list[float]

    @property
    def p50(self) -> float:
        return percentile(self.values, 50)

    @property
    def p99(self) -> float:
        return percentile(self.values, 99)

    @property
    def max(self) -> float:
        return max(self.values)


# 1 and 2 (warm) ---------------------------------------------------------------------------------


@dataclass
class Sequential:
    acks: Sample
    to_views_open: Sample | None = None  # send -> the fake Slack recorded views.open
    calls_before_open: int = 0  # incident.io requests that arrived in those windows
    loading_modals: int = 0  # views.open that showed "Loading…" instead of the form


async def sequential(
    target: Target, runs: int, fake: FakeSlack | None = None, emulator: Emulator | None = None
) -> Sequential:
    """`/incident declare` `runs` times, one at a time. With `fake`, each waits for its modal."""
    before = await emulator.total() if emulator else 0
    answers: list[Timed] = []
    opened: dict[str, Any] = {}
    for n in range(runs):
        answer = await target.command(f"declare Sequential {n}")
        assert answer.status == 200, answer
        answers.append(answer)
        if fake is not None and answer.trigger_id:
            opened.update(await wait_views_open(fake, {answer.trigger_id}))
        await asyncio.sleep(GAP)
    result = Sequential(Sample([a.elapsed for a in answers]))
    if fake is None or emulator is None:
        return result
    records = await emulator.records_since(before)
    waits, calls, loading = [], 0, 0
    for answer in answers:
        call = opened[str(answer.trigger_id)]
        waits.append(call.at - answer.sent)
        until = answer.sent_wall + (call.at - answer.sent)
        calls += sum(1 for r in records if answer.sent_wall <= r["time"] <= until)
        loading += call.args["view"].get("callback_id") == Modal.LOADING
    result.to_views_open, result.calls_before_open = Sample(waits), calls
    result.loading_modals = loading
    return result


@dataclass
class Burst:
    acks: Sample
    statuses: Counter[int]
    cpu: float  # CPU seconds the app used, until every modal opened
    views_opened: int = 0
    views_failed: Counter[str] = field(default_factory=Counter)
    to_views_open: Sample | None = None


async def burst(target: Target, size: int, fake: FakeSlack | None = None) -> Burst:
    """`size` concurrent `/incident declare`; with `fake`, waits for (and checks) every modal."""
    texts = [f"declare Burst {n}" for n in range(size)]
    cpu = procs.cpu_seconds(target.pid) if target.pid else 0.0
    answers = await target.commands(texts, concurrent=True)
    result = Burst(Sample([a.elapsed for a in answers]), Counter(a.status for a in answers), 0.0)
    if fake is not None:
        triggers = {str(a.trigger_id) for a in answers}
        opened = await wait_views_open(fake, triggers)
        result.views_opened = sum(1 for c in opened.values() if c.error is None)
        result.views_failed = Counter(str(c.error) for c in opened.values() if c.error)
        result.views_failed["never called"] = len(triggers - opened.keys())
        sent = {a.trigger_id: a.sent for a in answers}
        result.to_views_open = Sample([c.at - sent[t] for t, c in opened.items()])
    await asyncio.sleep(0.1)  # what follows the last views.open (the interaction's log line)
    result.cpu = (procs.cpu_seconds(target.pid) - cpu) if target.pid else 0.0
    return result


def pooled(bursts: list[Burst]) -> Burst:
    """Several bursts as one sample: their latencies and counts together."""
    opens = [v for b in bursts if b.to_views_open for v in b.to_views_open.values]
    return Burst(
        acks=Sample([v for b in bursts for v in b.acks.values]),
        statuses=sum((b.statuses for b in bursts), Counter()),
        cpu=sum(b.cpu for b in bursts),
        views_opened=sum(b.views_opened for b in bursts),
        views_failed=sum((b.views_failed for b in bursts), Counter()),
        to_views_open=Sample(opens) if opens else None,
    )


# 2 (cold) ---------------------------------------------------------------------------------------


@dataclass
class Cold:
    to_views_open: float
    calls_before_open: Counter[str]
    overlap: bool  # the command's catalog GETs were all in flight at one moment
    spread: float  # first to last arrival of those GETs
    round_trip: float  # first arrival to last answer
    form_shown: bool  # the modal opened with the form, not the "Loading…" placeholder


async def cold_start(
    fake: FakeSlack, emulator: Emulator, sender: Sender, start_bot: Callable[[], Child]
) -> Cold:
    """First `/incident declare` of a fresh bot process whose start-up warm-up did not load the
    catalog (one injected 400 on it), so the command itself loads the catalog."""
    refused = {"kind": "status", "route": "GET /v1/severities", "status": 400, "count": 1}
    await emulator.faults(refused)
    before = await emulator.total()
    child = start_bot()
    try:
        deadline = time.monotonic() + 10
        while set(CATALOG_ROUTES) - {r["route"] for r in await emulator.records_since(before)}:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot's start-up warm-up never reached the emulator")
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # let the failed warm-up finish on the bot's side
        warmup = await emulator.total()
        target = Target(child.url, fake, sender)
        try:
            answer = await target.command("declare Cold start")
            opened = await wait_views_open(fake, {str(answer.trigger_id)})
        finally:
            await target.aclose()
        call = opened[str(answer.trigger_id)]
        until = answer.sent_wall + (call.at - answer.sent)
        records = await emulator.records_since(warmup)
        early = [r for r in records if r["time"] <= until]
        lists = [r for r in early if r["route"] in CATALOG_ROUTES]
        starts = [r["time"] for r in lists]
        ends = [r["time"] + r["duration"] for r in lists]
        return Cold(
            to_views_open=call.at - answer.sent,
            calls_before_open=Counter(r["route"] for r in early),
            overlap=bool(lists) and max(starts) < min(ends),
            spread=max(starts) - min(starts) if lists else 0.0,
            round_trip=max(ends) - min(starts) if lists else 0.0,
            form_shown=call.args["view"].get("callback_id") == Modal.DECLARE,
        )
    finally:
        child.stop()


# 3 ----------------------------------------------------------------------------------------------

REFERENCE = re.compile(r"INC-\d+")


async def _counted(emulator: Emulator, action: Callable[[], Any]) -> tuple[Counter[str], Any]:
    before = await emulator.counts()
    result = await action()
    await asyncio.sleep(SETTLE)
    after = await emulator.counts()
    return after - before, result


async def _modal_of(target: Target, fake: FakeSlack, text: str) -> dict[str, Any]:
    answer = await target.command(text)
    opened = await wait_views_open(fake, {str(answer.trigger_id)})
    view_id = opened[str(answer.trigger_id)].args.get("view", {}).get("callback_id")
    assert view_id != Modal.LOADING, "the modal opened as Loading…"
    return target.driver.last_view()


async def _through_modal(
    target: Target, fake: FakeSlack, text: str, answers: dict[str, Any]
) -> dict[str, Any]:
    view = await _modal_of(target, fake, text)
    submitted = await target.driver.submit(view["id"], answers)
    assert submitted.status == 200, submitted
    await asyncio.sleep(SETTLE)
    return fake.current_view(view["id"])


async def calls_per_action(
    target: Target, fake: FakeSlack, emulator: Emulator
) -> dict[str, Counter[str]]:
    """incident.io requests per route for declare, update, escalate and resolve, in that order,
    on one incident, each through Slack as a person would do it."""
    counts: dict[str, Counter[str]] = {}

    async def declare() -> dict[str, Any]:
        return await _through_modal(target, fake, "declare Calls per action", {"severity": "Minor"})

    counts["declare"], result = await _counted(emulator, declare)
    found = REFERENCE.search(json.dumps(result))
    assert found, f"no incident reference in the declare result: {result}"
    ref = found.group(0)

    async def update() -> Timed:
        return await target.command(f"update {ref} Rolled back the deploy")

    async def escalate() -> dict[str, Any]:
        answers = {"severity": "Major", "reason": "More customers affected"}
        return await _through_modal(target, fake, f"escalate {ref}", answers)

    async def resolve() -> dict[str, Any]:
        answers = {"message": "Fix verified", "status": "Closed"}
        return await _through_modal(target, fake, f"resolve {ref}", answers)

    counts["update"], answer = await _counted(emulator, update)
    assert "Update shared" in answer.body, answer.body
    counts["escalate"], _ = await _counted(emulator, escalate)
    counts["resolve"], _ = await _counted(emulator, resolve)
    return counts
