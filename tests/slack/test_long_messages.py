"""A message shortcut never loses the message: one too long for a form or an update is never cut
silently (declaring from it keeps the rest in sight beside the form, adding it to an incident says
what the update holds), and its link, a nicety, never stops the form."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.ids import Field, Modal, Shortcut
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, element, seed_incident

TAIL = "and the last words of the alert"
LONG = "x" * 4990 + " " + TAIL


async def test_declare_from_a_long_message_keeps_the_rest_beside_the_form(h: Harness) -> None:
    await h.driver.message_shortcut(Shortcut.DECLARE_FROM_MESSAGE, LONG)
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.DECLARE
    summary = element(view, Field.SUMMARY)["initial_value"]
    assert "From Slack: https://" in summary  # the link survives: it finds the incident later
    assert "…" not in summary  # no marker the person did not type
    assert TAIL in blocks_text(view)
    assert "Your text is 5,022 characters" in blocks_text(view)
    await h.driver.submit(view["id"], {"name": "Alert storm", "severity": "Minor"})
    await h.settle()
    declared = blocks_text(h.fake.current_view(view["id"]))
    assert "INC-1" in declared and TAIL in declared  # the rest is still there to share


async def test_add_to_incident_says_a_long_message_is_cut_and_marks_the_cut(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.message_shortcut(
        Shortcut.ADD_TO_INCIDENT, LONG, channel_id=incident.slack_channel_id
    )
    await h.settle()
    view = h.driver.last_view()
    assert "5,022 characters" in blocks_text(view)
    assert "link" in blocks_text(view)
    await h.driver.submit(view["id"], {})
    await h.settle()
    [update] = [u for u in h.emulator.updates if u.get("message")]
    assert "…" in update["message"] and "From Slack: https://" in update["message"]


async def test_a_short_message_is_added_whole_with_no_notice(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.message_shortcut(
        Shortcut.ADD_TO_INCIDENT, "Error rate is back", channel_id=incident.slack_channel_id
    )
    await h.settle()
    assert "characters" not in blocks_text(h.driver.last_view())


async def test_a_permalink_slack_cannot_be_reached_for_does_not_stop_the_form(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(*_: object, **__: object) -> None:
        raise aiohttp.ClientConnectionError("connection reset")

    monkeypatch.setattr(AsyncWebClient, "chat_getPermalink", unreachable)
    await h.driver.message_shortcut(Shortcut.DECLARE_FROM_MESSAGE, "Checkout is down")
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.DECLARE
    assert element(view, Field.SUMMARY)["initial_value"] == "Checkout is down"
