"""REMINDER_MINUTES's severity names against incident.io's (the emulator's: Minor, Major,
Critical): `incident-bot check` says FAIL naming a typo and listing those there are, and the
reminder loop `serve` starts logs a warning saying the same, once it has read them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest

from bot import check
from bot.app import build_app, slack_client
from bot.config import Settings
from bot.incidentio.client import IncidentIoClient
from bot.reminders import loop as reminder_loop
from bot.store_api import MemoryStore
from sandbox.emulator import create_emulator
from sandbox.fake_slack import FakeSlack
from sandbox.serving import BackgroundServer

API_KEY = "k-reminder-names"


@pytest.fixture(scope="module")
def upstreams() -> Iterator[tuple[str, str]]:
    """The emulator's URL and the fake Slack's API URL."""
    fake = FakeSlack(bot_token="xoxb-1")
    emulator = create_emulator(api_key=API_KEY)
    with BackgroundServer(emulator.app) as incidentio, BackgroundServer(fake.app) as slack:
        fake.base_url = slack.url
        yield incidentio.url, fake.api_url


def settings_for(upstreams: tuple[str, str], **extra: object) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        incidentio_api_key=API_KEY,
        incidentio_base_url=upstreams[0],
        slack_bot_token="xoxb-1",
        slack_signing_secret="s",
        slack_api_url=upstreams[1],
        **extra,
    )


async def checked(settings: Settings) -> tuple[bool, list[str]]:
    lines: list[str] = []
    async with IncidentIoClient.from_settings(settings) as incidents:
        ok = await check.run_check(settings, incidents, slack_client(settings), lines.append)
    return ok, [line for line in lines if "update reminders" in line]


async def test_check_fails_naming_a_name_that_is_no_severity(
    upstreams: tuple[str, str],
) -> None:
    ok, lines = await checked(settings_for(upstreams, reminder_minutes="Criticl:15,Major:30"))
    assert not ok
    assert lines == [
        "FAIL update reminders: REMINDER_MINUTES names no severity of incident.io: criticl "
        "(incidents of it are never reminded); its severities: Minor, Major, Critical"
    ]


@pytest.mark.parametrize(
    ("minutes", "line"),
    [
        (None, "info update reminders: off (REMINDER_MINUTES is not set)"),
        (
            "critical:15,MAJOR:30,*:60",
            "ok   update reminders: on (critical:15,major:30,*:60 minutes, checked every 30 s)",
        ),
    ],
)
async def test_check_says_whether_reminders_are_on(
    upstreams: tuple[str, str], minutes: str | None, line: str
) -> None:
    ok, lines = await checked(settings_for(upstreams, reminder_minutes=minutes))
    assert ok and lines == [line]


async def test_serve_warns_once_it_has_read_the_severities(
    upstreams: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(upstreams, reminder_minutes="Criticl:15,Major:30")
    incidents = IncidentIoClient.from_settings(settings)
    bot = build_app(settings, incidents, store=MemoryStore())

    def warned() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]

    with caplog.at_level(logging.WARNING, logger="bot.reminders"):
        loop = reminder_loop.start(bot.deps, bot.app.client)  # as serve starts it
        assert loop is not None
        deadline = time.monotonic() + 10.0
        while not warned():
            assert time.monotonic() < deadline, "no warning within 10 s"
            await asyncio.sleep(0.05)
        await loop.stop()
    await incidents.aclose()
    assert warned() == [
        "reminders: REMINDER_MINUTES names no severity of incident.io: criticl (incidents of it "
        "are never reminded); its severities: Minor, Major, Critical"
    ]
