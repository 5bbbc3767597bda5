"""Shared fixtures for the sandbox tests (incident.io emulator, fake Slack). Add, never remove."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.emulator import Emulator, ManualClock, create_emulator
from sandbox.fake_slack import FakeSlack
from sandbox.serving import BackgroundServer
from sandbox.spec import ApiSpec


@pytest.fixture(scope="session")
def api_spec() -> ApiSpec:
    """The incident.io schema, loaded once for the whole session."""
    return ApiSpec.load()


@pytest.fixture(scope="session")
def _served_fake_slack() -> Iterator[FakeSlack]:
    """One fake Slack on a loopback port for the session; `fake_slack` resets it per test."""
    fake = FakeSlack()
    with BackgroundServer(fake.app) as server:
        fake.base_url = server.url
        yield fake


@pytest.fixture
def fake_slack(_served_fake_slack: FakeSlack) -> FakeSlack:
    """A served FakeSlack (default workspace) with no calls, views or violations yet."""
    _served_fake_slack.reset()
    return _served_fake_slack


@pytest.fixture
def slack_client(fake_slack: FakeSlack) -> AsyncWebClient:
    """slack_sdk's AsyncWebClient pointed at `fake_slack` with its bot token."""
    return AsyncWebClient(token="xoxb-sandbox", base_url=fake_slack.api_url)


EMULATOR_KEY = "sandbox-key"
INCIDENTIO_URL = "https://api.incident.io"


@pytest.fixture
def emulator_clock() -> ManualClock:
    """The emulator's clock in tests: it moves only with `advance(seconds)`."""
    return ManualClock()


@pytest.fixture
def emulator(emulator_clock: ManualClock) -> Emulator:
    """A fresh, seeded incident.io emulator (key "sandbox-key") on `emulator_clock`."""
    return create_emulator(api_key=EMULATOR_KEY, clock=emulator_clock)


@pytest.fixture
async def emulator_client(
    emulator: Emulator, api_spec: ApiSpec
) -> AsyncIterator[httpx.AsyncClient]:
    """httpx client for `emulator` (in process, authenticated). Every API response it receives
    is checked against the schema, so any test using it also checks conformance."""

    async def conforms(response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        if not request.url.path.startswith("/_emulator/"):
            api_spec.validate_response(
                request.method, request.url.path, response.status_code, response.content
            )

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app),
        base_url=INCIDENTIO_URL,
        headers={"Authorization": f"Bearer {EMULATOR_KEY}"},
        event_hooks={"response": [conforms]},
    ) as client:
        yield client
