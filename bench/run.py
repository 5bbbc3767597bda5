"""Proof under load: the real bot process, over HTTP, against the incident.io emulator.

    make bench        (or: .venv/bin/python bench/run.py)

Starts the emulator (`python -m sandbox.emulator`, 50 ms injected latency on every route), the
bot as production runs it (`python -m bot serve --http`), and a bare Bolt app that only acks; the
fake Slack Web API runs in this process. Prints one table and writes it to bench/results.md.

Section 6 (bench/interleaved.py) then starts a fresh bot and a bare app that acks and opens a
modal, and serves them bursts of 200, 500 and 1000 interleaved; `make bench-burst` (or
`--only-interleaved`) runs that section alone and replaces only it in bench/results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from functools import partial
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import interleaved, interleaved_report, procs, scenarios  # noqa: E402
from bench.harness import (  # noqa: E402
    API_KEY,
    BOT_TOKEN,
    SIGNING_SECRET,
    Emulator,
    Sender,
    Target,
    machine,
)
from bench.report import Results, render  # noqa: E402
from bench.updates import seed_incidents, update_burst  # noqa: E402
from sandbox.fake_slack import FakeSlack  # noqa: E402
from sandbox.serving import BackgroundServer  # noqa: E402

RESULTS = REPO / "bench" / "results.md"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--sequential", type=int, default=100)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="bursts per app, pooled")
    parser.add_argument("--no-pin", action="store_true", help="no core of its own for the app")
    parser.add_argument("--cold", type=int, default=3, help="fresh bot processes to time")
    parser.add_argument("--actions", type=int, default=500, help="size of the update burst")
    parser.add_argument("--incidents", type=int, default=5, help="incidents the burst updates")
    parser.add_argument("--rate-capacity", type=int, default=1200, help="emulator's bucket")
    parser.add_argument("--rate-refill", type=float, default=20.0, help="emulator's refill /s")
    parser.add_argument("--no-write", action="store_true", help="do not write results.md")
    section6 = parser.add_mutually_exclusive_group()
    section6.add_argument("--only-interleaved", action="store_true", help="section 6 alone")
    section6.add_argument("--no-interleaved", action="store_true", help="no section 6")
    parser.add_argument("--sizes", type=_sizes, default=[200, 500, 1000], help="section 6")
    parser.add_argument("--search", type=_sizes, default=[200, 400, 600, 800, 1000])
    parser.add_argument("--burst-rounds", type=int, default=3, help="section 6, per size")
    return parser


def _sizes(text: str) -> list[int]:
    """ "200,500,1000": burst sizes, increasing."""
    sizes = [int(part) for part in text.split(",")]
    if not sizes or sizes != sorted(set(sizes)) or sizes[0] < 1:
        raise argparse.ArgumentTypeError(f"burst sizes, increasing: {text!r}")
    return sizes


def _wait_ready(url: str, timeout: float = 10.0) -> None:
    """/readyz: the catalog is loaded (the start-up warm-up finished)."""
    deadline = time.monotonic() + timeout
    while httpx.get(url + "/readyz", timeout=5).status_code != 200:
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not become ready")
        time.sleep(0.05)


async def measure(args: argparse.Namespace, fake: FakeSlack) -> Results:
    started = time.monotonic()
    emulator_child = procs.start_emulator()
    emulator = Emulator(emulator_child.url)
    start_bot = partial(
        procs.start_bot, emulator_child.url, fake.api_url, SIGNING_SECRET, API_KEY, BOT_TOKEN
    )
    children = [emulator_child]
    try:
        await emulator.rate_limit(args.rate_capacity, args.rate_refill)
        await emulator.faults({"kind": "latency", "seconds": args.latency_ms / 1000})
        bare_child = procs.start_bare(fake.api_url, SIGNING_SECRET, BOT_TOKEN)
        children.append(bare_child)
        bot_child = start_bot()
        children.append(bot_child)
        _wait_ready(bot_child.url)
        sender = await Sender.start(procs.REST_CPUS)
        bot = Target(bot_child.url, fake, sender, bot_child.pid)
        bare = Target(bare_child.url, fake, sender, bare_child.pid)
        # The first request of a Bolt app asks Slack auth.test: not what is measured here.
        await scenarios.sequential(bot, 1, fake, emulator)
        await scenarios.sequential(bare, 1)
        rss_idle, rss_bare = procs.rss_kib(bot_child.pid), procs.rss_kib(bare_child.pid)

        print("1. ack latency and 2. warm views.open …", file=sys.stderr)
        seq_bot = await scenarios.sequential(bot, args.sequential, fake, emulator)
        seq_bare = await scenarios.sequential(bare, args.sequential)
        # One burst each first, not counted: the first burst a process serves is its slowest.
        await scenarios.burst(bare, args.burst)
        await scenarios.burst(bot, args.burst, fake)
        bursts_bare, bursts_bot = [], []
        for _ in range(args.rounds):
            bursts_bare.append(await scenarios.burst(bare, args.burst))
            bursts_bot.append(await scenarios.burst(bot, args.burst, fake))
        burst_bare, burst_bot = scenarios.pooled(bursts_bare), scenarios.pooled(bursts_bot)

        print("2. cold catalog …", file=sys.stderr)
        cold = [
            await scenarios.cold_start(fake, emulator, sender, start_bot) for _ in range(args.cold)
        ]

        print("3. calls per action …", file=sys.stderr)
        # A fresh process, ready (catalog and open incidents loaded): the counts are then the
        # actions' own, with no 15-second background refresh of the open incidents falling due.
        fresh_child = start_bot()
        try:
            _wait_ready(fresh_child.url)
            fresh = Target(fresh_child.url, fake, sender, fresh_child.pid)
            await scenarios.sequential(fresh, 1)  # Bolt's first request asks Slack auth.test
            per_action = await scenarios.calls_per_action(fresh, fake, emulator)
            await fresh.aclose()
        finally:
            fresh_child.stop()

        print(f"4. burst of {args.actions} updates …", file=sys.stderr)
        refs = await seed_incidents(emulator, args.incidents)
        updates = await update_burst(bot, fake, emulator, refs, args.actions)
        rss_after = procs.rss_kib(bot_child.pid)
        await bot.aclose()
        await bare.aclose()
        await sender.aclose()
    finally:
        await emulator.aclose()
        for child in reversed(children):
            child.stop()
    if fake.violations:
        print(f"the fake Slack rejected calls: {fake.violations[:5]}", file=sys.stderr)
    return Results(
        machine=machine(),
        latency_ms=args.latency_ms,
        seq_bot=seq_bot,
        seq_bare=seq_bare,
        burst_bot=burst_bot,
        burst_bare=burst_bare,
        burst_size=args.burst,
        rounds=args.rounds,
        cold=cold,
        per_action=per_action,
        updates=updates,
        rate_limit=f"{args.rate_capacity} tokens, {args.rate_refill:g}/s refill",
        rss_idle_kib=rss_idle,
        rss_after_kib=rss_after,
        rss_bare_kib=rss_bare,
        seconds=time.monotonic() - started,
        pinned=procs.APP_CPUS is not None,
    )


async def measure_interleaved(args: argparse.Namespace, fake: FakeSlack) -> str:
    """Section 6, with an emulator, a bot and a bare app of its own; the section's table."""
    print("6. bot and bare app, bursts interleaved …", file=sys.stderr)
    emulator_child = procs.start_emulator()
    emulator = Emulator(emulator_child.url)
    try:
        await emulator.faults({"kind": "latency", "seconds": args.latency_ms / 1000})
        start_bot = partial(
            procs.start_bot, emulator_child.url, fake.api_url, SIGNING_SECRET, API_KEY, BOT_TOKEN
        )
        sender = await Sender.start(procs.REST_CPUS)
        try:
            result = await interleaved.measure(
                fake, sender, start_bot, args.sizes, args.burst_rounds, args.search
            )
        finally:
            await sender.aclose()
    finally:
        await emulator.aclose()
        emulator_child.stop()
    return interleaved_report.render(result)


def _write(first: str | None, section6: str | None) -> None:
    """results.md: sections 1-5, then section 6; a part not measured now is kept as it was."""
    old = RESULTS.read_text() if RESULTS.exists() else ""
    old_first, _, old_six = old.partition(interleaved_report.HEADING)
    if first is None:
        first = old_first.rstrip("\n") + "\n"
    else:
        first = "# Benchmark results\n\n`make bench` (bench/run.py).\n\n" + first
    if section6 is None and old_six:
        section6 = interleaved_report.HEADING + old_six
    RESULTS.write_text(first + ("\n" + section6 if section6 else ""))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.no_pin:
        procs.APP_CPUS = procs.REST_CPUS = None
    if procs.REST_CPUS:
        # Before the fake Slack's thread starts: threads inherit the mask of their creator.
        os.sched_setaffinity(0, procs.REST_CPUS)
    fake = FakeSlack(bot_token=BOT_TOKEN)
    with BackgroundServer(fake.app) as server:
        fake.base_url = server.url
        load = os.getloadavg()
        table = None if args.only_interleaved else render(asyncio.run(measure(args, fake)))
        if table:
            # The other processes on the machine move every figure: say how busy it was.
            table += "- Load average (1 / 5 / 15 min) when sections 1-5 started: " + (
                f"{interleaved_report.load(load)}; when they ended: "
                f"{interleaved_report.load(os.getloadavg())}.\n"
            )
            print(table)
        fake.reset()
        section6 = None if args.no_interleaved else asyncio.run(measure_interleaved(args, fake))
        if section6:
            print(section6)
    if not args.no_write:
        _write(table, section6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
