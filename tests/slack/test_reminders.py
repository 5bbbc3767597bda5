"""Update reminders, in process: the real app on the emulator and the fake Slack, with the
emulator's clock and the bot's one hand-driven clock, so an interval passes without waiting.

A reminder goes under the incident's card after its severity's interval without an update,
mentioning the lead; an update from anywhere restarts the clock (through the bot at once, made
elsewhere at the latest when the reminder is claimed); Snooze puts it off and says who did;
Post update opens the update modal; a resolved or vanished incident gets no more.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.ids import Modal, ReminderAction
from bot.incidentio.client import IncidentIoClient
from bot.reminders.loop import ReminderLoop
from bot.store_api import MemoryStore, StoreError
from sandbox.emulator import ManualClock, create_emulator
from sandbox.emulator.clock import to_datetime
from sandbox.fake_slack import FakeSlack
from sandbox.serving import BackgroundServer
from tests.slack.conftest import API_KEY, Harness, _no_sleep, make_settings, serve
from tests.slack.helpers import blocks_text, open_view, reconfigured, seed_incident

MINUTE = 60.0
BEA = "U0BEA"


@dataclass
class R:
    h: Harness
    clock: ManualClock
    loop: ReminderLoop

    async def check(self, minutes: float = 0.0) -> list[str]:
        """Let `minutes` pass, then one pass of the reminder loop."""
        self.clock.advance(minutes * MINUTE)
        outcomes = await self.loop.check()
        await self.h.settle()
        return outcomes

    def reminders(self, channel: str, ts: str) -> list[dict[str, Any]]:
        return [m for m in self.h.fake.thread(channel, ts) if ":alarm_clock:" in m.get("text", "")]


@pytest.fixture
async def r(slack_server: tuple[FakeSlack, BackgroundServer]) -> AsyncIterator[R]:
    fake, _ = slack_server
    fake.reset()
    clock = ManualClock(time.time())
    emulator = create_emulator(api_key=API_KEY, clock=clock)
    incidents = IncidentIoClient(
        API_KEY, transport=httpx.ASGITransport(app=emulator.app), sleep=_no_sleep
    )
    settings = make_settings(fake.api_url, reminder_minutes="Minor:30,Major:15")
    async for h in serve(fake, emulator, incidents, settings):
        h.deps.reminders.clock = lambda: to_datetime(clock())
        yield R(h, clock, ReminderLoop(h.deps, h.bot.app.client, owner="replica-a"))


async def declare(r: R, severity: str = "Minor") -> tuple[str, str]:
    h = r.h
    await h.driver.command("declare Checkout down")
    await h.settle()
    view = h.driver.last_view()
    await h.driver.submit(view["id"], {"severity": severity})
    await h.settle()
    [card] = h.fake.posted()
    return card


async def test_a_quiet_incident_is_reminded_under_its_card_once_per_interval(r: R) -> None:
    card = await declare(r)
    assert await r.check() == []  # watched from now on, not due yet
    assert await r.check(29) == []
    assert await r.check(1.5) == ["posted"]
    [reminder] = r.reminders(*card)
    text = blocks_text(reminder)
    assert "INC-1" in text and "no update for 30m" in text
    assert "no lead yet" in text
    actions = [
        e["action_id"] for b in reminder["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == [
        ReminderAction.POST_UPDATE,
        ReminderAction.SNOOZE_30,
        ReminderAction.SNOOZE_120,
    ]
    assert await r.check(1) == []  # one reminder, not one per pass
    assert await r.check(29.5) == ["posted"]
    assert len(r.reminders(*card)) == 2
    assert (
        'incident_bot_reminders_total{outcome="posted"} 2.0'
        in r.h.deps.metrics.render({})[0].decode()
    )


async def test_the_reminder_mentions_the_lead(r: R) -> None:
    r.h.fake.directory.add_user(BEA, name="bea", profile={"display_name": "bea"})
    r.h.emulator.add_user("Bea Newhire", BEA)
    card = await declare(r, "Major")
    await r.h.driver.command("lead INC-1 @bea")
    await r.h.settle()
    assert await r.check(16) == ["posted"]  # naming a lead is no update
    [reminder] = r.reminders(*card)
    assert f"<@{BEA}>, time to post an update?" in blocks_text(reminder)


async def test_an_update_through_the_bot_restarts_the_clock(r: R) -> None:
    card = await declare(r)
    await r.check()
    r.clock.advance(20 * MINUTE)
    await r.h.driver.command("update INC-1 Rolled back the deploy")
    await r.h.settle()
    assert await r.check(15) == []  # 35 min since it was declared, 15 since the update
    assert r.reminders(*card) == []
    assert await r.check(15) == ["posted"]


async def test_an_update_made_elsewhere_puts_the_reminder_off_when_claimed(r: R) -> None:
    card = await declare(r)
    await r.check()
    [incident] = r.h.emulator.incidents
    r.clock.advance(20 * MINUTE)
    # Made in incident.io itself: no card refresh, no webhook; the claim re-reads the incident.
    await r.h.deps.incidents.create_incident_update(
        incident_id=incident["id"], idempotency_key="outside", message="Looking into it"
    )
    assert await r.check(11) == ["put off"]
    assert r.reminders(*card) == []
    assert await r.check(18) == []
    assert await r.check(1) == ["posted"]


async def test_an_incident_declared_elsewhere_is_reminded_in_its_own_channel(r: R) -> None:
    incident = await seed_incident(r.h, severity="Major")
    assert incident.slack_channel_id
    assert await r.check(15) == ["posted"]
    [(channel, ts)] = r.h.fake.posted()
    assert channel == incident.slack_channel_id
    assert "no update for 15m" in blocks_text(r.h.fake.message(channel, ts))


async def test_an_incident_open_longer_than_its_interval_is_reminded_at_once(r: R) -> None:
    await seed_incident(r.h, severity="Major")
    r.clock.advance(3 * 60 * MINUTE)  # the bot was not running meanwhile
    assert await r.check() == ["posted"]
    assert "no update for 3h 0m" in blocks_text(r.h.fake.message(*r.h.fake.posted()[0]))


async def test_a_severity_without_an_interval_is_never_reminded(r: R) -> None:
    await seed_incident(r.h, severity="Critical")
    assert await r.check(24 * 60) == []
    assert r.h.fake.posted() == []


async def test_a_resolved_incident_gets_no_more_reminders(r: R) -> None:
    card = await declare(r)
    await r.check()
    [incident] = r.h.emulator.incidents
    view = await open_view(r.h, "resolve INC-1 Fixed")
    await r.h.driver.submit(view["id"], {"status": "Closed"})
    await r.h.settle()
    assert r.h.emulator.incident(incident["id"])["incident_status"]["category"] == "closed"
    assert await r.h.deps.store.due_of(incident["id"]) is None  # the card refresh stopped it
    assert await r.check(120) == []
    assert r.reminders(*card) == []


async def test_an_incident_resolved_elsewhere_stops_when_claimed(r: R) -> None:
    incident = await seed_incident(r.h, severity="Major")
    await r.check()
    closed = r.h.emulator.status_id("Closed")
    await r.h.deps.incidents.create_incident_update(
        incident_id=incident.id, idempotency_key="closed", to_incident_status_id=closed
    )
    assert await r.check(16) == ["stopped"]
    assert await r.h.deps.store.due_of(incident.id) is None
    assert r.h.fake.posted() == []


async def test_snooze_puts_the_next_reminder_off_and_says_who(r: R) -> None:
    card = await declare(r)
    await r.check(31)
    [reminder] = r.reminders(*card)
    await r.h.driver.click(card[0], reminder["ts"], ReminderAction.SNOOZE_120)
    await r.h.settle()
    said = [m["text"] for m in r.h.fake.thread(*card) if ":zzz:" in m.get("text", "")]
    assert said == [":zzz: <@U0ALICE> snoozed the update reminders of *INC-1* for 2 h."]
    assert await r.check(119) == []
    assert await r.check(1) == ["posted"]
    metrics = r.h.deps.metrics.render({})[0].decode()
    assert 'incident_bot_reminders_total{outcome="snoozed"} 1.0' in metrics


async def test_snooze_follows_the_update_policy(r: R) -> None:
    card = await declare(r)
    await r.check(31)
    [reminder] = r.reminders(*card)
    [incident] = r.h.emulator.incidents
    due = await r.h.deps.store.due_of(incident["id"])
    other = reconfigured(r.h, reminder_minutes="Minor:30", policy_update="incident_lead")
    await other.driver.click(card[0], reminder["ts"], ReminderAction.SNOOZE_30)
    await other.settle()
    assert await r.h.deps.store.due_of(incident["id"]) == due
    assert not [m for m in r.h.fake.thread(*card) if ":zzz:" in m.get("text", "")]
    assert "POLICY_UPDATE" in " ".join(blocks_text(c.args) for c in r.h.fake.messages())


async def test_a_resolved_incident_cannot_be_snoozed(r: R) -> None:
    card = await declare(r)
    await r.check(31)
    [reminder] = r.reminders(*card)
    [incident] = r.h.emulator.incidents
    closed = r.h.emulator.status_id("Closed")
    await r.h.deps.incidents.create_incident_update(
        incident_id=incident["id"], idempotency_key="closed", to_incident_status_id=closed
    )
    await r.h.driver.click(card[0], reminder["ts"], ReminderAction.SNOOZE_30)
    await r.h.settle()
    assert not [m for m in r.h.fake.thread(*card) if ":zzz:" in m.get("text", "")]
    said = " ".join(blocks_text(c.args) for c in r.h.fake.messages())
    assert "INC-1 is Closed: it gets no more update reminders." in said


async def test_post_update_opens_the_update_modal_for_the_incident(r: R) -> None:
    card = await declare(r)
    await r.check(31)
    [reminder] = r.reminders(*card)
    await r.h.driver.click(card[0], reminder["ts"], ReminderAction.POST_UPDATE)
    await r.h.settle()
    view = r.h.driver.last_view()
    assert view["callback_id"] == Modal.UPDATE
    assert "INC-1" in blocks_text(view)


async def test_a_store_failure_leaves_the_reminder_for_the_next_pass(r: R) -> None:
    class DownStore(MemoryStore):
        async def cards_of(self, incident_id: str) -> list[Any]:
            raise StoreError("the store (test) could not read the cards: down")

    card = await declare(r)
    real = r.h.deps.store
    r.h.deps.store = down = DownStore()
    await down.watch({i["id"]: r.h.deps.reminders.clock() for i in r.h.emulator.incidents})
    r.h.deps.reminders.lease = timedelta(minutes=2)
    assert await r.check(31) == ["retry"]
    assert await r.check(1) == []  # still held
    r.h.deps.store = real
    assert await r.check(2) == ["posted"]
    assert len(r.reminders(*card)) == 1
