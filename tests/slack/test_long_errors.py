"""incident.io's long error text, end to end: the fake Slack validates every view the bot sends,
so the form must come back with what was typed and the message cut and escaped."""

from __future__ import annotations

from bot.ids import Block, Field, Modal
from tests.slack.conftest import Harness
from tests.slack.helpers import element, open_declare


async def test_a_422_with_five_long_messages_keeps_the_form_and_cuts_the_message(
    h: Harness,
) -> None:
    view = await open_declare(h, "Payments failing")
    messages = [f"<!channel> problem {n}: " + "m" * 980 for n in range(5)]
    h.emulator.faults.add("POST /v2/incidents", status=422, messages=messages)

    ack = await h.driver.submit(
        view["id"], {"severity": "Critical", "summary": "Card payments fail in the EU"}
    )
    await h.settle()

    assert ack.json()["response_action"] == "update"
    shown = h.fake.current_view(view["id"])
    assert shown["callback_id"] == Modal.DECLARE
    banner = next(b for b in shown["blocks"] if b.get("block_id") == Block.ERROR_BANNER)
    text = banner["text"]["text"]
    assert len(text) <= 3000
    assert "…" in text and "problem 4" not in text  # cut, not sent whole
    # incident.io's text is escaped: no broadcast, no forged link.
    assert "<!channel>" not in text and "&lt;!channel&gt; problem 0" in text
    [failed] = [r for r in h.emulator.requests if r.route == "POST /v2/incidents"]
    assert failed.request_id in text  # the id support needs is never what is cut
    assert element(shown, Field.NAME)["initial_value"] == "Payments failing"
    assert element(shown, Field.SUMMARY)["initial_value"] == "Card payments fail in the EU"
    assert element(shown, Field.SEVERITY)["initial_option"]["text"]["text"] == "Critical"


async def test_a_long_422_on_a_field_is_cut_under_that_input_as_plain_text(h: Harness) -> None:
    view = await open_declare(h)
    message = "Name <b>&</b> " + "n" * 5000
    h.emulator.faults.add("POST /v2/incidents", status=422, messages=[message], field="name")

    ack = await h.driver.submit(view["id"], {"severity": "Major"})

    errors = ack.json()["errors"]
    assert list(errors) == [Field.NAME.value]
    # Slack shows inline errors as plain text: escaping would show "&lt;b&gt;" to the person.
    assert errors[Field.NAME.value].startswith("Name <b>&</b> nnn")
    assert len(errors[Field.NAME.value]) == 2000
    assert errors[Field.NAME.value].endswith("…")
