"""What a person typed is never lost or misread: text without an incident opens the picker with
the text kept, a bare number that is no incident starts the text, long text opens the form."""

from __future__ import annotations

from typing import Any

from bot.ids import Field, Modal
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, seed_incident


def initial(view: dict[str, Any], field: Field) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == field)
    return str(block["element"].get("initial_value", ""))


async def pick(h: Harness, view: dict[str, Any], reference: str) -> dict[str, Any]:
    [option] = await h.driver.options(view["id"], Field.INCIDENT, reference)
    await h.driver.submit(view["id"], {"incident": option})
    await h.settle()
    return h.fake.current_view(view["id"])


async def test_an_update_outside_an_incident_channel_asks_which_and_keeps_the_text(
    h: Harness,
) -> None:
    incident = await seed_incident(h)
    await h.driver.command("update Rolled back the deploy")
    await h.settle()
    picker = h.driver.last_view()
    assert picker["callback_id"] == Modal.PICK
    assert initial(picker, Field.MESSAGE) == "Rolled back the deploy"
    assert h.emulator.updates == []  # nothing shared before the person says where

    update = await pick(h, picker, incident.reference)
    assert update["callback_id"] == Modal.UPDATE
    assert initial(update, Field.MESSAGE) == "Rolled back the deploy"
    await h.driver.submit(update["id"], {})
    await h.settle()
    [shared] = h.emulator.updates
    assert shared["message"].startswith("Rolled back the deploy")


async def test_a_bare_number_that_is_no_incident_starts_the_message(h: Harness) -> None:
    incident = await seed_incident(h)
    response = await h.driver.command("update 500 errors are back on checkout")
    await h.settle()
    assert "can't find" not in response.body
    picker = h.driver.last_view()
    assert picker["callback_id"] == Modal.PICK
    assert initial(picker, Field.MESSAGE) == "500 errors are back on checkout"
    update = await pick(h, picker, incident.reference)
    assert initial(update, Field.MESSAGE) == "500 errors are back on checkout"


async def test_explicit_references_stay_references(h: Harness) -> None:
    for text in ("update INC-500 errors", "update #500 errors"):
        response = await h.driver.command(text)
        await h.settle()
        assert "I can't find incident `INC-500`" in response.body
    assert h.driver.open_views() == []


async def test_a_bare_number_that_is_an_incident_is_the_incident(h: Harness) -> None:
    incident = await seed_incident(h)
    number = incident.reference.removeprefix("INC-")
    await h.driver.command(f"update {number} Rolled back")
    await h.settle()
    [shared] = h.emulator.updates
    assert shared["incident_id"] == incident.id and shared["message"].startswith("Rolled back")


async def test_a_declare_name_over_the_limit_opens_the_form_with_all_of_it(h: Harness) -> None:
    long_name = "Checkout API returning 500s " * 12  # 336 characters
    await h.driver.command(f"declare {long_name}")
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.DECLARE
    assert initial(view, Field.NAME) == ""
    assert initial(view, Field.SUMMARY) == long_name.strip()
    assert "a name takes at most 250" in blocks_text(view)


async def test_show_with_extra_words_shows_the_incident_and_says_what_it_left_out(
    h: Harness,
) -> None:
    incident = await seed_incident(h)
    response = await h.driver.command(f"show {incident.reference} extra words")
    await h.settle()
    assert "Checkout down" in response.body
    assert "I left out `extra words`" in response.body
    assert "is not an incident reference" not in response.body


async def test_text_past_the_picker_input_follows_it_to_the_verbs_form(h: Harness) -> None:
    incident = await seed_incident(h)
    head, tail = "a" * 3000, " and the tail the form could not hold"
    await h.driver.command(f"update {head}{tail}")
    await h.settle()
    picker = h.driver.last_view()
    assert initial(picker, Field.MESSAGE) == head
    assert tail.strip() in blocks_text(picker)

    update = await pick(h, picker, incident.reference)
    assert update["callback_id"] == Modal.UPDATE
    assert initial(update, Field.MESSAGE) == head
    assert tail.strip() in blocks_text(update)  # still in sight, to copy back

    await h.driver.submit(update["id"], {})
    await h.settle()
    [shared] = h.emulator.updates
    assert "…" not in shared["message"]
    # The result says what was not sent, and keeps it to send as another update.
    result = h.fake.current_view(update["id"])
    assert "Update shared" in blocks_text(result) and tail.strip() in blocks_text(result)
