"""Faults of incident.io and of Slack, in process: the bot retries what is safe, never writes twice,
and always tells the person what happened (with incident.io's request_id)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import build_app
from bot.failures import report
from bot.ids import Block, Field, Modal
from bot.incidentio.client import IncidentIoClient
from bot.inflight import drain
from bot.store_api import MemoryStore
from bot.surface import Surface
from sandbox.driver import SlackDriver
from sandbox.emulator import RequestRecord, create_emulator
from sandbox.fake_slack import FakeSlack
from sandbox.serving import BackgroundServer
from tests.slack.conftest import API_KEY, SIGNING_SECRET, Harness, dispatch, make_settings
from tests.slack.helpers import blocks_text, seed_incident


async def _no_sleep(_: float) -> None:
    return None


async def declare_form(h: Harness, name: str = "Checkout down") -> dict[str, Any]:
    await h.driver.command(f"declare {name}")
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.DECLARE
    return view


def creates(h: Harness) -> list[RequestRecord]:
    return [r for r in h.emulator.requests if r.route == "POST /v2/incidents"]


def element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    block: dict[str, Any] = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return dict(block["element"])


# --- incident.io errors on writes ---------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_5xx_on_declare_is_retried_once_into_one_incident(h: Harness, status: int) -> None:
    form = await declare_form(h)
    h.emulator.faults.add("POST /v2/incidents", status=status, count=1)

    ack = await h.driver.submit(form["id"], {"severity": "Major"})
    await h.settle()

    assert ack.json()["response_action"] == "update"
    assert [r.status for r in creates(h)] == [status, 200]
    assert len({r.body["idempotency_key"] for r in creates(h)}) == 1
    [incident] = h.emulator.incidents
    assert "INC-1" in blocks_text(h.fake.current_view(form["id"]))
    assert incident["severity"]["name"] == "Major"


async def test_a_503_on_an_update_is_retried_into_one_update(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.command(f"update {incident.reference}")
    await h.settle()
    form = h.driver.last_view()
    h.emulator.faults.add("POST /v2/incident_updates", status=503, count=1)

    await h.driver.submit(form["id"], {"message": "Rolled back"})
    await h.settle()

    writes = [r for r in h.emulator.requests if r.route == "POST /v2/incident_updates"]
    assert [r.status for r in writes] == [503, 201]
    assert [u["message"].split("\n")[0] for u in h.emulator.updates] == ["Rolled back"]
    assert "Update shared" in blocks_text(h.fake.current_view(form["id"]))


async def test_incident_io_down_for_the_whole_declare_keeps_the_form(h: Harness) -> None:
    form = await declare_form(h, "Payments failing")
    h.emulator.faults.add("POST /v2/incidents", status=503, count=None)

    ack = await h.driver.submit(
        form["id"], {"severity": "Critical", "summary": "Card payments fail in the EU"}
    )
    await h.settle()

    assert h.emulator.incidents == []
    failed = [r for r in creates(h) if r.status == 503]
    assert len(failed) == 4  # the first try and three retries
    shown = h.fake.current_view(form["id"])
    assert ack.json()["response_action"] == "update"
    assert shown["callback_id"] == Modal.DECLARE  # the form itself, not a dead end
    banner = next(b for b in shown["blocks"] if b.get("block_id") == Block.ERROR_BANNER)
    assert "incident.io" in banner["text"]["text"]
    assert failed[-1].request_id in banner["text"]["text"]
    assert element(shown, Field.NAME)["initial_value"] == "Payments failing"
    assert element(shown, Field.SUMMARY)["initial_value"] == "Card payments fail in the EU"
    assert element(shown, Field.SEVERITY)["initial_option"]["text"]["text"] == "Critical"
    labels = {"kind": "view_submission", "verb": Modal.DECLARE.value, "outcome": "api_error"}
    counted = h.deps.metrics.registry.get_sample_value("incident_bot_interactions_total", labels)
    assert counted == 1

    # When incident.io is back, submitting the same form declares it, once.
    h.emulator.faults.clear()
    await h.driver.submit(form["id"], {})
    await h.settle()
    [incident] = h.emulator.incidents
    assert (incident["name"], incident["severity"]["name"]) == ("Payments failing", "Critical")


async def test_a_422_on_a_field_is_shown_on_that_input(h: Harness) -> None:
    form = await declare_form(h)
    # A severity that incident.io does not know (deleted since the form opened).
    gone = {"text": {"type": "plain_text", "text": "Sev 0"}, "value": "01HZZZZZZZZZZZZZZZZZZZZZZZ"}

    ack = await h.driver.submit(form["id"], {"severity": gone})
    await h.settle()

    body = ack.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [Field.SEVERITY.value]
    assert [r.status for r in creates(h)] == [422]
    assert h.emulator.incidents == []


async def test_slow_incident_io_acks_progress_then_updates_the_modal(h: Harness) -> None:
    h.deps.ack_budget = 0.2  # the real budget is 1.8 s; the mechanics are the same
    form = await declare_form(h)
    h.emulator.faults.latency(0.6, "POST /v2/incidents")

    ack = await h.driver.submit(form["id"], {"severity": "Minor"})
    progress = ack.json()["view"]
    assert progress["title"]["text"] == "Working…"
    assert "Declaring the incident" in blocks_text(progress)
    assert h.emulator.incidents == []  # still on its way
    await h.settle()

    [incident] = h.emulator.incidents
    [update] = h.fake.calls_to("views.update")
    assert update.args["view_id"] == form["id"]
    assert incident["reference"] in blocks_text(h.fake.current_view(form["id"]))


# --- timeouts need a real socket: an in-process transport never times out ---------------------


@pytest.fixture
async def timing_out(slack_server: tuple[FakeSlack, BackgroundServer]) -> AsyncIterator[Harness]:
    """The harness with the emulator on a loopback socket and a 0.3 s client timeout."""
    fake, _ = slack_server
    fake.reset()
    emulator = create_emulator(api_key=API_KEY)
    with BackgroundServer(emulator.app) as server:
        incidents = IncidentIoClient(API_KEY, server.url, timeout=0.3, sleep=_no_sleep)
        settings = make_settings(fake.api_url)
        bot = build_app(settings, incidents, store=MemoryStore())
        driver = SlackDriver(fake, SIGNING_SECRET, functools.partial(dispatch, bot))
        yield Harness(bot, fake, emulator, driver, settings)
        await drain(10.0)
        await incidents.aclose()
    assert fake.violations == []


async def test_a_write_that_times_out_is_resent_and_applied_once(timing_out: Harness) -> None:
    h = timing_out
    form = await declare_form(h)
    # incident.io creates the incident but the answer arrives after the bot gave up waiting.
    h.emulator.faults.hang(count=1, route="POST /v2/incidents", seconds=0.6)

    await h.driver.submit(form["id"], {"severity": "Minor"})
    await h.settle()
    for _ in range(100):  # the emulator records the held request once it has answered it
        if len(creates(h)) == 2:
            break
        await asyncio.sleep(0.02)

    assert len(creates(h)) == 2
    assert len({r.body["idempotency_key"] for r in creates(h)}) == 1
    [incident] = h.emulator.incidents
    assert incident["reference"] in blocks_text(h.fake.current_view(form["id"]))


async def test_writes_that_never_answer_fail_clearly_and_a_resubmit_does_not_duplicate(
    timing_out: Harness,
) -> None:
    h = timing_out
    form = await declare_form(h, "Login broken")
    h.emulator.faults.hang(count=4, route="POST /v2/incidents", seconds=0.4)

    await h.driver.submit(form["id"], {"severity": "Major"})
    await h.settle()

    shown = h.fake.current_view(form["id"])
    banner = next(b for b in shown["blocks"] if b.get("block_id") == Block.ERROR_BANNER)
    said = banner["text"]["text"]
    assert "could not reach incident.io" in said
    # It may well have been declared: the person is told so, and that sending again is safe.
    assert "may have gone through" in said and "Submitting again is safe" in said
    assert element(shown, Field.NAME)["initial_value"] == "Login broken"
    # The bot could not know, but incident.io did create it: a second try must not duplicate.
    await h.driver.submit(form["id"], {})
    await h.settle()
    [incident] = h.emulator.incidents
    assert incident["name"] == "Login broken"
    assert "INC-1" in blocks_text(h.fake.current_view(form["id"]))


# --- Slack errors ------------------------------------------------------------------------------


async def test_expired_trigger_is_told_ephemerally_and_logged(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h.fake.fail_next("views.open", "expired_trigger_id")
    with caplog.at_level(logging.INFO):
        await h.driver.command("declare Checkout down")
        await h.settle()

    assert h.driver.open_views() == []
    [told] = [c for c in h.fake.messages() if c.method == "response_url"]
    assert told.args["response_type"] == "ephemeral"
    assert "run the command again" in told.args["text"]
    assert any("expired_trigger_id" in r.getMessage() for r in caplog.records)


async def test_hash_conflict_after_a_loading_modal_is_logged_not_fatal(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h.deps.open_budget = 0.05
    h.deps.catalog.invalidate()
    h.emulator.faults.latency(0.3, "GET /v1/severities", count=1)
    h.fake.fail_next("views.update", "hash_conflict")
    with caplog.at_level(logging.INFO):
        await h.driver.command("declare Checkout down")
        await h.settle()

    [opened] = h.fake.calls_to("views.open")
    assert opened.args["view"]["callback_id"] == Modal.LOADING
    [conflict] = h.fake.calls_to("views.update")
    assert conflict.error == "hash_conflict" and conflict.args["hash"]
    assert any("hash_conflict" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info]  # handled, no traceback
    # The person changed the modal meanwhile: the bot leaves it alone and says nothing else.
    assert h.fake.messages() == []


async def test_a_failed_response_url_post_is_logged(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h.deps.ack_budget = 0.1
    incident = await seed_incident(h)
    h.emulator.faults.latency(0.3, "POST /v2/incident_updates", count=1)
    h.fake.fail_next("response_url", "expired_url")
    with caplog.at_level(logging.INFO):
        ack = await h.driver.command(f"update {incident.reference} Rolled back")
        await h.settle()

    assert "Working on it" in ack.body
    [update] = h.emulator.updates
    assert update["message"].startswith("Rolled back")
    [failed] = h.fake.calls_to("response_url")
    assert failed.error == "expired_url"
    assert any("expired_url" in r.getMessage() for r in caplog.records)


async def test_a_failed_chat_post_ephemeral_is_logged(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h.fake.fail_next("chat.postEphemeral", "channel_not_found")
    reply = Surface(h.app.client, channel_id="C0GONE", user_id="U0ALICE")
    with caplog.at_level(logging.INFO):
        await report(RuntimeError("boom"), reply, where="test")

    [failed] = h.fake.calls_to("chat.postEphemeral")
    assert failed.error == "channel_not_found"
    assert any("channel_not_found" in r.getMessage() for r in caplog.records)
