"""Section 4: a burst of `/incident update <ref> <message>` commands over a few incidents."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass

from bench import procs
from bench.harness import Emulator, Target
from bench.scenarios import SETTLE, Sample
from sandbox.fake_slack import FakeSlack


@dataclass
class UpdateBurst:
    actions: int
    incidents: int
    acks: Sample
    seconds: float  # first send to last ack
    cpu: float  # CPU seconds the bot used, burst and follow-ups
    outcomes: Counter[str]
    requests: Counter[str]  # per route, during the burst
    statuses: Counter[str]  # per HTTP status, during the burst
    peak_per_second: int
    peak_per_minute: int
    errors_shown: list[str]


def _peak(times: list[float], span: float) -> int:
    times, best, start = sorted(times), 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - span:
            start += 1
        best = max(best, end - start + 1)
    return best


def _outcome(text: str) -> str:
    if "Update shared" in text:
        return "update shared"
    if "rate limit" in text.lower():
        return "rate limit shown"
    return "other error"


async def seed_incidents(emulator: Emulator, count: int) -> list[str]:
    severities = (await emulator.api("GET", "/v1/severities"))["severities"]
    refs = []
    for n in range(count):
        body = {
            "idempotency_key": f"bench-seed-{n}-{time.time()}",
            "name": f"Burst target {n}",
            "visibility": "public",
            "severity_id": severities[0]["id"],
        }
        refs.append(
            (await emulator.api("POST", "/v2/incidents", json=body))["incident"]["reference"]
        )
    return refs


async def update_burst(
    target: Target, fake: FakeSlack, emulator: Emulator, refs: list[str], actions: int
) -> UpdateBurst:
    """`actions` concurrent `/incident update <ref> <message>` spread over `refs`."""
    texts = [f"update {refs[n % len(refs)]} Burst note {n}" for n in range(actions)]
    before = await emulator.total()
    cpu = procs.cpu_seconds(target.pid) if target.pid else 0.0
    answers = await target.commands(texts, concurrent=True)
    replies = [a.body for a in answers]
    pending = {n for n, a in enumerate(answers) if "Working on it" in a.body}
    deadline = time.monotonic() + 30
    while pending and time.monotonic() < deadline:
        posts = {c.url_key: c for c in fake.calls_to("response_url")}
        for n in list(pending):
            key = str(answers[n].response_url).rsplit("/", 1)[-1]
            if key in posts:
                replies[n] = json.dumps(posts[key].args)
                pending.discard(n)
        await asyncio.sleep(0.02)
    await asyncio.sleep(SETTLE)
    cpu = (procs.cpu_seconds(target.pid) - cpu) if target.pid else 0.0
    records = await emulator.records_since(before)
    outcomes = Counter("no reply" if n in pending else _outcome(r) for n, r in enumerate(replies))
    shown = sorted({r[:160] for r in replies if _outcome(r) != "update shared"})
    arrivals = [r["time"] for r in records]
    return UpdateBurst(
        actions=actions,
        incidents=len(refs),
        acks=Sample([a.elapsed for a in answers]),
        seconds=max(a.sent + a.elapsed for a in answers) - min(a.sent for a in answers),
        cpu=cpu,
        outcomes=outcomes,
        requests=Counter(str(r["route"]) for r in records),
        statuses=Counter(str(r["status"]) for r in records),
        peak_per_second=_peak(arrivals, 1.0),
        peak_per_minute=_peak(arrivals, 60.0),
        errors_shown=shown[:5],
    )
