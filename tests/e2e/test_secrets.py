"""No secret leaves the bot: not in its DEBUG logs, not in anything it shows in Slack."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from bot.ids import Modal
from tests.e2e.botproc import BotProcess
from tests.e2e.conftest import E2E, serve_upstreams


async def _everything(e2e: E2E) -> list[str]:
    """Run every verb, a retried write, a failed write and a refused request; return what the
    bot answered over HTTP."""
    d = e2e.driver
    said: list[str] = []

    async def modal(text: str, answers: dict[str, object], callback: Modal) -> None:
        said.append((await d.command(text)).body)
        await e2e.settle()
        view = d.last_view()
        assert view["callback_id"] == callback
        said.append((await d.submit(view["id"], answers)).body)
        await e2e.settle()

    await e2e.fault(kind="status", route="POST /v2/incidents", status=503, count=1)
    await modal("declare Secrets check", {"severity": "Minor"}, Modal.DECLARE)
    assert len(e2e.emulator.incidents) == 1
    await e2e.fault(kind="status", route="POST /v2/incident_updates", status=500, count=None)
    await modal("update INC-1", {"message": "This one fails"}, Modal.UPDATE)
    await e2e.fault(kind="clear")
    said.append((await d.command("update INC-1 Quick note")).body)
    await modal("escalate INC-1", {"reason": "Worse", "severity": "Critical"}, Modal.ESCALATE)
    await modal("resolve INC-1", {"status": "Closed"}, Modal.RESOLVE)
    said.append((await d.command("help")).body)
    said.append((await d.command("show INC-1")).body)
    refused = e2e.driver_for(signing_secret="wrong")
    said.append((await refused.command("declare Sneaky")).body)
    await e2e.settle()
    for probe in ("/healthz", "/readyz", "/metrics"):
        said.append((await e2e.http.get(f"{e2e.bot.url}{probe}")).text)
    return said


async def test_no_secret_in_debug_logs_or_slack(
    launch_bot: Callable[..., BotProcess], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A developer's real settings in the shell that runs the tests never reach the bot.
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-from-the-developers-shell")
    monkeypatch.setenv("INCIDENTIO_SANDBOX", "true")
    api_key = f"inc_live_{secrets.token_hex(16)}"
    bot_token = f"xoxb-{secrets.randbelow(10**12)}-{secrets.token_hex(12)}"
    signing_secret = secrets.token_hex(32)
    with serve_upstreams(api_key=api_key, bot_token=bot_token) as up:
        bot = launch_bot(up, api_key=api_key, bot_token=bot_token, signing_secret=signing_secret)
        async with httpx.AsyncClient(timeout=30.0) as http:
            e2e = E2E(bot, up, http)
            assert bot.proc is not None
            environ = Path(f"/proc/{bot.proc.pid}/environ")
            if environ.exists():
                given = environ.read_bytes().decode().split("\0")
                assert not any(
                    v.startswith(("SLACK_APP_TOKEN=", "INCIDENTIO_SANDBOX=")) for v in given
                )
            e2e.log_start = 0  # start-up included
            said = await _everything(e2e)
            e2e.check_clean()
            assert bot.stop() == 0

        log = bot.log_text()
        assert "debug" in log and "bot.interaction" in log  # DEBUG logging was on
        shown_in_slack = [json.dumps(call.args) for call in up.fake.calls]
        # The failed update reached the person, with incident.io's request_id.
        [*_, failed] = [r for r in up.emulator.requests if r.status == 500]
        assert any(failed.request_id in text for text in said + shown_in_slack)
        sent_to_incident_io = [json.dumps(r.body) for r in up.emulator.requests]
        for secret in (api_key, bot_token, signing_secret):
            assert secret not in log
            assert not any(secret in text for text in said)
            assert not any(secret in text for text in shown_in_slack)
        for secret in (bot_token, signing_secret):
            assert not any(secret in text for text in sent_to_incident_io)
        assert "xoxb-" not in log and "Bearer" not in log
        assert all(
            call.token == bot_token for call in up.fake.calls if call.method != "response_url"
        )
        assert up.fake.violations == []
