"""An incident in post-incident (`learning`) is no longer stranded: it takes messages and can be
closed, escalate says plainly why it does not apply, and its channel is still its channel."""

from __future__ import annotations

from typing import Any

from bot.ids import Field, Modal, Shortcut
from bot.incidentio.models import Incident
from tests.slack.conftest import Harness
from tests.slack.helpers import (
    blocks_text,
    input_block,
    offered,
    open_view,
    said,
    seed_incident,
)


async def _in_post_incident(h: Harness, name: str = "Checkout down") -> Incident:
    """An incident resolved through the bot into post-incident (Documenting)."""
    incident = await seed_incident(h, name)
    view = await open_view(h, f"resolve {incident.reference} Fix verified")
    await h.driver.submit(view["id"], {"status": "Documenting"})
    await h.settle()
    assert h.emulator.incident(incident.id)["incident_status"]["name"] == "Documenting"
    return incident


async def test_resolve_then_resolve_again_closes_a_post_incident_incident(h: Harness) -> None:
    incident = await _in_post_incident(h)
    view = await open_view(h, f"resolve {incident.reference}")
    assert view["callback_id"] == Modal.RESOLVE
    assert offered(view, Field.STATUS) == ["Closed"]
    text = blocks_text(view) + str(input_block(view, Field.STATUS))
    assert "post-incident" in text.lower()
    await h.driver.submit(view["id"], {"message": "Write-up done", "status": "Closed"})
    await h.settle()
    assert h.emulator.incident(incident.id)["incident_status"]["name"] == "Closed"
    assert "Closed" in blocks_text(h.fake.current_view(view["id"]))
    assert h.deps.open_incidents.peek() == []  # closed: no longer a candidate for any verb


async def test_a_post_incident_incident_takes_a_message(h: Harness) -> None:
    incident = await _in_post_incident(h)
    response = await h.driver.command(f"update {incident.reference} Follow-ups filed")
    await h.settle()
    assert f"Update shared on *{incident.reference}*" in said(h, response)
    [note] = [u for u in h.emulator.updates if (u.get("message") or "").startswith("Follow-ups")]
    assert note["new_incident_status"]["name"] == "Documenting"  # a message moves no status


async def test_a_post_incident_channel_is_still_the_incident_s_channel(h: Harness) -> None:
    incident = await _in_post_incident(h)
    h.deps.open_incidents.invalidate()  # read the list afresh: post-incident ones are in it
    response = await h.driver.command(
        "update Timeline written", channel_id=incident.slack_channel_id
    )
    await h.settle()
    assert "Update shared" in said(h, response)
    assert any((u.get("message") or "").startswith("Timeline written") for u in h.emulator.updates)


async def test_update_modal_for_a_post_incident_incident_is_a_message(h: Harness) -> None:
    incident = await _in_post_incident(h)
    view = await open_view(h, f"update {incident.reference}")
    assert view["callback_id"] == Modal.UPDATE
    # Post-incident statuses move with the flow's tasks; severity is settled once resolved.
    assert input_block(view, Field.STATUS) is None and input_block(view, Field.SEVERITY) is None
    assert "post-incident" in blocks_text(view)
    await h.driver.submit(view["id"], {"message": "Action items assigned"})
    await h.settle()
    assert any(
        (u.get("message") or "").startswith("Action items assigned") for u in h.emulator.updates
    )


async def test_update_modal_in_post_incident_says_plainly_that_it_wants_a_message(
    h: Harness,
) -> None:
    incident = await _in_post_incident(h)
    ref = incident.reference
    view = await open_view(h, f"update {ref}")

    assert (
        f"{ref} is in post-incident, so an update is a message only: its status and severity "
        f"no longer change here. To close {ref}, use `/incident resolve {ref}`."
    ) in blocks_text(view)
    # The message is all the form asks for, so it is not optional; sent empty all the same
    # (an old form), it asks for the message only: there is no status or severity to choose.
    assert input_block(view, Field.MESSAGE)["optional"] is False
    response = await h.driver.submit(view["id"], {"message": ""})
    assert response.json() == {
        "response_action": "errors",
        "errors": {Field.MESSAGE.value: "Write the message to share."},
    }


async def test_escalate_on_a_post_incident_incident_is_refused_clearly(h: Harness) -> None:
    incident = await _in_post_incident(h)
    writes = len(h.writes())
    views = len(h.driver.open_views())
    response = await h.driver.command(f"escalate {incident.reference}")
    await h.settle()
    answer = said(h, response)
    assert f"{incident.reference} is in post-incident (Documenting)" in answer
    assert "`/incident escalate` no longer applies" in answer
    assert f"/incident resolve {incident.reference}" in answer
    assert len(h.writes()) == writes and len(h.driver.open_views()) == views


async def test_the_picker_lists_post_incident_incidents_where_the_verb_allows(h: Harness) -> None:
    resolved = await _in_post_incident(h, "Checkout down")
    await seed_incident(h, "Search slow")
    h.deps.open_incidents.invalidate()
    listed = {}
    for verb in ("update", "resolve", "escalate"):
        view = await open_view(h, verb)
        assert view["callback_id"] == Modal.PICK
        listed[verb] = [
            o["text"]["text"] for o in await h.driver.options(view["id"], Field.INCIDENT)
        ]
    both = ["INC-1: Checkout down", "INC-2: Search slow"]
    assert sorted(listed["update"]) == sorted(listed["resolve"]) == both
    assert listed["escalate"] == ["INC-2: Search slow"]

    view = await open_view(h, "resolve")
    chosen = next(
        o for o in await h.driver.options(view["id"], Field.INCIDENT) if o["value"] == resolved.id
    )
    await h.driver.submit(view["id"], {"incident": chosen})
    await h.settle()
    assert offered(h.fake.current_view(view["id"]), Field.STATUS) == ["Closed"]


async def test_a_message_can_be_added_to_a_post_incident_incident(h: Harness) -> None:
    incident = await _in_post_incident(h)
    await h.driver.message_shortcut(
        Shortcut.ADD_TO_INCIDENT, "Customer confirmed", channel_id=incident.slack_channel_id
    )
    await h.settle()
    view = h.driver.last_view()
    chosen = input_block(view, Field.INCIDENT)["element"]["initial_option"]  # type: ignore[index]
    assert chosen["value"] == incident.id
    await h.driver.submit(view["id"], {})
    await h.settle()
    assert any("Customer confirmed" in (u.get("message") or "") for u in h.emulator.updates)


def _without_status(view: dict[str, Any]) -> dict[str, Any]:
    """The modal as it was before the status input was always shown: none when one status
    could end the incident."""
    return {**view, "blocks": [b for b in view["blocks"] if b.get("block_id") != Field.STATUS]}


async def test_a_stale_modal_closes_with_the_one_status_allowed_now(h: Harness) -> None:
    incident = await _in_post_incident(h)
    view = await open_view(h, f"resolve {incident.reference} Write-up done")
    await h.driver.submit(view["id"], {}, shown=_without_status(view))
    await h.settle()
    assert h.emulator.incident(incident.id)["incident_status"]["name"] == "Closed"


async def test_a_stale_modal_does_not_choose_between_endings(h: Harness) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"resolve {incident.reference} Fixed")
    writes = len(h.writes())
    response = await h.driver.submit(view["id"], {}, shown=_without_status(view))
    await h.settle()
    assert "out of date" in blocks_text(response.json()["view"])
    assert len(h.writes()) == writes
    assert h.emulator.incident(incident.id)["incident_status"]["name"] == "Investigating"


async def test_list_shows_post_incident_incidents_after_the_open_ones_marked(h: Harness) -> None:
    resolved = await _in_post_incident(h, "Checkout down")
    await seed_incident(h, "Search slow")
    closed = await seed_incident(h, "Old outage")
    view = await open_view(h, f"resolve {closed.reference}")
    await h.driver.submit(view["id"], {"message": "Done", "status": "Closed"})
    await h.settle()
    h.fake.reset()

    text = said(h, await h.driver.command("list"))

    assert "1 open incident · 1 in post-incident" in text
    assert text.index("Search slow") < text.index("Checkout down")
    line = text[text.index(f"{resolved.reference}>* Checkout down") :].split("\n")[1]
    assert line.startswith("_Post-incident_ · Minor · Documenting")
    assert "Old outage" not in text  # closed: not in the list


async def test_list_with_only_post_incident_incidents(h: Harness) -> None:
    await _in_post_incident(h)
    h.fake.reset()
    text = said(h, await h.driver.command("list"))
    assert "No open incidents · 1 in post-incident" in text and "Checkout down" in text
