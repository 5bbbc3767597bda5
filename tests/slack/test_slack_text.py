"""Text as Slack really sends it (escaped, with control sequences, alerts in attachments, org-wide
installs with `"team": null`) reaches incident.io decoded and comes back escaped once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.forms import MAX_SUMMARY
from bot.ids import Field, Modal, Shortcut
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, seed_incident

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real" / "slack"


def real(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((CORPUS / f"{name}.json").read_text())["body"]
    return body


def created(h: Harness) -> dict[str, Any]:
    [create] = [r for r in h.emulator.requests if r.route == "POST /v2/incidents"]
    body: dict[str, Any] = create.body
    return body


def summary_input(view: dict[str, Any]) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == Field.SUMMARY)
    return str(block["element"].get("initial_value", ""))


async def test_typed_ampersands_and_brackets_reach_incident_io_as_typed_and_show_once(
    h: Harness,
) -> None:
    await h.driver.command("declare Fish & Chips <checkout> down")  # Slack sends &amp; &lt; &gt;
    await h.settle()
    view = h.driver.last_view()
    name = next(b for b in view["blocks"] if b["block_id"] == Field.NAME)
    assert name["element"]["initial_value"] == "Fish & Chips <checkout> down"
    await h.driver.submit(view["id"], {"severity": "Major"})
    await h.settle()
    assert created(h)["name"] == "Fish & Chips <checkout> down"
    shown = blocks_text(h.fake.current_view(view["id"]))
    assert "Fish &amp; Chips &lt;checkout&gt; down" in shown and "&amp;amp;" not in shown


async def test_an_update_message_is_decoded_before_incident_io(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.command(f"update {incident.reference} Rolled back A&B, errors < 1%")
    await h.settle()
    [update] = [u for u in h.emulator.updates if u.get("message")]
    assert update["message"].startswith("Rolled back A&B, errors < 1%")


async def test_links_and_mentions_in_a_message_become_markdown_and_names(h: Harness) -> None:
    incident = await seed_incident(h)
    message = {
        "type": "message",
        "user": "U0BOB",
        "text": "Cause: <https://status.example.com/a?b=1&amp;c=2|status page> &amp; "
        "<@U0CAROL> is on it in <#C0OPS|ops>",
    }
    await h.driver.message_shortcut(Shortcut.ADD_TO_INCIDENT, "", message=message)
    await h.settle()
    view = h.driver.last_view()
    [option] = await h.driver.options(view["id"], Field.INCIDENT, incident.reference)
    await h.driver.submit(view["id"], {"incident": option})
    await h.settle()
    [update] = [u for u in h.emulator.updates if u.get("message")]
    text = update["message"]
    assert "[status page](https://status.example.com/a?b=1&c=2)" in text
    assert "& @user-u0carol is on it in #ops" in text
    assert "&amp;" not in text and "<@" not in text and "<https" not in text
    assert "posted by @user-u0bob" in text


async def test_an_alert_with_empty_text_declares_with_its_attachment(h: Harness) -> None:
    body = real("message_action/bot_alert_attachments_empty_text")
    await h.driver.message_shortcut(
        Shortcut.DECLARE_FROM_MESSAGE, "", message=body["message"], channel_id="C0GENERAL"
    )
    await h.settle()
    view = h.driver.last_view()
    summary = summary_input(view)
    assert "Incident Triggered - #2126" in summary
    assert "An incident has been triggered." in summary
    assert "laura.haley@example.com" in summary


async def test_an_alert_with_empty_text_is_added_with_its_attachment(h: Harness) -> None:
    incident = await seed_incident(h)
    body = real("message_action/bot_alert_attachments_empty_text")
    await h.driver.message_shortcut(Shortcut.ADD_TO_INCIDENT, "", message=body["message"])
    await h.settle()
    view = h.driver.last_view()
    assert "Incident Triggered - #2126" in blocks_text(view)
    [option] = await h.driver.options(view["id"], Field.INCIDENT, incident.reference)
    await h.driver.submit(view["id"], {"incident": option})
    await h.settle()
    [update] = [u for u in h.emulator.updates if u.get("message")]
    assert "Incident Triggered - #2126" in update["message"]
    assert "(a message with no text)" not in update["message"]


async def test_an_org_wide_global_shortcut_with_team_null_opens_and_names_the_workspace(
    h: Harness,
) -> None:
    body = real("shortcut/org_wide_team_null")  # "team": null, is_enterprise_install: true
    h.fake.install("T111", "E111")  # the organisation installed the app: W111 is a member
    body.update(callback_id=Shortcut.DECLARE_GLOBAL.value, trigger_id=h.fake.new_trigger_id())
    response = await h.driver.post_payload(body)
    await h.settle()
    assert response.status == 200
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.DECLARE
    await h.driver.submit(view["id"], {"name": "Grid outage", "severity": "Major"})
    await h.settle()
    assert created(h)["slack_team_id"] == "T111"  # from user.team_id: Grid has several teams


async def test_an_org_wide_message_shortcut_with_team_null_opens(h: Harness) -> None:
    body = real("message_action/user_and_channel_mentions")
    h.fake.install("T111", "E111")
    body.update(
        team=None,
        enterprise={"id": "E111", "name": "Org"},
        is_enterprise_install=True,
        user={**body["user"], "team_id": "T111"},
        callback_id=Shortcut.DECLARE_FROM_MESSAGE.value,
        trigger_id=h.fake.new_trigger_id(),
        response_url=h.fake.response_url(),
    )
    response = await h.driver.post_payload(body)
    await h.settle()
    assert response.status == 200
    assert h.driver.last_view()["callback_id"] == Modal.DECLARE


async def test_a_workspace_outside_a_grid_is_not_named_on_create(h: Harness) -> None:
    await h.driver.command("declare Plain workspace")
    await h.settle()
    await h.driver.submit(h.driver.last_view()["id"], {"severity": "Major"})
    await h.settle()
    assert "slack_team_id" not in created(h)


async def test_the_source_link_survives_a_message_at_the_summary_limit(h: Harness) -> None:
    await h.driver.message_shortcut(Shortcut.DECLARE_FROM_MESSAGE, "x" * 3500)
    await h.settle()
    summary = summary_input(h.driver.last_view())
    assert len(summary) <= MAX_SUMMARY
    assert summary.rstrip().split("\n")[-1].startswith("From Slack: https://")
    # Cut without a marker the person did not type; the rest is shown beside the form.
    assert "…" not in summary
    assert "Your text is 3,500 characters" in blocks_text(h.driver.last_view())


async def test_show_names_who_shared_an_update_not_the_api_key(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.command(f"update {incident.reference} Rolled back")
    await h.settle()
    response = await h.driver.command(f"show {incident.reference}")
    await h.settle()
    shown = response.body
    assert "@alice" in shown and "Rolled back" in shown
    assert "Shared from Slack" not in shown  # the signature became the byline


async def test_adding_a_message_twice_to_an_incident_says_it_was_already_shared(
    h: Harness,
) -> None:
    incident = await seed_incident(h)
    for _ in range(2):
        await h.driver.message_shortcut(
            Shortcut.ADD_TO_INCIDENT, "Error rate back to normal", message_ts="1700000000.000042"
        )
        await h.settle()
        view = h.driver.last_view()
        [option] = await h.driver.options(view["id"], Field.INCIDENT, incident.reference)
        await h.driver.submit(view["id"], {"incident": option})
        await h.settle()
    assert len([u for u in h.emulator.updates if u.get("message")]) == 1
    shown = blocks_text(h.fake.current_view(view["id"]))
    assert "already shared" in shown and "Update shared" not in shown
