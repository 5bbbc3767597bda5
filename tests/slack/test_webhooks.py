"""incident.io webhooks through the bot's HTTP endpoint (bot/server.py), the emulator signing its
deliveries as incident.io does: changes made outside the bot reach the cards, each delivery is
processed once, a card never goes back, and what is not signed is refused with nothing done."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from svix.webhooks import Webhook

from bot.app import build_app
from bot.flows.cards import refresh_cards
from bot.server import create_web_app
from bot.store_api import CardPlace, MemoryStore
from sandbox.emulator.outside import declare_outside, edit_outside
from sandbox.emulator.webhooks import Delivery
from tests.incidentio.test_real_bodies import SPEC
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, reconfigured
from tests.slack.test_card import card_of, cards, declare

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
ANNOUNCE = "C0ANNOUNCE"
PATH = "/incidentio/webhooks"


@dataclass
class Hooks:
    h: Harness  # the bot with webhooks on
    http: httpx.AsyncClient  # its HTTP endpoint

    async def deliver(self, delivery: Delivery, **headers: str) -> httpx.Response:
        return await self.http.post(
            PATH, content=delivery.body, headers={**delivery.headers, **headers}
        )

    def sent(self) -> list[Delivery]:
        return list(self.h.emulator.webhooks.deliveries)

    def card_edits(self) -> list[tuple[str, str]]:
        edits = [c for c in self.h.fake.calls_to("chat.update") if c.error is None]
        return [(c.args["channel"], c.args["ts"]) for c in edits]

    async def counted(self, outcome: str) -> float:
        body = (await self.http.get("/metrics")).text
        line = f'incident_bot_webhook_deliveries_total{{outcome="{outcome}"}}'
        found = [float(x.split()[-1]) for x in body.splitlines() if x.startswith(line)]
        return found[0] if found else 0.0


@pytest.fixture
async def hooks(h: Harness) -> AsyncIterator[Hooks]:
    on = reconfigured(h, incidentio_webhook_secret=SECRET, incident_announce_channel=ANNOUNCE)
    h.emulator.webhooks.configure(None, SECRET)  # deliveries kept, each test delivers them
    transport = httpx.ASGITransport(app=create_web_app(on.bot))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        yield Hooks(on, http)


async def _declared(hooks: Hooks) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    await declare(hooks.h)
    [incident] = hooks.h.emulator.incidents
    hooks.h.emulator.webhooks.deliveries.clear()  # the bot's own: its cards are posted already
    return incident, cards(hooks.h)


async def test_a_change_made_outside_reaches_every_card(hooks: Hooks) -> None:
    incident, places = await _declared(hooks)
    edit_outside(hooks.h.emulator, incident["id"], {"name": "Checkout fully down"})
    [delivery] = hooks.sent()
    assert delivery.event_type == "public_incident.incident_updated_v2"
    answer = await hooks.deliver(delivery)
    assert answer.status_code == 200 and answer.json() == {"result": "refreshed"}
    assert sorted(hooks.card_edits()) == sorted(places)
    for place in places:
        assert "Checkout fully down" in blocks_text(card_of(hooks.h, place))
    assert await hooks.counted("accepted") == 1


async def test_a_status_change_sends_two_events_and_rewrites_each_card_once(hooks: Hooks) -> None:
    incident, places = await _declared(hooks)
    edit_outside(hooks.h.emulator, incident["id"], {"status": "Monitoring"})
    updated, moved = hooks.sent()
    assert moved.event_type == "public_incident.incident_status_updated_v2"
    assert (await hooks.deliver(moved)).json() == {"result": "refreshed"}
    assert (await hooks.deliver(updated)).json() == {"result": "nothing new"}
    assert sorted(hooks.card_edits()) == sorted(places)
    assert all("Monitoring" in blocks_text(card_of(hooks.h, p)) for p in places)


async def test_each_delivery_is_processed_once(hooks: Hooks) -> None:
    incident, places = await _declared(hooks)
    edit_outside(hooks.h.emulator, incident["id"], {"summary": "Card payments fail"})
    [delivery] = hooks.sent()
    first = await hooks.deliver(delivery)
    reads = len(hooks.h.emulator.requests)
    again = [await hooks.deliver(delivery) for _ in range(2)]
    assert first.json() == {"result": "refreshed"}
    assert [a.json() for a in again] == [{"result": "duplicate: processed before"}] * 2
    assert len(hooks.h.emulator.requests) == reads  # not even re-read
    assert len(hooks.card_edits()) == len(places)
    assert await hooks.counted("duplicate") == 2


async def test_an_older_event_arriving_late_changes_nothing(hooks: Hooks) -> None:
    incident, places = await _declared(hooks)
    await hooks.h.deps.open_incidents.get()  # cached as declared
    edit_outside(hooks.h.emulator, incident["id"], {"name": "First name"})
    edit_outside(hooks.h.emulator, incident["id"], {"name": "Second name"})
    older, newer = hooks.sent()
    assert (await hooks.deliver(newer)).json() == {"result": "refreshed"}
    assert (await hooks.deliver(older)).json() == {"result": "nothing new"}
    assert len(hooks.card_edits()) == len(places)
    assert all("Second name" in blocks_text(card_of(hooks.h, p)) for p in places)
    cached = [i for i in hooks.h.deps.open_incidents.peek() or () if i.id == incident["id"]]
    assert [i.name for i in cached] == ["Second name"]  # the cache did not go back either


async def test_the_bots_own_change_is_not_written_twice(hooks: Hooks) -> None:
    _, places = await _declared(hooks)
    await hooks.h.driver.command("update INC-1 Rolled back")
    await hooks.h.settle()
    edits = len(hooks.card_edits())
    assert edits == len(places)
    for delivery in hooks.sent():
        assert (await hooks.deliver(delivery)).json() == {"result": "nothing new"}
    assert len(hooks.card_edits()) == edits


async def test_an_incident_declared_outside_gets_a_card_in_the_announce_channel(
    hooks: Hooks,
) -> None:
    incident = declare_outside(hooks.h.emulator, {"name": "Search is slow", "severity": "Major"})
    [created] = hooks.sent()
    assert created.event_type == "public_incident.incident_created_v2"
    assert (await hooks.deliver(created)).json() == {"result": "announced"}
    [place] = cards(hooks.h)
    assert place[0] == ANNOUNCE
    assert "Search is slow" in blocks_text(card_of(hooks.h, place))
    assert [p.ts for p in await hooks.h.deps.store.cards_of(incident["id"])] == [place[1]]
    # Then changed outside: that card follows.
    edit_outside(hooks.h.emulator, incident["id"], {"name": "Search is down"})
    assert (await hooks.deliver(hooks.sent()[-1])).json() == {"result": "refreshed"}
    assert "Search is down" in blocks_text(card_of(hooks.h, place))


async def test_the_bots_own_declaration_is_not_announced_twice(hooks: Hooks) -> None:
    await declare(hooks.h)
    before = cards(hooks.h)
    [created] = [d for d in hooks.sent() if d.event_type.endswith("created_v2")]
    # Even when the webhook comes before the bot has recorded its cards: a replica whose
    # store knows nothing of them yet.
    replica = build_app(hooks.h.settings, hooks.h.deps.incidents, store=MemoryStore())
    transport = httpx.ASGITransport(app=create_web_app(replica))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        answer = await http.post(PATH, content=created.body, headers=created.headers)
    assert answer.json() == {"result": "no card"}
    assert cards(hooks.h) == before


async def test_a_private_event_is_read_back_and_shown_nowhere(hooks: Hooks) -> None:
    incident = declare_outside(hooks.h.emulator, {"name": "Payroll", "visibility": "private"})
    [created] = hooks.sent()
    assert json.loads(created.body)[created.event_type] == {"id": incident["id"]}
    assert (await hooks.deliver(created)).json() == {"result": "no card"}
    reads = [r for r in hooks.h.emulator.requests if r.route == "GET /v2/incidents/{id}"]
    assert [r.path.rsplit("/", 1)[-1] for r in reads] == [incident["id"]]
    assert cards(hooks.h) == []


async def test_an_escalation_refreshes_the_cards_of_its_incidents(hooks: Hooks) -> None:
    incident, places = await _declared(hooks)
    example = _escalation_example(incident["id"])
    delivery = hooks.h.emulator.webhooks.signed(
        "public_escalation.escalation_created_v1", example, incident["id"]
    )
    assert (await hooks.deliver(delivery)).json() == {"result": "refreshed"}
    assert sorted(hooks.card_edits()) == sorted(places)


async def test_an_event_the_bot_does_not_act_on_is_acknowledged(hooks: Hooks) -> None:
    delivery = hooks.h.emulator.webhooks.signed(
        "public_incident.follow_up_created_v2", {"id": "01FOLLOWUP"}, "01X"
    )
    assert (await hooks.deliver(delivery)).json()["result"].startswith("ignored")
    assert hooks.h.emulator.requests == []


async def test_a_failed_refresh_is_answered_503_and_processed_on_retry(hooks: Hooks) -> None:
    incident, places = await _declared(hooks)
    edit_outside(hooks.h.emulator, incident["id"], {"name": "Checkout fully down"})
    [delivery] = hooks.sent()
    fault = hooks.h.emulator.faults.add("GET /v2/incidents/{id}", status=500, count=None)
    failed = await hooks.deliver(delivery)
    assert failed.status_code == 503 and "deliver it again" in failed.json()["result"]
    assert hooks.card_edits() == []
    assert await hooks.counted("failed") == 1
    hooks.h.emulator.faults.rules.remove(fault)
    retried = await hooks.deliver(delivery)
    assert retried.json() == {"result": "refreshed"}
    assert all("Checkout fully down" in blocks_text(card_of(hooks.h, p)) for p in places)


def _forged() -> list[dict[str, str]]:
    stale = str(int(time.time()) - 600)
    return [
        {"webhook-signature": "v1,bm90IHRoZSBzaWduYXR1cmU="},
        {"webhook-signature": "v1"},
        {"webhook-signature": ""},
        {"webhook-timestamp": stale},
        {"webhook-timestamp": "soon"},
        {"webhook-id": "msg_other"},
    ]


async def test_forged_stale_or_tampered_deliveries_are_refused_and_nothing_is_done(
    hooks: Hooks,
) -> None:
    incident, _ = await _declared(hooks)
    edit_outside(hooks.h.emulator, incident["id"], {"name": "Forged name"})
    [delivery] = hooks.sent()
    reads = len(hooks.h.emulator.requests)
    answers = [await hooks.deliver(delivery, **headers) for headers in _forged()]
    tampered = delivery.body.replace("Forged name", "Tampered name")
    answers.append(await hooks.http.post(PATH, content=tampered, headers=delivery.headers))
    answers.append(await hooks.http.post(PATH, content=delivery.body))  # unsigned
    hooks.h.emulator.webhooks.configure(None, OTHER_SECRET)
    edit_outside(hooks.h.emulator, incident["id"], {"name": "Other key"})
    answers.append(await hooks.deliver(hooks.sent()[-1]))
    assert [a.status_code for a in answers] == [401] * len(answers)
    assert all("refused" in a.json()["result"] for a in answers)
    assert len(hooks.h.emulator.requests) == reads and hooks.card_edits() == []
    assert await hooks.counted("refused") == len(answers)
    # The genuine delivery still goes through: a refusal recorded nothing.
    assert (await hooks.deliver(delivery)).json() == {"result": "refreshed"}


async def test_a_signed_body_that_is_not_json_is_refused_400(hooks: Hooks) -> None:
    body, moment = "not json", datetime.now(UTC)
    headers = {
        "webhook-id": "msg_notjson",
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(SECRET).sign("msg_notjson", moment, body),
    }
    answer = await hooks.http.post(PATH, content=body, headers=headers)
    assert answer.status_code == 400 and "not JSON" in answer.json()["result"]


def _signed(body: str, webhook_id: str = "msg_signed") -> dict[str, str]:
    moment = datetime.now(UTC)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(webhook_id, moment, body),
    }


@pytest.mark.parametrize("body", ['{"foo": 1}', '{"event_type": 7}', "[1, 2]", '"text"', "null"])
async def test_a_signed_body_that_is_not_an_event_is_refused_400(hooks: Hooks, body: str) -> None:
    answer = await hooks.http.post(PATH, content=body, headers=_signed(body))
    assert answer.status_code == 400
    assert answer.json() == {"result": "refused: signed but not an event (no event_type)"}
    assert await hooks.counted("refused") == 1 and await hooks.counted("ignored") == 0


async def test_refusals_are_warnings_naming_where_they_came_from(
    hooks: Hooks, caplog: pytest.LogCaptureFixture
) -> None:
    body = '{"event_type": "public_incident.incident_updated_v2"}'
    forwarded = {"x-forwarded-for": "203.0.113.9, 10.0.0.1"}
    unsigned = await hooks.http.post(PATH, content=body, headers=forwarded)
    not_event = await hooks.http.post(PATH, content="[]", headers=_signed("[]"))
    assert (unsigned.status_code, not_event.status_code) == (401, 400)
    lines = [r for r in caplog.records if r.name == "bot.webhooks"]
    assert [r.levelno for r in lines] == [logging.WARNING, logging.WARNING]
    # httpx's ASGI transport connects from 127.0.0.1
    assert lines[0].getMessage().endswith("(from 127.0.0.1 (X-Forwarded-For: 203.0.113.9))")
    assert lines[1].getMessage().endswith("(from 127.0.0.1)")


async def test_without_a_secret_the_endpoint_is_off(h: Harness) -> None:
    transport = httpx.ASGITransport(app=create_web_app(h.bot))
    h.emulator.webhooks.configure(None, SECRET)
    delivery = h.emulator.webhooks.signed("public_incident.incident_updated_v2", {}, "x")
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        answer = await http.post(PATH, content=delivery.body, headers=delivery.headers)
    assert answer.status_code == 404 and "webhooks are off" in answer.json()["result"]


async def test_the_emulator_sends_its_deliveries_to_the_bot(hooks: Hooks) -> None:
    incident, places = await _declared(hooks)
    sender = hooks.h.emulator.webhooks
    sender.transport = httpx.ASGITransport(app=create_web_app(hooks.h.bot))
    sender.configure(f"http://bot{PATH}", SECRET)
    edit_outside(hooks.h.emulator, incident["id"], {"severity": "Major"})
    await sender.sent()
    assert [d.status for d in hooks.sent()] == [200]
    assert all("Major" in blocks_text(card_of(hooks.h, p)) for p in places)


def _escalation_example(incident_id: str) -> dict[str, Any]:
    key = "/x-webhooks/public_escalation.escalation_created_v1"
    response = SPEC["x-webhooks"][key]["get"]["responses"]["200"]["content"]["application/json"]
    payload: dict[str, Any] = response["example"]["public_escalation.escalation_created_v1"]
    related = [{**payload["related_incidents"][0], "id": incident_id}]
    return {**payload, "related_incidents": related}


async def test_a_refresh_that_read_an_older_state_leaves_the_newer_card(hooks: Hooks) -> None:
    incident, places = await _declared(hooks)
    # Another replica has shown a newer state than incident.io answers this one.
    newer = datetime.now(UTC) + timedelta(days=1)
    assert await hooks.h.deps.store.advance_version(incident["id"], newer)
    done = await refresh_cards(hooks.h.deps, hooks.h.app.client, incident["id"], ["A note"])
    assert done and hooks.card_edits() == []
    assert all(hooks.h.fake.thread(*p)[-1]["text"] == "A note" for p in places)


class _Overtaken(MemoryStore):
    """A store in which another replica records a newer state while the first cards are written."""

    def __init__(self) -> None:
        super().__init__()
        self.overtaken = 1

    async def advance_version(self, incident_id: str, updated_at: datetime) -> bool:
        if self.overtaken:
            self.overtaken -= 1
            return False
        return await super().advance_version(incident_id, updated_at)


async def test_cards_written_while_a_newer_state_was_recorded_are_written_again(
    h: Harness,
) -> None:
    store = _Overtaken()
    bot = build_app(h.settings, h.deps.incidents, store=store)
    incident = h.emulator.create_incident("Checkout down")
    response = await bot.app.client.chat_postMessage(channel="C0GENERAL", text="card")
    await store.add_card(CardPlace(incident["id"], "C0GENERAL", str(response["ts"])))
    assert await refresh_cards(bot.deps, bot.app.client, incident["id"], ["A note"])
    edits = [c for c in h.fake.calls_to("chat.update") if c.error is None]
    assert len(edits) == 2 and store.overtaken == 0
    assert len(h.fake.thread("C0GENERAL", str(response["ts"]))) == 1  # the note once


async def test_an_announcement_slack_refused_is_posted_on_the_retry_once(hooks: Hooks) -> None:
    declare_outside(hooks.h.emulator, {"name": "Search is slow"})
    [created] = hooks.sent()
    hooks.h.fake.fail_next("chat.postMessage", "not_in_channel")
    failed = await hooks.deliver(created)
    assert failed.status_code == 503 and cards(hooks.h) == []
    assert (await hooks.deliver(created)).json() == {"result": "announced"}
    assert (await hooks.deliver(created)).json()["result"].startswith("duplicate")
    assert [channel for channel, _ in cards(hooks.h)] == [ANNOUNCE]
