"""Scenario tests: signed Slack requests through Bolt, a fake Slack Web API on a real loopback
socket, and the incident.io emulator (which validates every request against the schema) behind
the real adapter."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.app import Bot, build_app
from bot.config import Settings
from bot.deps import Deps
from bot.gate import signed
from bot.http_request import read_request
from bot.incidentio.client import IncidentIoClient
from bot.inflight import drain
from bot.server import create_web_app
from bot.store_api import MemoryStore
from sandbox.driver import SlackDriver, SlackResponse
from sandbox.emulator import Emulator, create_emulator
from sandbox.fake_slack import FakeSlack
from sandbox.serving import BackgroundServer

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
API_KEY = "sandbox-key"
BOT_TOKEN = "xoxb-sandbox"


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture(scope="session")
def slack_server() -> Iterator[tuple[FakeSlack, BackgroundServer]]:
    fake = FakeSlack(bot_token=BOT_TOKEN)
    with BackgroundServer(fake.app) as server:
        fake.base_url = server.url
        yield fake, server


async def dispatch(bot: Bot, body: str, headers: dict[str, str]) -> SlackResponse:
    """A request into the Bolt app as bot/server.py hands it over, parsed by the same function
    (bot/http_request.py), without the HTTP server around it."""
    request = read_request(body.encode(), headers)
    if request is None:
        # What server.py answers for a body no listener could read: 400 if signed, else 401
        # (tests/hostile/test_signatures.py checks the real endpoint does so).
        secret = bot.deps.settings.slack_signing_secret
        assert secret is not None
        verifier = SignatureVerifier(secret.get_secret_value())
        timestamp = headers.get("x-slack-request-timestamp")
        ok = signed(verifier, body, timestamp, headers.get("x-slack-signature"))
        return SlackResponse(400 if ok else 401, "")
    response = await bot.app.async_dispatch(request)
    return SlackResponse(response.status, response.body)


@dataclass
class Harness:
    bot: Bot
    fake: FakeSlack
    emulator: Emulator
    driver: SlackDriver
    settings: Settings

    @property
    def app(self) -> AsyncApp:
        return self.bot.app

    @property
    def deps(self) -> Deps:
        return self.bot.deps

    async def settle(self) -> None:
        """Wait until the work that continues after each ack has finished."""
        left = await drain(10.0)
        assert left == 0, "interactions still running after 10 s"

    def driver_for(self, **kwargs: Any) -> SlackDriver:
        return SlackDriver(self.fake, SIGNING_SECRET, self.driver.send, **kwargs)

    def writes(self) -> list[Any]:
        return [r for r in self.emulator.requests if r.method == "POST"]


def make_settings(slack_api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "incidentio_api_key": API_KEY,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack_api_url,
        "slack_app_token": None,
        "incidentio_sandbox": False,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def harness(slack_server: tuple[FakeSlack, BackgroundServer]) -> AsyncIterator[Harness]:
    fake, _ = slack_server
    fake.reset()
    emulator = create_emulator(api_key=API_KEY)
    incidents = IncidentIoClient(
        API_KEY, transport=httpx.ASGITransport(app=emulator.app), sleep=_no_sleep
    )
    async for h in serve(fake, emulator, incidents, make_settings(fake.api_url)):
        yield h


async def serve(
    fake: FakeSlack, emulator: Emulator, incidents: IncidentIoClient, settings: Settings
) -> AsyncIterator[Harness]:
    """A bot on `incidents` with `settings`, driven by one person; closed and checked after."""
    bot = build_app(settings, incidents, store=MemoryStore())
    driver = SlackDriver(fake, SIGNING_SECRET, functools.partial(dispatch, bot))
    yield Harness(bot, fake, emulator, driver, settings)
    await drain(10.0)
    await incidents.aclose()
    assert fake.violations == [], f"Slack would have rejected: {fake.violations}"


@pytest.fixture
def h(harness: Harness) -> Harness:
    return harness


@pytest.fixture
async def web(h: Harness) -> AsyncIterator[SlackDriver]:
    """The harness's person, talking to the bot over the HTTP endpoint of bot/server.py
    (signed, parsed and refused exactly as in production)."""
    transport = httpx.ASGITransport(app=create_web_app(h.bot))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:

        async def send(body: str, headers: dict[str, str]) -> SlackResponse:
            response = await client.post("/slack/events", content=body, headers=headers)
            return SlackResponse(response.status_code, response.text)

        yield SlackDriver(h.fake, SIGNING_SECRET, send)
