"""Status moves through Slack: each modal offers only what incident.io allows from where the
incident is (API-NOTES §12.1), and says what each choice means."""

from __future__ import annotations

from bot.ids import Field, Modal
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, input_block, offered, open_view, seed_incident

# --- update ------------------------------------------------------------------------------------


async def test_update_modal_for_a_live_incident_offers_no_triage_and_no_ending(h: Harness) -> None:
    incident = await seed_incident(h)  # Investigating (live)
    view = await open_view(h, f"update {incident.reference}")
    assert view["callback_id"] == Modal.UPDATE
    # Never back to triage; resolving (post-incident, closed) is resolve's job.
    assert offered(view, Field.STATUS) == ["Fixing", "Monitoring"]
    assert offered(view, Field.SEVERITY) == ["Major", "Critical"]


async def test_update_modal_for_a_triage_incident_offers_no_status(h: Harness) -> None:
    catalog = await h.deps.catalog.get()
    security = next(t for t in catalog.types if t.name == "Security")
    incident = await seed_incident(h, "Leaked key", incident_type_id=security.id)  # triage
    view = await open_view(h, f"update {incident.reference}")
    # Triage has one status here, and an update may only move within the category.
    assert input_block(view, Field.STATUS) is None
    assert input_block(view, Field.SEVERITY) is not None
    # Said, not left to guess: accepting a triaged incident is not something the API offers.
    assert "is in triage" in blocks_text(view) and "accept it in incident.io" in blocks_text(view)


# --- resolve -------------------------------------------------------------------------------------


async def test_resolve_makes_the_person_choose_and_says_what_each_choice_means(
    h: Harness,
) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"resolve {incident.reference} Fixed")
    block = input_block(view, Field.STATUS)
    assert block is not None
    assert offered(view, Field.STATUS) == ["Documenting", "Closed"]
    # No silent choice between starting the post-incident flow and skipping it.
    assert "initial_option" not in block["element"]
    hint = block["hint"]["text"]
    assert "post-incident flow" in hint and "stays open" in hint and "skips" in hint
    descriptions = [o["description"]["text"] for o in block["element"]["options"]]
    assert "post-incident flow" in descriptions[0] and "skips" in descriptions[1]

    response = await h.driver.submit(view["id"], {})
    assert response.json() == {
        "response_action": "errors",
        "errors": {Field.STATUS.value: "Choose how the incident ends."},
    }
    assert h.emulator.incident(incident.id)["incident_status"]["name"] == "Investigating"


async def test_a_post_incident_status_of_another_flow_is_shown_on_the_status(h: Harness) -> None:
    h.emulator.add_post_incident_flow("Security review", incident_type="Security")
    h.deps.catalog.invalidate()
    incident = await seed_incident(h)  # Default type: the default post-incident flow applies
    view = await open_view(h, f"resolve {incident.reference} Fixed")
    assert offered(view, Field.STATUS) == ["Documenting", "Security review", "Closed"]
    response = await h.driver.submit(view["id"], {"status": "Security review"})
    await h.settle()
    body = response.json()
    assert body["response_action"] == "errors"
    assert "post-incident flow" in body["errors"][Field.STATUS.value]
    assert h.emulator.incident(incident.id)["incident_status"]["name"] == "Investigating"
