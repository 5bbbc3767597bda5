"""What a person typed survives a failure and is never misread in an incident's channel: the
answer to a command that could not be done quotes the text back, to send again."""

from __future__ import annotations

from bot.ids import Modal
from bot.incidentio.models import Incident
from tests.slack.conftest import Harness
from tests.slack.helpers import said, seed_incident


async def _close(h: Harness, incident: Incident) -> None:
    closed = next(s for s in (await h.deps.catalog.get()).statuses if s.category == "closed")
    await h.deps.incidents.create_incident_update(
        incident_id=incident.id, idempotency_key="close-it", to_incident_status_id=closed.id
    )


async def test_in_an_incidents_channel_a_leading_number_is_the_start_of_the_text(
    h: Harness,
) -> None:
    other = await seed_incident(h, "Payments slow")
    here = await seed_incident(h, "Checkout down")
    assert other.reference == "INC-1" and here.slack_channel_id

    response = await h.driver.command(
        "update 1 region still failing", channel_id=here.slack_channel_id
    )
    await h.settle()
    # The answer names the incident and quotes the message: a misroute would show at once.
    assert f"*{here.reference}*.\n>1 region still failing" in said(h, response)

    [shared] = h.emulator.updates
    assert shared["incident_id"] == here.id
    assert shared["message"].startswith("1 region still failing")


async def test_in_an_incidents_channel_explicit_references_still_name_another(h: Harness) -> None:
    other = await seed_incident(h, "Payments slow")
    here = await seed_incident(h, "Checkout down")
    for ref in ("INC-1", "#1"):
        await h.driver.command(f"update {ref} Recovered", channel_id=here.slack_channel_id)
        await h.settle()
    assert [u["incident_id"] for u in h.emulator.updates] == [other.id, other.id]


async def test_a_lone_number_in_an_incidents_channel_is_still_a_reference(h: Harness) -> None:
    other = await seed_incident(h, "Payments slow")
    here = await seed_incident(h, "Checkout down")
    await h.driver.command("escalate 1", channel_id=here.slack_channel_id)
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.ESCALATE
    assert other.reference in str(view)


async def test_an_update_incident_io_fails_quotes_the_text_back(h: Harness) -> None:
    incident = await seed_incident(h)
    h.emulator.faults.add("POST /v2/incident_updates", status=500, count=10)

    response = await h.driver.command(
        f"update {incident.reference} Rolled back the deploy & purged the CDN"
    )
    await h.settle()

    answer = said(h, response)
    assert "incident.io had a problem" in answer and "may have gone through" in answer
    assert ">Rolled back the deploy &amp; purged the CDN" in answer


async def test_an_update_for_an_unknown_incident_quotes_the_text_back(h: Harness) -> None:
    response = await h.driver.command("update INC-99 Rolled back the deploy")
    await h.settle()
    answer = said(h, response)
    assert "I can't find incident `INC-99`" in answer
    assert ">Rolled back the deploy" in answer


async def test_an_update_for_a_closed_incident_quotes_the_text_back(h: Harness) -> None:
    incident = await seed_incident(h)
    await _close(h, incident)
    before = len(h.emulator.updates)
    response = await h.driver.command(f"update {incident.reference} Rolled back")
    await h.settle()
    answer = said(h, response)
    assert ">Rolled back" in answer
    assert len(h.emulator.updates) == before


async def test_a_resolve_whose_form_cannot_open_quotes_the_text_back(h: Harness) -> None:
    incident = await seed_incident(h)
    await _close(h, incident)
    response = await h.driver.command(f"resolve {incident.reference} Fix verified on prod")
    await h.settle()
    assert ">Fix verified on prod" in said(h, response)


async def test_a_mention_typed_in_the_text_is_quoted_inert(h: Harness) -> None:
    response = await h.driver.command("update INC-99 paging <!here> now")
    await h.settle()
    answer = said(h, response)
    assert "<!here>" not in answer
    assert ">paging &lt;!here&gt; now" in answer


async def test_a_declare_whose_form_cannot_open_quotes_the_name_back(h: Harness) -> None:
    h.deps.catalog.invalidate()
    h.emulator.faults.add("GET /v1/severities", status=500, count=10)
    response = await h.driver.command("declare Checkout API returning 500s")
    await h.settle()
    assert h.driver.open_views() == []
    assert ">Checkout API returning 500s" in said(h, response)


async def test_a_form_that_fails_after_loading_shows_the_text_in_the_modal(h: Harness) -> None:
    h.deps.open_budget = 0.05
    h.deps.catalog.invalidate()
    h.emulator.faults.latency(0.2, "GET /v1/severities", count=1)
    h.emulator.faults.add("GET /v1/severities", status=500, count=10)
    await h.driver.command("declare Checkout API returning 500s")
    await h.settle()
    shown = str(h.driver.last_view())
    assert "Loading" not in shown
    assert ">Checkout API returning 500s" in shown


async def test_with_no_incident_to_pick_the_text_comes_back_instead_of_an_empty_picker(
    h: Harness,
) -> None:
    response = await h.driver.command("update Rolled back the deploy")
    await h.settle()
    assert h.driver.open_views() == []
    answer = said(h, response)
    assert "There is no open incident to update" in answer
    assert ">Rolled back the deploy" in answer
