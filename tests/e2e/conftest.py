"""End-to-end fixtures: the real bot as a subprocess, over real loopback sockets.

The emulator and the fake Slack run in this process (so tests read their state and inject
faults); the bot runs as `python -m bot serve --http`, exactly as deployed, and the driver
POSTs signed requests to its /slack/events.

One bot process serves a whole test module; each test starts from an emptied emulator and fake
Slack. That is sound for the bot's caches: the emulator's catalog IDs come from a fixed seed, so
they survive a reset and the bot's cached catalog stays true. The bot's open-incidents cache may
still hold a previous test's incidents (for up to 15 s), but these tests create incidents only
through the bot, which writes each new one to the front of that cache, so a reference such as
INC-1 resolves to the current test's incident.
Tests that need a bot of their own (signals, start-up, other secrets) use `launch_bot`.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.driver import SlackDriver, SlackResponse
from sandbox.emulator import Emulator, RequestRecord, create_emulator
from sandbox.fake_slack import FakeSlack
from sandbox.serving import BackgroundServer
from tests.e2e.botproc import API_KEY, BOT_TOKEN, BotProcess
from tests.e2e.helpers import shown

SETTLE_TIMEOUT = 15.0


@dataclass
class Upstreams:
    """The emulator and the fake Slack, each served on a loopback port."""

    emulator: Emulator
    emulator_url: str
    fake: FakeSlack

    def reset(self) -> None:
        self.emulator.reset()
        # A reset keeps the current limits; a test that lowered them must not affect the next.
        self.emulator.rate_limiter.configure(1200, 20.0)
        self.fake.reset()


@contextlib.contextmanager
def serve_upstreams(*, api_key: str = API_KEY, bot_token: str = BOT_TOKEN) -> Iterator[Upstreams]:
    emulator = create_emulator(api_key=api_key)
    fake = FakeSlack(bot_token=bot_token)
    with BackgroundServer(emulator.app) as emulator_server, BackgroundServer(fake.app) as slack:
        fake.base_url = slack.url
        yield Upstreams(emulator, emulator_server.url, fake)


def new_bot(workdir: Path, up: Upstreams, **kwargs: Any) -> BotProcess:
    """A bot process (not started yet) for `up`, with a fresh signing secret by default."""
    kwargs.setdefault("signing_secret", secrets.token_hex(32))
    return BotProcess(
        workdir, emulator_url=up.emulator_url, slack_api_url=up.fake.api_url, **kwargs
    )


@pytest.fixture(scope="session")
def upstreams() -> Iterator[Upstreams]:
    with serve_upstreams() as up:
        yield up


WARM_UP_ROUTES = {
    "GET /v1/severities",
    "GET /v1/incident_statuses",
    "GET /v1/incident_types",
    "GET /v2/incident_roles",
    "GET /v2/incidents",
}


def _wait_for_warm_up(up: Upstreams, timeout: float = 10.0) -> None:
    """The bot loads the catalog and the open incidents at start, in the background: let that
    finish, so it is not counted against the first test."""
    deadline = time.monotonic() + timeout
    while not WARM_UP_ROUTES <= {r.route for r in up.emulator.requests}:
        if time.monotonic() > deadline:
            raise TimeoutError("the bot's start-up warm-up never reached the emulator")
        time.sleep(0.01)
    time.sleep(0.1)  # the answers' way back into the bot's caches


@pytest.fixture(scope="module")
def bot(upstreams: Upstreams, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    upstreams.reset()
    proc = new_bot(tmp_path_factory.mktemp("bot"), upstreams)
    try:
        proc.start()
        _wait_for_warm_up(upstreams)
        yield proc
    finally:
        code = proc.stop()
    assert code == 0, f"the bot did not stop cleanly:\n{proc.tail()}"


@pytest.fixture
def launch_bot(tmp_path: Path) -> Iterator[Callable[..., BotProcess]]:
    """Start a bot of the test's own against `up`; every one is stopped at teardown."""
    started: list[BotProcess] = []

    def launch(up: Upstreams, **kwargs: Any) -> BotProcess:
        workdir = tmp_path / f"bot{len(started)}"
        workdir.mkdir()
        started.append(new_bot(workdir, up, **kwargs))
        return started[-1].start()

    try:
        yield launch
    finally:
        for proc in started:
            proc.stop()


class E2E:
    """One test's view of the running bot, the emulator and the fake Slack."""

    def __init__(self, bot: BotProcess, up: Upstreams, http: httpx.AsyncClient) -> None:
        self.bot, self.up, self.http = bot, up, http
        self.log_start = bot.log_size()
        self.accepted = 0  # signed requests the bot took (each ends in one interaction line)
        self.allow_tracebacks = False
        self.driver = self.driver_for()

    @property
    def emulator(self) -> Emulator:
        return self.up.emulator

    @property
    def fake(self) -> FakeSlack:
        return self.up.fake

    async def send(self, body: str, headers: dict[str, str]) -> SlackResponse:
        response = await self.http.post(
            f"{self.bot.url}/slack/events", content=body, headers=headers
        )
        if response.status_code != 401:
            self.accepted += 1
        return SlackResponse(response.status_code, response.text)

    def driver_for(self, *, signing_secret: str | None = None, **kwargs: Any) -> SlackDriver:
        secret = signing_secret or self.bot.signing_secret
        return SlackDriver(self.fake, secret, self.send, **kwargs)

    # --- waiting ----------------------------------------------------------------------------

    async def until(
        self, check: Callable[[], bool], what: str, timeout: float = SETTLE_TIMEOUT
    ) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            await asyncio.sleep(0.02)

    async def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        """Wait until every request the bot accepted has finished, background work included:
        the bot writes one `bot.interaction` line per request when its last work ends."""
        await self.until(
            lambda: len(self.interactions()) >= self.accepted,
            f"{self.accepted} interaction lines (have {len(self.interactions())})",
            timeout,
        )

    # --- reading ----------------------------------------------------------------------------

    def logs(self) -> list[dict[str, Any]]:
        """The bot's log lines since this test began."""
        return self.bot.log_lines(self.log_start)

    def log_text(self) -> str:
        return self.bot.log_text(self.log_start)

    def interactions(self) -> list[dict[str, Any]]:
        return [line for line in self.logs() if line.get("logger") == "bot.interaction"]

    def requests(self, method: str | None = None, route: str | None = None) -> list[RequestRecord]:
        """What reached the emulator; `route` is its template, e.g. "POST /v2/incidents"."""
        return [
            r
            for r in self.emulator.requests
            if (method is None or r.method == method) and (route is None or r.route == route)
        ]

    def shown(self, view_id: str) -> dict[str, Any]:
        """The modal the person ends up seeing (see helpers.shown)."""
        return shown(self.fake, view_id)

    def slack_methods(self) -> list[str]:
        return [call.method for call in list(self.fake.calls)]

    async def metrics(self) -> str:
        return (await self.http.get(f"{self.bot.url}/metrics")).text

    # --- steering the emulator over its control API -------------------------------------------

    async def fault(self, **rule: Any) -> None:
        """POST /_emulator/faults: {"kind", "route", "status", "count", "seconds", ...}."""
        response = await self.http.post(f"{self.up.emulator_url}/_emulator/faults", json=rule)
        assert response.status_code == 200, response.text

    async def rate_limit(self, capacity: int, refill_per_second: float) -> None:
        body = {"capacity": capacity, "refill_per_second": refill_per_second}
        response = await self.http.post(f"{self.up.emulator_url}/_emulator/rate_limit", json=body)
        assert response.status_code == 200, response.text

    async def emulator_state(self) -> dict[str, Any]:
        response = await self.http.get(f"{self.up.emulator_url}/_emulator/state?recent=0")
        state: dict[str, Any] = response.json()
        return state

    def check_clean(self) -> None:
        assert self.fake.violations == [], f"Slack would have rejected: {self.fake.violations}"
        if not self.allow_tracebacks:
            crashes = [line for line in self.logs() if "exception" in line or "raw" in line]
            assert crashes == [], f"the bot logged tracebacks or non-JSON output: {crashes}"


@pytest.fixture
async def e2e(bot: BotProcess, upstreams: Upstreams) -> AsyncIterator[E2E]:
    upstreams.reset()
    async with httpx.AsyncClient(timeout=15.0) as http:
        harness = E2E(bot, upstreams, http)
        yield harness
        # The next test resets the upstreams: nothing of this one may still be running.
        await harness.settle()
        harness.check_clean()
