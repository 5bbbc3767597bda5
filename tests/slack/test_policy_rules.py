"""The per-action rules (POLICY_<ACTION>): user groups and the incident's roles, checked at the
command, at the picker's "Next", and again at submission."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.ids import Field, Modal, Shortcut
from bot.incidentio.models import Incident
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, reconfigured, said, seed_incident, written

GROUP = "S0ONCALLRULES"


@pytest.fixture
def oncall(h: Harness) -> Iterator[str]:
    """A user group with alice in it (the fake Slack keeps its directory across tests)."""
    h.fake.directory.add_usergroup(GROUP, ["U0ALICE", "U0CAROL"])
    yield GROUP
    h.fake.directory.usergroups.pop(GROUP, None)


async def led_by_alice(h: Harness) -> Incident:
    lead = (await h.deps.catalog.get()).role_of_type("lead")
    assert lead is not None
    return await seed_incident(h, role_assignments=[(lead.id, "U0ALICE")])


async def test_a_usergroup_rule_lets_its_members_in_and_no_one_else(
    h: Harness, oncall: str
) -> None:
    incident = await seed_incident(h)
    ruled = reconfigured(h, policy_escalate=f"usergroup:{oncall}")
    bob = ruled.driver_for(user_id="U0BOB", user_name="bob")
    response = await bob.command(f"escalate {incident.reference}")
    await ruled.settle()
    text = said(ruled, response)
    assert f"POLICY_ESCALATE=usergroup:{oncall}" in text and oncall in text
    assert written(h) == []
    await ruled.driver.command(f"escalate {incident.reference}")
    await ruled.settle()
    view = ruled.driver.last_view()
    assert view["callback_id"] == Modal.ESCALATE
    await ruled.driver.submit(view["id"], {Field.REASON: "Spreading"})
    await ruled.settle()
    assert len(written(h)) == 1
    # Asked twice (command, submission), Slack once: the members are cached.
    assert len(h.fake.calls_to("usergroups.users.list")) == 1


async def test_a_group_slack_does_not_know_refuses_and_says_so(h: Harness) -> None:
    ruled = reconfigured(h, policy_declare="usergroup:S0NOSUCHGROUP")
    response = await ruled.driver.command("declare Checkout down")
    await ruled.settle()
    text = said(ruled, response)
    assert "S0NOSUCHGROUP" in text and "no_such_subteam" in text
    assert [c for c in h.fake.calls_to("views.open") if c.error is None] == []


async def test_an_incident_roles_rule_asks_the_incident(h: Harness) -> None:
    incident = await led_by_alice(h)
    ruled = reconfigured(h, policy_resolve="incident_roles", policy_contact="#incident-admins")
    bob = ruled.driver_for(user_id="U0BOB", user_name="bob")
    response = await bob.command(f"resolve {incident.reference}")
    await ruled.settle()
    text = said(ruled, response)
    assert "POLICY_RESOLVE=incident_roles" in text
    assert "Ask the incident's lead (Slack user U0ALICE), or #incident-admins." in text
    await ruled.driver.command(f"resolve {incident.reference}")
    await ruled.settle()
    assert ruled.driver.last_view()["callback_id"] == Modal.RESOLVE


async def test_a_rule_about_roles_waits_for_the_pick_and_refuses_inline(h: Harness) -> None:
    incident = await led_by_alice(h)
    ruled = reconfigured(h, policy_escalate="incident_lead")
    bob = ruled.driver_for(user_id="U0BOB", user_name="bob")
    await bob.command("escalate")  # not in an incident's channel: the picker opens
    await ruled.settle()
    view = bob.last_view()
    assert view["callback_id"] == Modal.PICK
    [option] = await bob.options(view["id"], Field.INCIDENT, incident.reference)
    response = await bob.submit(view["id"], {Field.INCIDENT: option})
    errors = response.json()["errors"]
    assert "POLICY_ESCALATE=incident_lead" in errors[Field.INCIDENT]
    assert bob.last_view()["callback_id"] == Modal.PICK and written(h) == []


async def test_the_rule_is_asked_again_when_the_form_is_submitted(h: Harness) -> None:
    incident = await led_by_alice(h)
    await h.driver.command(f"resolve {incident.reference}")
    await h.settle()
    view = h.driver.last_view()
    # Meanwhile the bot restarts with a stricter rule: alice leads, but is not the reporter.
    ruled = reconfigured(h, policy_resolve="incident_reporter")
    await ruled.driver.submit(view["id"], {Field.MESSAGE: "Fixed", Field.STATUS: "Closed"})
    await ruled.settle()
    shown = blocks_text(h.fake.current_view(view["id"]))
    assert "POLICY_RESOLVE=incident_reporter" in shown and written(h) == []


async def test_the_reporter_rule_lets_the_declarer_share_at_once(h: Harness) -> None:
    ruled = reconfigured(h, policy_update="incident_reporter")
    await ruled.driver.command("declare Queue backlog")
    await ruled.settle()
    await ruled.driver.submit(ruled.driver.last_view()["id"], {"severity": "Minor"})
    await ruled.settle()
    [declared] = ruled.emulator.incidents
    response = await ruled.driver.command(f"update {declared['reference']} Draining")
    await ruled.settle()
    assert "Update shared" in said(ruled, response)
    bob = ruled.driver_for(user_id="U0BOB", user_name="bob")
    refused = await bob.command(f"update {declared['reference']} Not mine")
    await ruled.settle()
    assert "POLICY_UPDATE=incident_reporter" in said(ruled, refused)
    assert len(written(h)) == 2  # the declare and alice's update


async def test_add_to_incident_is_an_update_under_its_rule(h: Harness) -> None:
    incident = await led_by_alice(h)
    ruled = reconfigured(h, policy_update="incident_lead")
    bob = ruled.driver_for(user_id="U0BOB", user_name="bob")
    await bob.message_shortcut(Shortcut.ADD_TO_INCIDENT, "Error rate is back")
    await ruled.settle()
    view = bob.last_view()
    [option] = await bob.options(view["id"], Field.INCIDENT, incident.reference)
    await bob.submit(view["id"], {Field.INCIDENT: option})
    await ruled.settle()
    assert "POLICY_UPDATE=incident_lead" in blocks_text(h.fake.current_view(view["id"]))
    assert written(h) == []
