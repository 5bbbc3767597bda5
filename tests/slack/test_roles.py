"""Roles: `/incident roles [ref]` (a person picker per role) and `/incident lead [ref] @person`,
with mentions sent as Slack sends them when the command has `should_escape: true`."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ids import Modal
from bot.incidentio.models import Incident
from bot.ui.roles import role_input
from tests.slack.conftest import Harness
from tests.slack.helpers import (
    blocks_text,
    open_view,
    reconfigured,
    said,
    seed_incident,
    written,
)

ADA = "U0SBXADA01"  # Ada Lovelace, in the emulator's organisation
BEA = "U0BEA"


@pytest.fixture
def bea(h: Harness) -> str:
    """Bea: a member of the Slack workspace (as `@bea`) whom incident.io knows."""
    h.fake.directory.add_user(BEA, name="bea", profile={"display_name": "bea"})
    h.emulator.add_user("Bea Newhire", BEA)
    return BEA


async def roles(h: Harness) -> dict[str, str]:
    catalog = await h.deps.catalog.get()
    return {r.role_type: r.id for r in catalog.roles}


async def led_by_ada(h: Harness) -> Incident:
    ids = await roles(h)
    return await seed_incident(
        h, role_assignments=[(ids["lead"], ADA), (ids["reporter"], "U0ALICE")]
    )


def held(h: Harness, incident: Incident) -> dict[str, str | None]:
    """Role type -> the name of who holds it, as incident.io lists the incident now."""
    return {
        a["role"]["role_type"]: a.get("assignee", {}).get("name")
        for a in h.emulator.incident(incident.id)["incident_role_assignments"]
    }


def role_edits(h: Harness) -> list[dict[str, Any]]:
    return [
        r.body for r in written(h) if str(r.path).endswith("/actions/edit") and r.body is not None
    ]


async def test_the_modal_lists_roles_lead_first_with_their_holders(h: Harness) -> None:
    incident = await led_by_ada(h)
    ids = await roles(h)
    view = await open_view(h, f"roles {incident.reference}")
    assert view["callback_id"] == Modal.ROLES
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["label"]["text"] for b in inputs] == ["Incident Lead", "Communications Lead"]
    assert [b["element"]["type"] for b in inputs] == ["users_select", "users_select"]
    assert inputs[0]["block_id"] == role_input(ids["lead"], ADA)
    assert inputs[0]["element"]["initial_user"] == ADA
    assert inputs[0].get("optional") is not True  # the lead is handed on, never left empty
    assert "initial_user" not in inputs[1]["element"]
    text = blocks_text(view)
    assert "Reporter: <@U0ALICE>" in text and "does not let it change" in text


async def test_the_modal_assigns_only_what_changed(h: Harness, bea: str) -> None:
    incident = await led_by_ada(h)
    ids = await roles(h)
    view = await open_view(h, f"roles {incident.reference}")
    await h.driver.submit(view["id"], {role_input(ids["custom"], None): bea})
    await h.settle()
    [edit] = role_edits(h)
    assert edit == {
        "incident": {
            "incident_role_assignments": [
                {"incident_role_id": ids["custom"], "assignee": {"slack_user_id": bea}}
            ]
        },
        "notify_incident_channel": True,
    }
    holders = held(h, incident)
    assert holders["custom"] == "Bea Newhire" and holders["lead"] == "Ada Lovelace"
    result = blocks_text(h.fake.current_view(view["id"]))
    assert "Communications Lead: <@U0BEA> (Bea Newhire)" in result


async def test_the_modal_hands_the_lead_on_and_clears_a_role(h: Harness, bea: str) -> None:
    ids = await roles(h)
    incident = await seed_incident(
        h, role_assignments=[(ids["lead"], ADA), (ids["custom"], "U0SBXALAN1")]
    )
    view = await open_view(h, f"roles {incident.reference}")
    lead, comms = role_input(ids["lead"], ADA), role_input(ids["custom"], "U0SBXALAN1")
    await h.driver.submit(view["id"], {lead: bea, comms: ""})
    await h.settle()
    holders = held(h, incident)
    assert holders["lead"] == "Bea Newhire" and holders["custom"] is None
    result = blocks_text(h.fake.current_view(view["id"]))
    assert "Incident Lead: <@U0BEA> (Bea Newhire)" in result
    assert "Communications Lead: nobody" in result


async def test_nothing_changed_is_said_in_the_form_and_nothing_is_written(h: Harness) -> None:
    incident = await led_by_ada(h)
    ids = await roles(h)
    view = await open_view(h, f"roles {incident.reference}")
    response = await h.driver.submit(view["id"], {})
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert "Nothing changed" in answer["errors"][role_input(ids["lead"], ADA)]
    cleared = await h.driver.submit(view["id"], {role_input(ids["lead"], ADA): ""})
    assert "cannot be left empty" in str(cleared.json()["errors"])
    assert role_edits(h) == []


async def test_lead_with_a_picked_mention_assigns_at_once(h: Harness, bea: str) -> None:
    incident = await led_by_ada(h)
    response = await h.driver.command(f"lead {incident.reference} @bea")
    await h.settle()
    text = said(h, response)
    assert "Incident Lead: <@U0BEA> (Bea Newhire)" in text
    [edit] = role_edits(h)
    assignment = edit["incident"]["incident_role_assignments"]
    assert [a["assignee"] for a in assignment] == [{"slack_user_id": bea}]
    again = await h.driver.command(f"lead {incident.reference} @bea")
    await h.settle()
    assert "already leads *INC-1*: nothing changed" in said(h, again)
    assert len(role_edits(h)) == 1
    assert h.driver.open_views() == []


async def test_lead_in_the_incident_channel_needs_no_reference(h: Harness, bea: str) -> None:
    incident = await led_by_ada(h)
    await h.driver.command("lead @bea", channel_id=incident.slack_channel_id)
    await h.settle()
    assert held(h, incident)["lead"] == "Bea Newhire"


async def test_lead_without_a_person_opens_the_roles_modal(h: Harness) -> None:
    incident = await led_by_ada(h)
    await h.driver.command(f"lead {incident.reference}")
    await h.settle()
    assert h.driver.last_view()["callback_id"] == Modal.ROLES


async def test_a_typed_name_slack_did_not_turn_into_a_mention_is_refused(
    h: Harness, bea: str
) -> None:
    incident = await led_by_ada(h)
    response = await h.driver.command(f"lead {incident.reference} @bea", picked=False)
    await h.settle()
    text = said(h, response)
    assert "“@bea” is plain text to Slack, not a person" in text
    assert "pick them from Slack's list" in text and "/incident lead [ref] @person" in text
    two = await h.driver.command(f"lead {incident.reference} @bea <@{ADA}>")
    await h.settle()
    assert "Name one person" in said(h, two)
    assert role_edits(h) == []


async def test_someone_incident_io_does_not_know_is_named_escaped(h: Harness) -> None:
    incident = await led_by_ada(h)
    h.fake.directory.add_user(
        "U0STRANGER", name="zed", profile={"display_name": "<!channel> & *Zed*"}
    )
    response = await h.driver.command(f"lead {incident.reference} @zed")
    await h.settle()
    text = said(h, response)
    assert "incident.io does not know *&lt;!channel&gt; &amp; *Zed**" in text
    assert "<!channel>" not in text
    assert role_edits(h) == []


async def test_hostile_names_in_the_answer_are_escaped(h: Harness) -> None:
    incident = await led_by_ada(h)
    h.fake.directory.add_user("U0HOSTILE", name="mallory")
    h.emulator.add_user("<!here> <https://evil.example|Mallory>", "U0HOSTILE")
    response = await h.driver.command(f"lead {incident.reference} @mallory")
    await h.settle()
    text = said(h, response)
    assert "(&lt;!here&gt; &lt;https://evil.example|Mallory&gt;)" in text
    assert "<!here>" not in text and "<https://evil" not in text


async def test_policy_roles_refuses_lead_and_the_modal(h: Harness, bea: str) -> None:
    incident = await led_by_ada(h)
    ruled = reconfigured(h, policy_roles="incident_lead")
    bob = ruled.driver_for(user_id="U0BOB", user_name="bob")
    response = await bob.command(f"lead {incident.reference} @bea")
    await ruled.settle()
    assert "POLICY_ROLES=incident_lead" in said(ruled, response)
    modal = await bob.command(f"roles {incident.reference}")
    await ruled.settle()
    assert "POLICY_ROLES=incident_lead" in said(ruled, modal)
    assert role_edits(h) == []
    ada = ruled.driver_for(user_id=ADA, user_name="ada")
    await ada.command(f"lead {incident.reference} @bea")
    await ruled.settle()
    assert len(role_edits(h)) == 1
