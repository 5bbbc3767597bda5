"""When a burst's acks and modals happen, and what the two apps' memory is made of.

    .venv/bin/python bench/timeline.py [--size 500] [--rounds 3] [--same-text] [--memory]

Starts the emulator (50 ms latency), the fake Slack, the bot and the bare app that opens a modal
as section 6 of `make bench` does (bench/interleaved.py), sends one burst to each first (not
counted), then `--rounds` bursts of `--size` concurrent `/incident declare` to each, alternating,
and prints per burst: how long the sends took, the last ack, the first and the last `views.open`
at the fake Slack (ms from the first send), the `views.open` p99 and the app's CPU per command.
`--same-text` gives every command one text ("declare Burst") instead of "declare Burst N".
`--memory` prints each app's resident memory by mapping (/proc/<pid>/smaps) after warm-up and
again after the bursts.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import statistics
import sys
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import interleaved, procs  # noqa: E402
from bench.harness import (  # noqa: E402
    API_KEY,
    BOT_TOKEN,
    SIGNING_SECRET,
    Emulator,
    Sender,
    Target,
    wait_views_open,
)
from sandbox.fake_slack import FakeSlack  # noqa: E402
from sandbox.serving import BackgroundServer  # noqa: E402

_MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")


def rss_by_mapping(pid: int) -> collections.Counter[str]:
    """KiB resident per mapping: [anon], [heap], each shared library, site-packages by package."""
    found: collections.Counter[str] = collections.Counter()
    name = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if _MAPPING.match(line):
            parts = line.split()
            name = parts[5] if len(parts) > 5 else "[anon]"
            if "site-packages/" in name:
                name = "site-packages: " + name.split("site-packages/")[1].split("/")[0]
        elif line.startswith("Rss:"):
            found[name] += int(line.split()[1])
    return found


def print_memory(when: str, pids: dict[str, int]) -> None:
    for app, pid in pids.items():
        mapped = rss_by_mapping(pid)
        print(f"{app} {when}: {sum(mapped.values()) / 1024:.1f} MiB resident")
        for name, kib in mapped.most_common(6):
            print(f"    {kib / 1024:6.1f} {name}")


async def burst(target: Target, fake: FakeSlack, size: int, same_text: bool) -> dict[str, float]:
    fake.reset()
    assert target.pid is not None
    cpu = procs.cpu_seconds(target.pid)
    texts = ["declare Burst" if same_text else f"declare Burst {n}" for n in range(size)]
    answers = await target.commands(texts, concurrent=True)
    sent = {str(a.trigger_id): a.sent for a in answers}
    calls = await wait_views_open(fake, set(sent), interleaved.WAIT, interleaved.POLL)
    await asyncio.sleep(interleaved.SETTLE)
    first = min(sent.values())
    arrivals = sorted(call.at - first for call in calls.values())
    opens = sorted(calls[t].at - sent[t] for t in calls)
    return {
        "sends": (max(sent.values()) - first) * 1000,
        "last ack": max(a.sent + a.elapsed - first for a in answers) * 1000,
        "first open": arrivals[0] * 1000,
        "last open": arrivals[-1] * 1000,
        "open p99": opens[max(0, -(-len(opens) * 99 // 100) - 1)] * 1000,
        "opened": len(calls),
        "cpu ms": (procs.cpu_seconds(target.pid) - cpu) / size * 1000,
    }


async def run(args: argparse.Namespace, fake: FakeSlack) -> None:
    emulator_child = procs.start_emulator()
    emulator = Emulator(emulator_child.url)
    sender = await Sender.start(procs.REST_CPUS)
    children: list[procs.Child] = []
    try:
        await emulator.faults({"kind": "latency", "seconds": 0.05})
        start_bot = partial(
            procs.start_bot, emulator_child.url, fake.api_url, SIGNING_SECRET, API_KEY, BOT_TOKEN
        )
        targets = await interleaved.start_apps(fake, sender, start_bot, children)
        pids = {app: target.pid or 0 for app, target in targets.items()}
        if args.memory:
            print_memory("after warm-up", pids)
        for target in targets.values():
            await burst(target, fake, args.size, args.same_text)
        p99s: dict[str, list[float]] = {app: [] for app in targets}
        for _ in range(args.rounds):
            for app, target in targets.items():
                figures = await burst(target, fake, args.size, args.same_text)
                p99s[app].append(figures["open p99"])
                print(app, "  ".join(f"{k} {v:.1f}" for k, v in figures.items()), flush=True)
        bot_p99, bare_p99 = (statistics.median(p99s[app]) for app in ("bot", "bare"))
        print(f"views.open p99, median: bot {bot_p99:.0f} ms, bare {bare_p99:.0f} ms", end="")
        print(f" (ratio {bot_p99 / bare_p99:.2f}); load {os.getloadavg()[0]:.2f}")
        if args.memory:
            print_memory("after the bursts", pids)
        for target in targets.values():
            await target.aclose()
    finally:
        await sender.aclose()
        await emulator.aclose()
        for child in reversed(children):
            child.stop()
        emulator_child.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--same-text", action="store_true", help="one text for every command")
    parser.add_argument("--memory", action="store_true", help="resident memory by mapping")
    args = parser.parse_args()
    print(f"load {os.getloadavg()[0]:.2f}; {args.size} per burst, {args.rounds} rounds")
    if procs.REST_CPUS:
        # Before the fake Slack's thread starts: threads inherit the mask of their creator.
        os.sched_setaffinity(0, procs.REST_CPUS)
    fake = FakeSlack(bot_token=BOT_TOKEN)
    with BackgroundServer(fake.app) as server:
        fake.base_url = server.url
        asyncio.run(run(args, fake))


if __name__ == "__main__":
    main()
