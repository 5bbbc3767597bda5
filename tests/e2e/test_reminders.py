"""Update reminders across real processes: three replicas (HTTP mode) sharing one PostgreSQL, and
one process on its SQLite file, each against the emulator and the fake Slack over loopback.

The emulator's clock runs two hours behind, so incidents made in it (declared outside the bot)
have been quiet for two hours: with REMINDER_MINUTES=*:60 each is due the moment a bot sees it,
and its next reminder is an hour away, so every incident is reminded exactly once in the test.
Each is reminded in its own Slack channel (no card: the bot did not declare it).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.emulator import create_emulator
from sandbox.fake_slack import FakeSlack
from sandbox.serving import BackgroundServer
from tests.e2e.botproc import API_KEY, BOT_TOKEN, BotProcess
from tests.e2e.conftest import Upstreams, new_bot

QUIET_FOR = 2 * 3600.0
REMINDERS = {
    "REMINDER_MINUTES": "*:60",
    "REMINDER_CHECK_SECONDS": "0.2",
    "REMINDER_LEASE_SECONDS": "10",  # the least it takes
}
WAIT = 30.0
Start = Callable[[int], Awaitable[list[BotProcess]]]


@pytest.fixture(scope="module")
def behind() -> Iterator[Upstreams]:
    """The emulator and fake Slack, the emulator's clock two hours behind."""
    emulator = create_emulator(api_key=API_KEY, clock=lambda: time.time() - QUIET_FOR)
    fake = FakeSlack(bot_token=BOT_TOKEN)
    with BackgroundServer(emulator.app) as emulator_server, BackgroundServer(fake.app) as slack:
        fake.base_url = slack.url
        yield Upstreams(emulator, emulator_server.url, fake)


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Where the bots keep their store: the shared PostgreSQL, or one SQLite file."""
    if request.param == "postgresql":
        return {"DATABASE_URL": request.getfixturevalue("postgres")}
    return {"INCIDENT_BOT_DATA_DIR": str(tmp_path / "volume")}


def reminders(up: Upstreams) -> list[tuple[str, str]]:
    """(channel, text) of every reminder posted."""
    return [
        (str(c.args["channel"]), str(c.args.get("text", "")))
        for c in up.fake.calls_to("chat.postMessage")
        if c.error is None and ":alarm_clock:" in str(c.args.get("text", ""))
    ]


def reminded_lines(bot: BotProcess) -> list[dict[str, Any]]:
    return [line for line in bot.log_lines() if str(line.get("message", "")).startswith("reminded")]


async def until(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
async def start_replicas(
    behind: Upstreams, database: dict[str, str], tmp_path: Path
) -> AsyncIterator[Callable[[int], Awaitable[list[BotProcess]]]]:
    """Starts bots on `database` all at once (so that they race for what is due); every one is
    stopped at teardown."""
    started: list[BotProcess] = []

    async def start(count: int) -> list[BotProcess]:
        secret = started[0].signing_secret if started else secrets.token_hex(32)
        bots = []
        for _ in range(count):
            workdir = tmp_path / f"bot{len(started)}"
            workdir.mkdir()
            env = {**database, **REMINDERS}
            started.append(new_bot(workdir, behind, env=env, signing_secret=secret))
            bots.append(started[-1])
        await asyncio.gather(*(asyncio.to_thread(bot.start) for bot in bots))
        return bots

    try:
        yield start
    finally:
        for bot in started:
            bot.stop()


def count(database: dict[str, str]) -> int:
    """Three replicas on PostgreSQL; one process on SQLite (its file is one process's store)."""
    return 3 if "DATABASE_URL" in database else 1


async def test_twenty_due_reminders_are_posted_exactly_once(
    behind: Upstreams, start_replicas: Start, database: dict[str, str]
) -> None:
    behind.reset()
    made = [behind.emulator.create_incident(f"Outage {n}", severity="Major") for n in range(20)]
    channels = sorted(str(i["slack_channel_id"]) for i in made)
    bots = await start_replicas(count(database))
    await until(lambda: len(reminders(behind)) >= 20, "20 reminders")
    await asyncio.sleep(2.0)  # ten more passes of every bot: nothing more is due
    posted = reminders(behind)
    assert sorted(channel for channel, _ in posted) == channels  # each incident, once
    assert all("has had no update for 2h 0m" in text for _, text in posted)
    lines = [line for bot in bots for line in reminded_lines(bot)]
    assert len(lines) == 20
    for bot in bots:
        crashes = [line for line in bot.log_lines() if "exception" in line or "raw" in line]
        assert crashes == [], bot.tail()


async def test_a_reminder_held_by_a_killed_replica_is_posted_by_another(
    behind: Upstreams, start_replicas: Start, database: dict[str, str]
) -> None:
    behind.reset()
    # Whoever claims it first hangs reading the incident, holding the lease, and is killed.
    behind.emulator.faults.hang(count=1, route="GET /v2/incidents/{id}", seconds=10.0)
    incident = behind.emulator.create_incident("Outage", severity="Major")
    bots = await start_replicas(count(database))

    def holder() -> BotProcess | None:
        for bot in bots:
            if any(incident["id"] in str(line.get("message")) for line in bot.log_lines()):
                return bot
        return None

    await until(lambda: holder() is not None, "a replica to claim the reminder")
    held = holder()
    assert held is not None and held.proc is not None
    held.proc.kill()
    held.proc.wait(5)
    survivors = [bot for bot in bots if bot is not held]
    if not survivors:  # one process on SQLite: the replacement starts on the same file
        survivors = await start_replicas(1)
    await until(lambda: len(reminders(behind)) >= 1, "the reminder, from another replica")
    await asyncio.sleep(1.0)
    assert [channel for channel, _ in reminders(behind)] == [incident["slack_channel_id"]]
    assert reminded_lines(held) == []
    assert sum(len(reminded_lines(bot)) for bot in survivors) == 1
