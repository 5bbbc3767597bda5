"""Who may use the bot (issue 13): members of the installing workspace or Grid organisation;
not, by default, people from other organisations (Slack Connect), guests or bots, who also see
nothing of private incidents. Real-shaped payloads, from commands, shortcuts and submissions."""

from __future__ import annotations

import logging

import pytest

from bot.ids import Field, Modal, Shortcut
from sandbox.driver import SlackDriver
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, reconfigured, said, seed_incident, written
from tests.slack.test_private_incidents import declare_private

OTHER_TEAM = "T0OTHERCO"


def person(
    h: Harness,
    user_id: str,
    *,
    enterprise_id: str | None = None,
    org_install: bool = False,
    **record: object,
) -> SlackDriver:
    """Someone Slack knows as `record` says (users.info), typing in the harness's channel;
    their payloads carry their own team (and organisation) as Slack sends them."""
    h.fake.directory.add_user(user_id, **record)
    team = record.get("team_id")
    return h.driver_for(
        user_id=user_id,
        user_name=user_id.lower(),
        team_id=team if isinstance(team, str) else None,
        enterprise_id=enterprise_id,
        org_install=org_install,
    )


def external(h: Harness) -> SlackDriver:
    # A Slack Connect channel: Slack sends the person's own team, and users.info agrees.
    return person(h, "U0EXTERN01", team_id=OTHER_TEAM)


def guest(h: Harness) -> SlackDriver:
    return person(h, "U0GUEST001", is_restricted=True)


def refused_by(h: Harness, text: str, setting: str) -> None:
    assert setting in text, text
    assert written(h) == []
    assert [c for c in h.fake.calls_to("views.open") if c.error is None] == []


async def test_a_slack_connect_slash_command_from_another_team_is_refused(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    incident = await seed_incident(h)
    them = external(h)
    ref = incident.reference
    with caplog.at_level(logging.INFO, logger="bot.audit"):
        for text in ("declare Outage", f"update {ref} Fixed", f"escalate {ref}", f"resolve {ref}"):
            h.fake.calls.clear()
            response = await them.command(text)
            await h.settle()
            refused_by(h, said(h, response), "POLICY_ALLOW_EXTERNAL")
    lines = [r for r in caplog.records if r.name == "bot.audit"]
    assert [r.action for r in lines] == ["declare", "update", "escalate", "resolve"]  # type: ignore[attr-defined]
    assert {(r.slack_user, r.slack_team, r.result) for r in lines} == {  # type: ignore[attr-defined]
        ("U0EXTERN01", OTHER_TEAM, "refused")
    }
    assert {r.rule for r in lines} == {"POLICY_ALLOW_EXTERNAL=false"}  # type: ignore[attr-defined]


async def test_other_organisations_and_guests_see_nothing_of_a_private_incident(
    h: Harness,
) -> None:
    incident = await declare_private(h)
    for them in (external(h), guest(h)):
        # Not even in its own channel, where members see it.
        here = await them.command("show", channel_id=incident["slack_channel_id"])
        named = await them.command(f"show {incident['reference']}")
        await h.settle()
        assert "Payroll leak" not in here.body + named.body
        assert "can't find" in named.body


async def test_guests_may_not_use_the_shortcuts(h: Harness) -> None:
    await seed_incident(h)
    them = guest(h)
    for shortcut in (Shortcut.DECLARE_FROM_MESSAGE, Shortcut.ADD_TO_INCIDENT):
        await them.message_shortcut(shortcut, "Checkout is down")
        await h.settle()
        refused_by(h, "\n".join(blocks_text(c.args) for c in h.fake.messages()), "GUESTS")
    # The global shortcut has no channel to answer in: the refusal is a modal of its own.
    await them.global_shortcut(Shortcut.DECLARE_GLOBAL)
    await h.settle()
    view = them.last_view()
    assert view["callback_id"] == Modal.RESULT
    assert "POLICY_ALLOW_GUESTS" in blocks_text(view) and written(h) == []


async def test_a_form_opened_by_a_member_and_submitted_by_a_guest_is_refused(h: Harness) -> None:
    incident = await seed_incident(h)
    await h.driver.command(f"update {incident.reference}")
    await h.settle()
    view = h.driver.last_view()
    await guest(h).submit(view["id"], {Field.MESSAGE: "Rolled back"})
    await h.settle()
    shown = blocks_text(h.fake.current_view(view["id"]))
    assert "POLICY_ALLOW_GUESTS" in shown and written(h) == []
    # Nothing typed is lost: the form is shown again with the refusal on top.
    assert h.fake.current_view(view["id"])["callback_id"] == Modal.UPDATE


async def test_bots_may_not_act(h: Harness) -> None:
    incident = await seed_incident(h)
    bot = person(h, "U0ALERTBOT", is_bot=True)
    for text in ("declare From an alert", f"update {incident.reference} Auto-resolved"):
        h.fake.calls.clear()
        response = await bot.command(text)
        await h.settle()
        refused_by(h, said(h, response), "POLICY_ALLOW_BOTS")


async def test_each_default_can_be_changed(h: Harness) -> None:
    incident = await seed_incident(h)
    opened = reconfigured(
        h, policy_allow_guests=True, policy_allow_external=True, policy_allow_bots=True
    )
    for who in ("U0EXTERN01", "U0GUEST001", "U0ALERTBOT"):
        record = {
            "U0EXTERN01": {"team_id": OTHER_TEAM},
            "U0GUEST001": {"is_restricted": True},
            "U0ALERTBOT": {"is_bot": True},
        }[who]
        them = person(opened, who, **record)
        response = await them.command(f"update {incident.reference} Seen from {who}")
        await opened.settle()
        assert "Update shared" in said(opened, response)
    assert len(written(h)) == 3


async def test_an_org_wide_grid_install_admits_every_workspace_of_the_organisation(
    h: Harness,
) -> None:
    h.fake.install("T0GRIDHQ", "E0GRID")  # the organisation installed the app
    member = person(
        h, "W0GRIDEU01", team_id="T0GRIDEU", enterprise_user={"enterprise_id": "E0GRID"}
    )
    member.org_install = True  # payloads say "team": null; the workspace is in user.team_id
    await member.global_shortcut(Shortcut.DECLARE_GLOBAL)
    await h.settle()
    view = member.last_view()
    assert view["callback_id"] == Modal.DECLARE
    await member.submit(view["id"], {"name": "EU payments down", "severity": "Major"})
    await h.settle()
    [create] = written(h)
    assert create.body["slack_team_id"] == "T0GRIDEU"
    # Someone from another organisation, in a channel shared with it, is not a member.
    stranger = person(
        h,
        "W0ELSEWH01",
        enterprise_id="E0ELSE",
        team_id="T0ELSE",
        enterprise_user={"enterprise_id": "E0ELSE"},
    )
    response = await stranger.command("declare Not ours")
    await h.settle()
    assert "POLICY_ALLOW_EXTERNAL" in said(h, response) and len(written(h)) == 1


async def test_help_shows_a_person_only_what_they_may_do(h: Harness) -> None:
    member = blocks_text((await h.driver.command("help")).json())
    assert all(f"/incident {verb}" in member for verb in ("declare", "update", "resolve"))
    assert "not open to you" not in member
    visitor = blocks_text((await guest(h).command("help")).json())
    assert "/incident list" in visitor and "/incident show" in visitor
    assert not any(
        f"/incident {v}" in visitor for v in ("declare", "update", "escalate", "resolve")
    )
    assert "Declare incident" not in visitor and "not open to you" in visitor
    ruled = reconfigured(h, policy_resolve="incident_lead", policy_escalate="usergroup:S0NOBODY")
    h.fake.directory.add_usergroup("S0NOBODY", [])
    shown = blocks_text((await ruled.driver.command("help")).json())
    assert "close the incident" in shown.lower() and "(only the incident's lead)" in shown
    assert "/incident escalate" not in shown


async def test_every_write_leaves_an_audit_line(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    incident = await seed_incident(h)
    with caplog.at_level(logging.INFO, logger="bot.audit"):
        await h.driver.command(f"update {incident.reference} Rolled back")
        await h.settle()
    [line] = [r for r in caplog.records if r.name == "bot.audit"]
    [write] = written(h)
    assert (line.slack_user, line.slack_team, line.action, line.incident, line.result) == (  # type: ignore[attr-defined]
        "U0ALICE",
        h.fake.team_id,
        "update",
        incident.reference,
        "ok",
    )
    assert line.request_id == write.request_id  # type: ignore[attr-defined]
