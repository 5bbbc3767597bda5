"""No secret in any log record or anything sent to Slack, with every logger at DEBUG.

Its own harness with distinctive secrets, so a leak cannot hide behind a common word.
"""

from __future__ import annotations

import functools
import json
import logging
import traceback
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from bot.app import build_app
from bot.incidentio.client import IncidentIoClient
from bot.inflight import drain
from bot.observability.logs import JsonFormatter, TextFormatter
from bot.store_api import MemoryStore
from sandbox.driver import SlackDriver, SlackResponse
from sandbox.emulator import create_emulator
from sandbox.fake_slack import FakeSlack
from sandbox.serving import BackgroundServer
from tests.slack.conftest import Harness, dispatch, make_settings

API_KEY = "inc_live_API_KEY_9f8e7d6c5b4a39281706"
BOT_TOKEN = "xoxb-BOT-TOKEN-1234567890-abcdefABCDEF"
SIGNING_SECRET = "SIGNING-SECRET-0f1e2d3c4b5a69788796"
SECRETS = (API_KEY, BOT_TOKEN, SIGNING_SECRET)


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture(scope="module")
def secret_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(bot_token=BOT_TOKEN)
    with BackgroundServer(fake.app) as server:
        fake.base_url = server.url
        yield fake


@pytest.fixture
async def sh(secret_slack: FakeSlack) -> AsyncIterator[Harness]:
    fake = secret_slack
    fake.reset()
    emulator = create_emulator(api_key=API_KEY)
    incidents = IncidentIoClient(
        API_KEY, transport=httpx.ASGITransport(app=emulator.app), sleep=_no_sleep
    )
    settings = make_settings(
        fake.api_url,
        incidentio_api_key=API_KEY,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        log_level="DEBUG",
    )
    bot = build_app(settings, incidents, store=MemoryStore())
    driver = SlackDriver(fake, SIGNING_SECRET, functools.partial(dispatch, bot))
    yield Harness(bot, fake, emulator, driver, settings)
    await drain(10.0)
    await incidents.aclose()


def everything_logged(records: list[logging.LogRecord]) -> Iterator[str]:
    """Every way a handler could write a record: both formatters, args, extras, tracebacks."""
    json_formatter, text_formatter = JsonFormatter(), TextFormatter()
    for record in records:
        yield json_formatter.format(record)
        yield text_formatter.format(record)
        yield repr(record.args)
        yield repr(vars(record))
        if record.exc_info and record.exc_info[1] is not None:
            yield "".join(traceback.format_exception(record.exc_info[1]))


def all_loggers_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    names = [*logging.root.manager.loggerDict, "httpx", "httpcore", "slack_sdk", "slack_bolt"]
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)


async def run_everything(sh: Harness) -> list[SlackResponse]:
    """declare, update, escalate, resolve, list, show, an incident.io error, a Slack error."""
    d, out = sh.driver, []
    out.append(await d.command("declare Database on fire"))
    await sh.settle()
    view = d.last_view()
    out.append(await d.submit(view["id"], {"severity": "Minor", "summary": "Primary down"}))
    await sh.settle()
    out.append(await d.command("update INC-1 Failing over"))
    out.append(await d.command("update INC-1"))
    await sh.settle()
    out.append(await d.submit(d.last_view()["id"], {"message": "Failover done"}))
    out.append(await d.command("escalate INC-1"))
    await sh.settle()
    out.append(await d.submit(d.last_view()["id"], {"reason": "Replica lag too"}))
    out.append(await d.command("list"))
    out.append(await d.command("show INC-1"))
    # incident.io fails: a 500 on the write, then a 401 on a read.
    sh.emulator.faults.add("POST /v2/incident_updates", 500, count=5)
    out.append(await d.command("update INC-1 This will fail"))
    await sh.settle()
    sh.emulator.faults.add(None, 401, count=5)
    out.append(await d.command("show INC-1"))
    await sh.settle()
    sh.emulator.faults.rules.clear()
    # Slack fails: views.open is refused, then the ephemeral that says so is refused too.
    sh.fake.fail_next("views.open", "internal_error")
    sh.fake.fail_next("response_url", "internal_error")
    out.append(await d.command("resolve INC-1"))
    await sh.settle()
    out.append(await d.command("resolve INC-1"))
    await sh.settle()
    out.append(await d.submit(d.last_view()["id"], {"message": "All good", "status": "Closed"}))
    await sh.settle()
    # A request with a forged signature: Bolt logs what it refused.
    out.append(
        await sh.driver.send(
            "command=%2Fincident&text=list",
            {
                "x-slack-request-timestamp": "1",
                "x-slack-signature": "v0=00",
                "content-type": "application/x-www-form-urlencoded",
            },
        )
    )
    return out


async def test_no_secret_in_logs_or_slack_calls_on_any_path(
    sh: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    all_loggers_at_debug(caplog)
    responses = await run_everything(sh)

    # The flow did what it claims, so the absence below means something.
    incident = sh.emulator.incidents[0]
    assert incident["incident_status"]["category"] == "closed"
    statuses = {r.status for r in sh.emulator.requests}
    assert {401, 500} <= statuses
    assert any(c.error == "internal_error" for c in sh.fake.calls)
    assert len(caplog.records) > 50
    assert any(r.name == "bot.interaction" for r in caplog.records)
    assert any(r.levelno >= logging.WARNING for r in caplog.records)

    logged = "\n".join(everything_logged(caplog.records))
    sent: list[Any] = [c.args for c in sh.fake.calls] + [r.body for r in responses]
    sent += [(r.query, r.body) for r in sh.emulator.requests]
    sent_text = json.dumps(sent, default=str)
    for secret in SECRETS:
        # The tail too, in case something masks only the beginning. (No blob in the message:
        # the failure says where, not the whole log.)
        for part in (secret, secret[-12:]):
            assert part not in logged, f"a secret is in the logs near: {_near(logged, part)}"
            assert part not in sent_text, f"a secret was sent near: {_near(sent_text, part)}"


def _near(text: str, part: str) -> str:
    at = text.find(part)
    return text[max(at - 80, 0) : at].replace(part, "<secret>")
