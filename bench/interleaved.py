"""Section 6 (issue #15): the bot against a bare Bolt app that acks and opens a fixed modal.

Both apps are started once and served the same bursts of `/incident declare`, interleaved (bot,
bare, bot, bare, ...), so a machine whose speed drifts during the run moves both alike. Every
burst waits for its modals; each size's figure is the median of its rounds' p99s.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import procs
from bench.harness import BOT_TOKEN, SIGNING_SECRET, Sender, Target, wait_views_open
from bench.procs import Child
from bench.scenarios import Sample
from sandbox.fake_slack import FakeSlack

LIMIT = 3.0  # Slack's: an ack within 3 s, and a trigger_id lives 3 s
WAIT = 12.0  # how long a burst waits for its modals before counting the rest as never opened
SETTLE = 0.5  # after a burst, for the app's follow-up work (log lines) before the next one
POLL = 0.02  # the fake Slack's records give the times; polling it often would only slow it
APPS = ("bot", "bare")


@dataclass
class Round:
    """One burst served by one app."""

    size: int
    acks: Sample  # send -> answer read, as the timing sender saw it
    opens: Sample  # send -> the fake Slack's record of views.open (refused calls too)
    failed_requests: int  # not answered HTTP 200
    failed_modals: int  # views.open refused (an expired trigger) or never called
    cpu: float  # CPU seconds of the app, from the first send to SETTLE after the last modal

    @property
    def within(self) -> bool:
        """Every command acked and every modal opened within Slack's 3 s."""
        return (
            not self.failed_requests
            and not self.failed_modals
            and self.acks.max < LIMIT
            and self.opens.max < LIMIT
        )


def median_p99(rounds: list[Round], of: Callable[[Round], Sample]) -> float:
    return statistics.median(of(r).p99 for r in rounds)


@dataclass
class Search:
    """The largest burst one app served all within 3 s, sizes tried in increasing order. A size
    that fails is tried once more and fails only if it fails again: one stray stall of a busy
    machine does not decide it."""

    tried: dict[int, bool] = field(default_factory=dict)
    retried: set[int] = field(default_factory=set)  # sizes whose first try failed

    @property
    def passed(self) -> int:
        """The largest size that passed below the first failure (0 when the first failed)."""
        fail = self.failed
        return max(
            (s for s, ok in self.tried.items() if ok and (fail is None or s < fail)), default=0
        )

    @property
    def failed(self) -> int | None:
        return min((s for s, ok in self.tried.items() if not ok), default=None)

    def between(self, step: int) -> int | None:
        """A size halfway between the last pass and the first failure, if not tried and at
        least `step` from both (a little bisection, not a hunt)."""
        fail = self.failed
        if fail is None:
            return None
        mid = (self.passed + fail) // 2 // step * step
        return mid if mid - self.passed >= step and fail - mid >= step else None


@dataclass
class Interleaved:
    sizes: list[int]
    rounds: dict[str, dict[int, list[Round]]]  # app -> size -> its rounds, in order
    searches: dict[str, Search]
    rss_kib: dict[str, dict[str, int]]  # app -> moment -> VmRSS
    load: tuple[tuple[float, float, float], tuple[float, float, float]]  # before, after
    seconds: float
    violations: list[str]

    def cpu_per_command(self, app: str) -> float:
        rounds = [r for rs in self.rounds[app].values() for r in rs]
        return sum(r.cpu for r in rounds) / sum(r.size for r in rounds)


async def burst_round(target: Target, fake: FakeSlack, size: int, violations: list[str]) -> Round:
    """`size` concurrent `/incident declare`, then every modal waited for (up to WAIT)."""
    violations += fake.violations
    fake.reset()  # this burst's views.open calls only: the record stays small to poll
    cpu = procs.cpu_seconds(target.pid) if target.pid else 0.0
    answers = await target.commands([f"declare Burst {n}" for n in range(size)], concurrent=True)
    sent = {str(a.trigger_id): a.sent for a in answers}
    calls = await wait_views_open(fake, set(sent), WAIT, POLL)
    await asyncio.sleep(SETTLE)
    opens = [call.at - sent[trigger] for trigger, call in calls.items()]
    return Round(
        size=size,
        acks=Sample([a.elapsed for a in answers]),
        opens=Sample(opens or [math.inf]),
        failed_requests=sum(a.status != 200 for a in answers),
        failed_modals=size - sum(call.error is None for call in calls.values()),
        cpu=(procs.cpu_seconds(target.pid) - cpu) if target.pid else 0.0,
    )


async def _try(
    target: Target, fake: FakeSlack, size: int, search: Search, violations: list[str]
) -> None:
    ok = (await burst_round(target, fake, size, violations)).within
    if not ok:
        search.retried.add(size)
        ok = (await burst_round(target, fake, size, violations)).within
    search.tried[size] = ok


async def _search(
    targets: dict[str, Target], fake: FakeSlack, sizes: list[int], violations: list[str]
) -> dict[str, Search]:
    """Each size for each app still passing, interleaved; then one size between each app's last
    pass and first failure."""
    searches = {name: Search() for name in targets}
    for size in sizes:
        for name, target in targets.items():
            if searches[name].failed is None:
                await _try(target, fake, size, searches[name], violations)
    step = max(50, (sizes[1] - sizes[0]) // 2 if len(sizes) > 1 else 100)
    for name, target in targets.items():
        mid = searches[name].between(step)
        if mid is not None:
            await _try(target, fake, mid, searches[name], violations)
    return searches


async def _warm_up(target: Target, fake: FakeSlack) -> None:
    answer = await target.command("declare Warm-up")
    opened = await wait_views_open(fake, {str(answer.trigger_id)}, WAIT, POLL)
    if answer.status != 200 or not opened:
        raise RuntimeError(f"no modal for the warm-up command: HTTP {answer.status} {answer.body}")


def _bot_modal(fake: FakeSlack) -> Path:
    """The bot's declare modal as it opened it, for the bare app to open the same view: the
    fake Slack then checks views of one size for both."""
    view = fake.calls_to("views.open")[-1].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    handle, path = tempfile.mkstemp(prefix="bench-modal-", suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(view, out)
    return Path(path)


async def start_apps(
    fake: FakeSlack, sender: Sender, start_bot: Callable[[], Child], children: list[Child]
) -> dict[str, Target]:
    """The bot, warmed up, then the bare app opening the bot's modal, warmed up: {"bot": ...,
    "bare": ...}. Each process is added to `children` as it starts, for the caller to stop."""
    children.append(start_bot())
    bot = Target(children[-1].url, fake, sender, children[-1].pid)
    # Bolt's first request asks Slack auth.test; the bot's first also warms what it caches.
    await _warm_up(bot, fake)
    modal = _bot_modal(fake)
    try:
        children.append(procs.start_bare(fake.api_url, SIGNING_SECRET, BOT_TOKEN, modal))
    finally:
        modal.unlink()
    bare = Target(children[-1].url, fake, sender, children[-1].pid)
    await _warm_up(bare, fake)
    return {"bot": bot, "bare": bare}


async def measure(
    fake: FakeSlack,
    sender: Sender,
    start_bot: Callable[[], Child],
    sizes: list[int],
    rounds: int,
    search_sizes: list[int],
) -> Interleaved:
    started, load_before = time.monotonic(), os.getloadavg()
    violations: list[str] = []
    children: list[Child] = []
    try:
        targets = await start_apps(fake, sender, start_bot, children)
        pids = {app: target.pid or 0 for app, target in targets.items()}
        # One burst each first, not counted: the first burst a process serves is its slowest.
        for target in targets.values():
            await burst_round(target, fake, sizes[0], violations)
        rss = {app: {"idle": procs.rss_kib(pid)} for app, pid in pids.items()}
        measured: dict[str, dict[int, list[Round]]] = {app: {} for app in APPS}
        for size in sizes:
            for _ in range(rounds):
                for app, target in targets.items():
                    round_ = await burst_round(target, fake, size, violations)
                    measured[app].setdefault(size, []).append(round_)
        for app, pid in pids.items():
            rss[app]["bursts"] = procs.rss_kib(pid)
        searches = await _search(targets, fake, search_sizes, violations)
        for app, pid in pids.items():
            rss[app]["search"] = procs.rss_kib(pid)
        violations += fake.violations
        for target in targets.values():
            await target.aclose()
    finally:
        for child in reversed(children):
            child.stop()
    return Interleaved(
        sizes=sizes,
        rounds=measured,
        searches=searches,
        rss_kib=rss,
        load=(load_before, os.getloadavg()),
        seconds=time.monotonic() - started,
        violations=violations,
    )
