"""One format for who did what: every change the bot writes names its author (a status or
severity change without a message too), and every view of the history names them again, with
the status and the severity each change left, kept apart."""

from __future__ import annotations

from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, command_reply, seed_incident


async def test_a_change_without_a_message_is_signed_and_shown_with_its_author(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.command(f"update {incident.reference}")
    await h.settle()
    view = h.driver.last_view()
    await h.driver.submit(view["id"], {"status": "Monitoring", "severity": "Critical"})
    await h.settle()
    [update] = h.emulator.updates
    assert update["message"] == "_Shared from Slack by @alice_"
    result = blocks_text(h.fake.current_view(view["id"]))
    assert "Status: Monitoring · Severity: Critical" in result

    shown = command_reply(await h.driver.command(f"show {incident.reference}"))
    await h.settle()
    line = next(part for part in shown.split("\n") if "Status: Monitoring" in part)
    assert "@alice" in line and "Status: Monitoring · Severity: Critical" in line
    assert "_no message_" not in shown and "Shared from Slack" not in shown
    assert "incident.io ·" not in line


async def test_the_direct_update_reply_keeps_status_and_severity_apart(h: Harness) -> None:
    incident = await seed_incident(h)
    response = await h.driver.command(f"update {incident.reference} Still digging")
    await h.settle()
    reply = command_reply(response)
    assert "Update shared on *INC-1*.\n>Still digging\nStatus: " in reply
