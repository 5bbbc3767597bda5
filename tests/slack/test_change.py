"""update, escalate, resolve: by reference, in the incident's channel, and through the picker."""

from __future__ import annotations

import asyncio

from bot.ids import Field, Modal
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, command_reply, seed_incident


async def test_update_with_message_shares_at_once(h: Harness) -> None:
    incident = await seed_incident(h)
    response = await h.driver.command(f"update {incident.reference} Rolled back <!here>")
    await h.settle()
    reply = command_reply(response) + "\n".join(blocks_text(c.args) for c in h.fake.messages())
    assert "Update shared on *INC-1*" in reply
    [update] = [u for u in h.emulator.updates if u.get("message")]
    assert update["message"].startswith("Rolled back <!here>")
    assert "Shared from Slack by @alice" in update["message"]
    assert h.driver.open_views() == []


async def test_update_in_the_incident_channel_needs_no_reference(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.command("update Still digging", channel_id=incident.slack_channel_id)
    await h.settle()
    assert any(u.get("message", "").startswith("Still digging") for u in h.emulator.updates)


async def test_update_modal_moves_status_and_severity(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.command(f"update {incident.reference}")
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.UPDATE
    await h.driver.submit(
        view["id"], {"message": "Fix deployed", "status": "Monitoring", "severity": "Major"}
    )
    await h.settle()
    now = h.emulator.incident(incident.id)
    assert now["incident_status"]["name"] == "Monitoring"
    assert now["severity"]["name"] == "Major"
    text = blocks_text(h.fake.current_view(view["id"]))
    assert "Update shared" in text and "Monitoring" in text


async def test_escalate_offers_only_higher_severities(h: Harness) -> None:
    incident = await seed_incident(h, severity="Minor")
    await h.driver.command(f"escalate {incident.reference}")
    await h.settle()
    view = h.driver.last_view()
    select = next(b for b in view["blocks"] if b["block_id"] == Field.SEVERITY)["element"]
    assert [o["text"]["text"] for o in select["options"]] == ["Major", "Critical"]
    assert select["initial_option"]["text"]["text"] == "Major"
    response = await h.driver.submit(view["id"], {"reason": ""})
    assert response.json()["response_action"] == "errors"
    await h.driver.submit(view["id"], {"reason": "Spreading to the US", "severity": "Critical"})
    await h.settle()
    assert h.emulator.incident(incident.id)["severity"]["name"] == "Critical"
    assert any("Spreading to the US" in (u.get("message") or "") for u in h.emulator.updates)


async def test_escalate_at_the_highest_severity_says_so_and_offers_a_page(h: Harness) -> None:
    incident = await seed_incident(h, severity="Critical")
    await h.driver.command(f"escalate {incident.reference}")
    await h.settle()
    view = h.driver.last_view()
    assert (
        view["callback_id"] == Modal.PAGE
    )  # paging instead of a refusal (tests/slack/test_page.py)
    assert "already at Critical, the highest severity" in blocks_text(view)


async def test_resolve_chooses_among_ending_statuses(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.command(f"resolve {incident.reference} Fix verified")
    await h.settle()
    view = h.driver.last_view()
    status = next(b for b in view["blocks"] if b["block_id"] == Field.STATUS)["element"]
    assert [o["text"]["text"] for o in status["options"]] == ["Documenting", "Closed"]
    message = next(b for b in view["blocks"] if b["block_id"] == Field.MESSAGE)["element"]
    assert message["initial_value"] == "Fix verified"
    await h.driver.submit(view["id"], {"status": "Closed"})
    await h.settle()
    assert h.emulator.incident(incident.id)["incident_status"]["category"] == "closed"
    assert "Closed" in blocks_text(h.fake.current_view(view["id"]))


async def test_picker_when_no_reference_and_not_in_an_incident_channel(h: Harness) -> None:
    first = await seed_incident(h, name="Checkout down")
    await seed_incident(h, name="Search slow")
    await seed_incident(h, name="Secret thing", visibility="private")
    await h.driver.command("resolve")
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.PICK
    offered = await h.driver.options(view["id"], Field.INCIDENT, "")
    labels = [o["text"]["text"] for o in offered]
    assert any("Checkout down" in label for label in labels)
    assert not any("Secret thing" in label for label in labels)  # private incidents stay hidden
    assert [
        o["text"]["text"] for o in await h.driver.options(view["id"], Field.INCIDENT, "sear")
    ] == ["INC-2: Search slow"]
    chosen = next(o for o in offered if o["value"] == first.id)
    await h.driver.submit(view["id"], {"incident": chosen})
    await h.settle()
    now = h.fake.current_view(view["id"])
    assert now["callback_id"] == Modal.RESOLVE
    await h.driver.submit(view["id"], {"message": "All good", "status": "Documenting"})
    await h.settle()
    assert h.emulator.incident(first.id)["incident_status"]["name"] == "Documenting"


async def test_closed_incident_is_refused_without_a_write(h: Harness) -> None:
    incident = await seed_incident(h)
    closed = next(s for s in (await h.deps.catalog.get()).statuses if s.category == "closed")
    await h.deps.incidents.create_incident_update(
        incident_id=incident.id, idempotency_key="close-it", to_incident_status_id=closed.id
    )
    writes_before = len(h.writes())
    response = await h.driver.command(f"update {incident.reference} more news")
    await h.settle()
    said = command_reply(response) + "\n".join(blocks_text(c.args) for c in h.fake.messages())
    assert "already Closed" in said
    assert len(h.writes()) == writes_before


async def test_unknown_incident_is_refused_without_a_write(h: Harness) -> None:
    response = await h.driver.command("escalate INC-999")
    await h.settle()
    said = command_reply(response) + "\n".join(blocks_text(c.args) for c in h.fake.messages())
    assert "can't find incident `INC-999`" in said
    assert h.writes() == [] and h.driver.open_views() == []


async def test_a_whole_lifecycle_reads_the_open_incidents_once(h: Harness) -> None:
    """The bot's own writes update its cache: no re-read between the steps of one incident."""
    await h.driver.command("declare Checkout down")
    await h.settle()
    view = h.driver.last_view()
    await h.driver.submit(view["id"], {"severity": "Minor"})
    await h.settle()
    await h.driver.command("update INC-1 Rolled back")
    await h.settle()
    await h.driver.command("escalate INC-1")
    await h.settle()
    await h.driver.submit(h.driver.last_view()["id"], {"reason": "Spreading"})
    await h.settle()
    await h.driver.command("resolve INC-1 Fixed")
    await h.settle()
    await h.driver.submit(h.driver.last_view()["id"], {"status": "Closed"})
    await h.settle()
    lists = [r for r in h.emulator.requests if r.method == "GET" and r.path == "/v2/incidents"]
    writes = [r for r in h.emulator.requests if r.method == "POST"]
    assert len(writes) == 4
    assert len(lists) == 1
    assert h.emulator.incident("INC-1")["incident_status"]["category"] == "closed"
    assert h.deps.open_incidents.peek() == []


async def test_a_burst_for_an_incident_declared_elsewhere_shares_one_reread(h: Harness) -> None:
    await seed_incident(h, name="Known")
    await h.driver.command("update INC-1 warming the cache")
    await h.settle()
    # Declared in incident.io's own app: the bot's cached list does not have it.
    outside = h.emulator.create_incident("Declared in the web app", severity="Major")
    h.deps.reread_after = 0.0
    before = len(h.emulator.requests)
    await asyncio.gather(
        *[h.driver.command(f"update {outside['reference']} note {n}") for n in range(20)]
    )
    await h.settle()
    reads = [r for r in h.emulator.requests[before:] if r.method == "GET"]
    assert [r.path for r in reads] == ["/v2/incidents"]  # one shared reload, no per-command GET
    notes = [u for u in h.emulator.updates if u["incident_id"] == outside["id"]]
    assert len(notes) == 20
