"""Scenario tests: signed Slack requests through Bolt, a fake Slack Web API on a real loopback
socket, and the incident.io emulator (which validates every request against the schema) behind
the real adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import Bot, build_app
from bot.config import Settings
from bot.deps import Deps
from bot.incidentio.client import IncidentIoClient
from bot.inflight import drain
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
    settings = make_settings(fake.api_url)
    bot = build_app(settings, incidents)

    async def dispatch(body: str, headers: dict[str, str]) -> SlackResponse:
        response = await bot.app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
        return SlackResponse(response.status, response.body)

    driver = SlackDriver(fake, SIGNING_SECRET, dispatch)
    yield Harness(bot, fake, emulator, driver, settings)
    await drain(10.0)
    await incidents.aclose()
    assert fake.violations == [], f"Slack would have rejected: {fake.violations}"


@pytest.fixture
def h(harness: Harness) -> Harness:
    return harness
