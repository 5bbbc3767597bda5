"""Where a burst's milliseconds go: the real bot process under cProfile, bursts of declare.

    .venv/bin/python bench/profile.py [--bursts 5] [--burst 200] [--top 40]

Starts the emulator and the fake Slack as `make bench` does, runs `python -m cProfile -m bot
serve --http` on the app's core, sends one warm-up burst and then `--bursts` bursts of
`/incident declare` (each waits for every modal), stops the bot (SIGTERM: a clean exit writes
the profile) and prints the top functions by own and cumulative time, per command.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import procs, scenarios  # noqa: E402
from bench.harness import API_KEY, BOT_TOKEN, SIGNING_SECRET, Emulator, Sender, Target  # noqa: E402
from sandbox.fake_slack import FakeSlack  # noqa: E402
from sandbox.serving import BackgroundServer  # noqa: E402


def _profiled_bot(emulator_url: str, slack_url: str, out: str) -> procs.Child:
    port = procs.free_port()
    env = procs._env(
        {
            "INCIDENTIO_API_KEY": API_KEY,
            "INCIDENTIO_BASE_URL": emulator_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_url,
            "SLACK_APP_TOKEN": "",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
        }
    )
    argv = [procs.PYTHON, "-m", "cProfile", "-o", out, "-m", "bot", "serve", "--http"]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    child = procs.Child("bot-profiled", argv, port, env, procs.APP_CPUS)
    child.wait_ready("/healthz")
    return child


async def _run(args: argparse.Namespace, fake: FakeSlack, out: str) -> int:
    emulator_child = procs.start_emulator()
    emulator = Emulator(emulator_child.url)
    await emulator.faults({"kind": "latency", "seconds": 0.05})
    bot = _profiled_bot(emulator_child.url, fake.api_url, out)
    commands = 0
    try:
        sender = await Sender.start(procs.REST_CPUS)
        target = Target(bot.url, fake, sender, bot.pid)
        await scenarios.sequential(target, 1, fake, emulator)
        await scenarios.burst(target, args.burst, fake)
        for _ in range(args.bursts):
            result = await scenarios.burst(target, args.burst, fake)
            commands += args.burst
            print(
                f"burst: ack p99 {result.acks.p99 * 1000:.0f} ms, modals {result.views_opened}, "
                f"CPU {result.cpu / args.burst * 1000:.2f} ms/command",
                file=sys.stderr,
            )
        await target.aclose()
        await sender.aclose()
    finally:
        await emulator.aclose()
        bot.stop()
        emulator_child.stop()
    return commands + args.burst + 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=5)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "bot.prof"))
    args = parser.parse_args()
    if procs.REST_CPUS:
        os.sched_setaffinity(0, procs.REST_CPUS)
    fake = FakeSlack(bot_token=BOT_TOKEN)
    with BackgroundServer(fake.app) as server:
        fake.base_url = server.url
        commands = asyncio.run(_run(args, fake, args.out))
    stats = pstats.Stats(args.out)
    print(f"{commands} commands; profile in {args.out}")
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
