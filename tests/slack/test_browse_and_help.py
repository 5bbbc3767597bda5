"""help, unknown subcommands, list, show, and the "Add to incident" shortcut."""

from __future__ import annotations

import asyncio

from bot.ids import Field, Modal, Shortcut
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, command_reply, seed_incident


def said(h: Harness, response) -> str:  # type: ignore[no-untyped-def]
    return (
        command_reply(response) + "\n" + "\n".join(blocks_text(c.args) for c in h.fake.messages())
    )


async def test_help_lists_every_subcommand_with_an_example(h: Harness) -> None:
    for text in ("", "help"):
        reply = command_reply(await h.driver.command(text))
        for verb in ("declare", "update", "escalate", "resolve", "list", "show"):
            assert f"/incident {verb}" in reply
        assert "e.g. `/incident declare Checkout API returning 500s`" in reply


async def test_unknown_subcommand_says_so_and_writes_nothing(h: Harness) -> None:
    reply = command_reply(await h.driver.command("frobnicate INC-1"))
    assert "`frobnicate` is not a subcommand I know" in reply and "/incident help" in reply
    reply = command_reply(await h.driver.command("show everything"))
    assert "is not an incident reference" in reply and "Usage: `/incident show [ref]`" in reply
    await h.settle()
    assert h.writes() == [] and h.driver.open_views() == []


async def test_list_shows_open_public_incidents_across_pages(h: Harness) -> None:
    for n in range(3):
        await seed_incident(h, name=f"Outage {n}", severity="Major")
    await seed_incident(h, name="Hidden", visibility="private")
    await seed_incident(h, name="Drill", mode="test")
    text = said(h, await h.driver.command("list"))
    await h.settle()
    text += "\n".join(blocks_text(c.args) for c in h.fake.messages())
    assert "3 open incidents" in text
    for n in range(3):
        assert f"Outage {n}" in text
    assert "Hidden" not in text and "Drill" not in text
    assert "Major · Investigating" in text and "opened" in text


async def test_list_with_nothing_open(h: Harness) -> None:
    assert "No open incidents" in command_reply(await h.driver.command("list"))


async def test_show_card_has_the_facts_and_latest_updates(h: Harness) -> None:
    reporter = (await h.deps.catalog.get()).role_of_type("reporter")
    assert reporter is not None
    incident = await seed_incident(
        h,
        name="Checkout down",
        summary="EU customers see 500s",
        role_assignments=[(reporter.id, "U0ALICE")],
    )
    await h.deps.incidents.create_incident_update(
        incident_id=incident.id, idempotency_key="u1", message="Rolled back"
    )
    response = await h.driver.command(f"show {incident.reference}")
    await h.settle()
    text = said(h, response)
    for expected in (
        "INC-1",
        "Checkout down",
        "EU customers see 500s",
        "Minor",
        "Investigating",
        "Rolled back",
        "Reporter: <@U0ALICE>",
        "Latest updates",
    ):
        assert expected in text, expected


async def test_show_without_a_reference_outside_an_incident_channel_says_how_to_name_one(
    h: Harness,
) -> None:
    reply = said(h, await h.driver.command("show"))
    assert (
        "Which incident? Name it, for example `/incident show INC-12`; "
        "in an incident's own channel, `/incident show` alone shows that incident."
    ) in reply
    await h.settle()
    assert h.writes() == [] and h.driver.open_views() == []


async def test_show_in_channel_and_private_rules(h: Harness) -> None:
    secret = await seed_incident(h, name="Secret breach", visibility="private")
    outside = said(h, await h.driver.command(f"show {secret.reference}"))
    assert "can't find incident" in outside and "Secret breach" not in outside
    h.fake.reset()
    inside = said(h, await h.driver.command("show", channel_id=secret.slack_channel_id))
    assert "Secret breach" in inside


async def test_add_message_to_incident_from_its_channel(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.message_shortcut(
        Shortcut.ADD_TO_INCIDENT,
        "Error rate back to normal <!channel>",
        channel_id=incident.slack_channel_id,
        message_ts="2.0002",
        author="U0BOB",
    )
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.ADD_MESSAGE
    picker = next(b for b in view["blocks"] if b["block_id"] == Field.INCIDENT)["element"]
    assert picker["initial_option"]["value"] == incident.id
    await h.driver.submit(view["id"], {})
    await h.settle()
    [update] = [u for u in h.emulator.updates if u.get("message")]
    assert "> Error rate back to normal" in update["message"]
    # The author by name, not a raw `<@U0BOB>` that incident.io would show literally.
    assert (
        "posted by @user-u0bob" in update["message"] and "From Slack: https://" in update["message"]
    )
    assert h.fake.current_view(view["id"])["title"]["text"] == "Added to incident"
    # Adding the same message again shares it once.
    await h.driver.message_shortcut(
        Shortcut.ADD_TO_INCIDENT,
        "Error rate back to normal <!channel>",
        channel_id=incident.slack_channel_id,
        message_ts="2.0002",
        author="U0BOB",
    )
    await h.settle()
    again = h.driver.last_view()
    await h.driver.submit(again["id"], {})
    await h.settle()
    assert len([u for u in h.emulator.updates if u.get("message")]) == 1


async def test_a_burst_about_a_closed_incident_makes_one_get(h: Harness) -> None:
    incident = await seed_incident(h, name="Old outage")
    closed = next(s for s in (await h.deps.catalog.get()).statuses if s.category == "closed")
    await h.deps.incidents.create_incident_update(
        incident_id=incident.id, idempotency_key="close", to_incident_status_id=closed.id
    )
    await h.deps.open_incidents.get()
    h.deps.reread_after = 1e9  # the list is current: only the incident itself is fetched
    h.emulator.faults.latency(0.3, route="GET /v2/incidents/{id}")  # a real API's round trip
    before = len(h.emulator.requests)
    replies = await asyncio.gather(
        *[h.driver.command(f"show {incident.reference}") for _ in range(15)]
    )
    await h.settle()
    assert all("Old outage" in command_reply(r) for r in replies)
    gets = [
        r.path
        for r in h.emulator.requests[before:]
        if r.path == f"/v2/incidents/{incident.reference[4:]}"
    ]
    assert len(gets) == 1
