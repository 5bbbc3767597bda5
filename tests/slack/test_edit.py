"""`/incident edit`: a modal prefilled from the incident; only what changed is sent, once."""

from __future__ import annotations

from typing import Any

from bot.ids import Field, Modal
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, element, open_view, reconfigured, said, seed_incident

EDIT = "POST /v2/incidents/{id}/actions/edit"


def edits(h: Harness) -> list[Any]:
    return [r for r in h.emulator.requests if r.route == EDIT]


async def submit(h: Harness, view: dict[str, Any], answers: dict[str, Any]) -> Any:
    response = await h.driver.submit(view["id"], answers)
    await h.settle()
    return response


async def test_edit_opens_prefilled_and_sends_only_the_changed_fields(h: Harness) -> None:
    incident = await seed_incident(h, "Checkout down", summary="EU only")
    view = await open_view(h, f"edit {incident.reference}")
    assert view["callback_id"] == Modal.EDIT
    assert element(view, Field.NAME)["initial_value"] == "Checkout down"
    assert element(view, Field.SUMMARY)["initial_value"] == "EU only"
    assert "initial_value" not in element(view, Field.CALL_URL)

    await submit(h, view, {Field.NAME: "Checkout down in the EU"})
    [edit] = edits(h)
    assert edit.body == {
        "incident": {"name": "Checkout down in the EU"},
        "notify_incident_channel": True,
    }
    [stored] = h.emulator.incidents
    assert stored["name"] == "Checkout down in the EU" and stored["summary"] == "EU only"
    shown = blocks_text(h.fake.current_view(view["id"]))
    assert "Edited: Name." in shown and "Checkout down in the EU" in shown


async def test_a_call_link_and_a_cleared_summary_are_sent_and_a_bad_link_is_inline(
    h: Harness,
) -> None:
    incident = await seed_incident(h, summary="Old notes")
    view = await open_view(h, f"edit {incident.reference}")
    response = await submit(h, view, {Field.CALL_URL: "meet dot example"})
    assert response.json()["response_action"] == "errors"
    assert "https://" in response.json()["errors"][Field.CALL_URL]
    assert edits(h) == []

    await submit(h, view, {Field.CALL_URL: "https://meet.example.com/abc", Field.SUMMARY: ""})
    [edit] = edits(h)
    assert edit.body["incident"] == {"summary": "", "call_url": "https://meet.example.com/abc"}
    assert h.emulator.incidents[0]["call_url"] == "https://meet.example.com/abc"


async def test_nothing_changed_is_an_inline_message_and_no_write(h: Harness) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"edit {incident.reference}")
    response = await submit(h, view, {})
    assert response.json()["response_action"] == "errors"
    assert "Nothing changed" in response.json()["errors"][Field.NAME]
    assert edits(h) == []


async def test_an_edit_is_not_repeated_when_incident_io_gives_no_clear_answer(
    h: Harness,
) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"edit {incident.reference}")
    h.emulator.faults.add("POST /v2/incidents/*/actions/edit", status=503, count=None)
    await submit(h, view, {Field.NAME: "Renamed"})
    assert len(edits(h)) == 1  # sent once: an edit carries no idempotency key
    shown = blocks_text(h.fake.current_view(view["id"]))
    assert "may or may not have applied" in shown
    assert "Check the incident; it shows its current state when you open edit again" in shown
    assert "Submitting again is safe" not in shown
    assert edits(h)[0].request_id in shown


async def test_a_change_made_meanwhile_is_not_put_back(h: Harness) -> None:
    incident = await seed_incident(h, "First name", summary="Notes")
    view = await open_view(h, f"edit {incident.reference}")
    # Someone renames it in incident.io while the form is open; this person edits the summary.
    await h.deps.incidents.edit_incident(incident.id, name="Renamed elsewhere")
    await submit(h, view, {Field.SUMMARY: "Better notes"})
    assert edits(h)[-1].body["incident"] == {"summary": "Better notes"}
    assert h.emulator.incidents[0]["name"] == "Renamed elsewhere"


async def test_the_result_escapes_what_people_typed(h: Harness) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"edit {incident.reference}")
    await submit(h, view, {Field.NAME: "<!channel> & <https://evil.example|click>"})
    shown = blocks_text(h.fake.current_view(view["id"]))
    assert "<!channel>" not in shown and "&lt;!channel&gt; &amp;" in shown
    assert h.emulator.incidents[0]["name"] == "<!channel> & <https://evil.example|click>"


async def test_the_policy_rules_on_edit(h: Harness) -> None:
    incident = await seed_incident(h)
    ruled = reconfigured(h, policy_edit="incident_lead")
    response = await ruled.driver.command(f"edit {incident.reference}")
    await ruled.settle()
    assert "may edit INC-1 (`POLICY_EDIT=incident_lead`)" in said(ruled, response)
    assert edits(h) == []


async def test_edit_without_a_reference_asks_which_incident(h: Harness) -> None:
    await seed_incident(h, "Payments flaky")
    view = await open_view(h, "edit")
    assert view["callback_id"] == Modal.PICK
    [chosen] = await h.driver.options(view["id"], Field.INCIDENT, "payments")
    await h.driver.submit(view["id"], {Field.INCIDENT: chosen})
    await h.settle()
    form = h.fake.current_view(view["id"])
    assert form["callback_id"] == Modal.EDIT
    assert element(form, Field.NAME)["initial_value"] == "Payments flaky"
