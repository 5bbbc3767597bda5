"""`incident-bot check` against services that accept a connection and never answer: bounded, and
each failure said in words."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import __main__ as cli
from bot import check
from bot.app import slack_client
from bot.config import Settings
from bot.incidentio.client import IncidentIoClient


@pytest.fixture
def silent() -> Iterator[str]:
    """A local server that accepts connections (the kernel does, from its backlog) and never
    answers a byte."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def settings_for(url: str, **extra: object) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        incidentio_api_key="k-123456789",
        incidentio_base_url=url,
        slack_bot_token="xoxb-1",
        slack_signing_secret="s",
        slack_api_url=f"{url}/api/",
        **extra,
    )


async def test_check_gives_up_on_silent_services_and_says_so(silent: str) -> None:
    settings = settings_for(silent)
    lines: list[str] = []
    started = time.monotonic()
    async with IncidentIoClient.from_settings(settings, max_retries=0) as incidents:
        ok = await check.run_check(
            settings, incidents, slack_client(settings), lines.append, within=0.5
        )
    assert time.monotonic() - started < 3
    assert not ok
    assert f"FAIL Slack did not answer within 0.5 s ({silent}/api/)" in lines
    assert f"FAIL incident.io did not answer within 0.5 s ({silent})" in lines
    assert all(line.rstrip()[-1] not in ":" for line in lines)  # no empty reason


def test_the_check_command_is_bounded_by_default(
    silent: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    monkeypatch.setenv("INCIDENTIO_API_KEY", "k-123456789")
    monkeypatch.setenv("INCIDENTIO_BASE_URL", silent)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_API_URL", f"{silent}/api/")
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    monkeypatch.setattr(check, "CHECK_SECONDS", 0.5)
    started = time.monotonic()
    assert cli.main(["check"]) == 1
    assert time.monotonic() - started < 3
    out = capsys.readouterr().out
    assert "Slack did not answer within 0.5 s" in out
    assert "incident.io did not answer within 0.5 s" in out


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ({}, "info incident.io webhooks: off (INCIDENTIO_WEBHOOK_SECRET is not set)"),
        (
            {"incidentio_webhook_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "port": 8000},
            "info incident.io webhooks: on, at POST /incidentio/webhooks (port 8000)",
        ),
        (
            {
                "incidentio_webhook_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "slack_app_token": "xapp-1",
            },
            "FAIL incident.io webhooks: on, but Socket Mode serves them on HEALTH_PORT, which is "
            "not set: set it (and route only POST /incidentio/webhooks to it publicly), or unset "
            "INCIDENTIO_WEBHOOK_SECRET",
        ),
    ],
)
async def test_check_says_whether_webhooks_are_on(
    silent: str, extra: dict[str, object], line: str
) -> None:
    settings = settings_for(silent, **extra)
    lines: list[str] = []
    async with IncidentIoClient.from_settings(settings, max_retries=0) as incidents:
        await check.run_check(settings, incidents, slack_client(settings), lines.append, within=0.2)
    assert line in lines
