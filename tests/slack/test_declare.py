from __future__ import annotations

import asyncio

from bot.ids import Field, Modal, Shortcut
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text


async def declare(h: Harness, name: str = "Checkout down", **answers: object) -> dict:
    response = await h.driver.command(f"declare {name}")
    assert response.status == 200
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.DECLARE
    answers = {"severity": "Major", **answers}
    submitted = await h.driver.submit(view["id"], answers)
    assert submitted.status == 200
    await h.settle()
    return h.fake.current_view(view["id"])


async def test_declare_opens_the_modal_prefilled_and_creates_the_incident(h: Harness) -> None:
    response = await h.driver.command("declare Checkout API returning 500s")
    assert response.status == 200
    await h.settle()
    view = h.driver.last_view()
    name_input = next(b for b in view["blocks"] if b["block_id"] == Field.NAME)
    assert name_input["element"]["initial_value"] == "Checkout API returning 500s"
    severity = next(b for b in view["blocks"] if b["block_id"] == Field.SEVERITY)
    labels = [o["text"]["text"] for o in severity["element"]["options"]]
    assert labels == ["Minor", "Major", "Critical"]  # ordered by rank
    types = next(b for b in view["blocks"] if b["block_id"] == Field.INCIDENT_TYPE)
    assert types["element"]["initial_option"]["text"]["text"] == "Default"

    await h.driver.submit(view["id"], {"severity": "Major", "summary": "EU customers"})
    await h.settle()
    [incident] = h.emulator.incidents
    assert incident["reference"] == "INC-1"
    assert incident["name"] == "Checkout API returning 500s"
    assert incident["severity"]["name"] == "Major"
    assert incident["visibility"] == "public" and incident["mode"] == "standard"
    roles = {
        a["role"]["role_type"]: a.get("assignee", {}) for a in incident["incident_role_assignments"]
    }
    assert roles["reporter"]["slack_user_id"] == "U0ALICE"
    result = h.fake.current_view(view["id"])
    text = blocks_text(result)
    assert "INC-1" in text and "Checkout API returning 500s" in text and "Major" in text
    assert f"<#{incident['slack_channel_id']}>" in text


async def test_double_submit_creates_one_incident(h: Harness) -> None:
    await h.driver.command("declare Payments flaky")
    await h.settle()
    view = h.driver.last_view()
    # Two clicks on Submit of the same modal, the second before the first is answered.
    first, second = await asyncio.gather(
        h.driver.submit(view["id"], {"severity": "Minor"}, shown=view),
        h.driver.submit(view["id"], {"severity": "Minor"}, shown=view),
    )
    await h.settle()
    assert first.status == 200 and second.status == 200
    creates = [r for r in h.emulator.requests if r.method == "POST" and r.path == "/v2/incidents"]
    assert len(creates) == 2
    assert len(h.emulator.incidents) == 1


async def test_missing_name_is_an_inline_error_and_nothing_is_written(h: Harness) -> None:
    await h.driver.command("declare")
    await h.settle()
    view = h.driver.last_view()
    response = await h.driver.submit(view["id"], {"name": "", "severity": "Minor"})
    body = response.json()
    assert body["response_action"] == "errors"
    assert Field.NAME in body["errors"]
    assert h.writes() == []


async def test_test_and_private_choices_reach_incident_io(h: Harness) -> None:
    await declare(h, "Drill", visibility="Private", test_mode=["This is a test incident"])
    [incident] = h.emulator.incidents
    assert incident["mode"] == "test" and incident["visibility"] == "private"


async def test_global_shortcut_opens_declare(h: Harness) -> None:
    response = await h.driver.global_shortcut(Shortcut.DECLARE_GLOBAL)
    assert response.status == 200
    await h.settle()
    assert h.driver.last_view()["callback_id"] == Modal.DECLARE


async def test_message_shortcut_declares_once_per_message(h: Harness) -> None:
    text = "db-1 is at 100% CPU <!channel>"
    await h.driver.message_shortcut(Shortcut.DECLARE_FROM_MESSAGE, text, message_ts="1.0001")
    await h.settle()
    view = h.driver.last_view()
    summary = next(b for b in view["blocks"] if b["block_id"] == Field.SUMMARY)
    assert summary["element"]["initial_value"].startswith(text)
    assert "From Slack: https://" in summary["element"]["initial_value"]
    await h.driver.submit(view["id"], {"name": "DB CPU", "severity": "Major"})
    await h.settle()
    assert len(h.emulator.incidents) == 1

    # Declaring again from the same message says so at once, before any form, with the link.
    await h.driver.message_shortcut(Shortcut.DECLARE_FROM_MESSAGE, text, message_ts="1.0001")
    await h.settle()
    second = h.driver.last_view()
    assert second["id"] != view["id"] and second["callback_id"] == Modal.RESULT
    shown = blocks_text(second)
    assert "already declared" in shown and "INC-1" in shown and "https://" in shown
    assert len(h.emulator.incidents) == 1


async def test_a_repeat_declare_whose_link_was_edited_away_is_caught_on_submit(
    h: Harness,
) -> None:
    # The person removed the message's link from the summary: the form opens again, and the
    # idempotency key still makes the submission find the first incident.
    text = "db-1 is at 100% CPU"
    for name in ("DB CPU", "DB CPU again"):
        await h.driver.message_shortcut(Shortcut.DECLARE_FROM_MESSAGE, text, message_ts="1.0002")
        await h.settle()
        view = h.driver.last_view()
        assert view["callback_id"] == Modal.DECLARE
        await h.driver.submit(view["id"], {"name": name, "severity": "Major", "summary": text})
        await h.settle()
    assert len(h.emulator.incidents) == 1
    assert "already declared" in blocks_text(h.fake.current_view(view["id"]))
