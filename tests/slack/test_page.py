"""Paging: `/incident page`, escalate's "also page", the errors people hit, and `show`."""

from __future__ import annotations

from typing import Any

from bot.ids import Field, Modal
from sandbox.emulator.escalations import ROLE
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, open_view, said, seed_incident

ADA, ALAN = "U0SBXADA01", "U0SBXALAN1"


def pages(h: Harness) -> list[dict[str, Any]]:
    return h.emulator.escalations


def path_id(h: Harness, name: str) -> str:
    return next(p["id"] for p in h.emulator.store.oncall.paths if p["name"] == name)


def user_id(h: Harness, slack_id: str) -> str:
    return next(
        u["id"] for u in h.emulator.store.catalog.users if u.get("slack_user_id") == slack_id
    )


def shown(h: Harness, view: dict[str, Any]) -> str:
    return blocks_text(h.fake.current_view(view["id"]))


async def test_page_a_path_for_the_incident(h: Harness) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference} Checkout still failing")
    assert view["callback_id"] == Modal.PAGE
    select = next(b for b in view["blocks"] if b["block_id"] == Field.PAGE_PATH)["element"]
    described = {o["text"]["text"]: o["description"]["text"] for o in select["options"]}
    assert described["Payments"] == "On call: Alan Turing, Lin Contractor"
    assert described["Database"] == "Nobody on call now"
    await h.driver.submit(view["id"], {Field.PAGE_PATH: "Platform urgent"})
    await h.settle()
    [page] = pages(h)
    assert page["escalation_path_id"] == path_id(h, "Platform urgent")
    assert page["title"] == f"{incident.reference}: Checkout down"
    assert page["description"] == "Checkout still failing"
    assert [i["id"] for i in page["related_incidents"]] == [incident.id]
    [sent] = [r for r in h.writes() if r.path == "/v2/escalations"]
    assert sent.body["idempotency_key"].startswith("slack:")
    text = shown(h, view)
    assert "Paged *Platform urgent*" in text and "triggered" in text
    assert "<@U0SBXADA01>" in text or "<@U0SBXGRACE>" in text


async def test_page_people_by_their_slack_accounts(h: Harness) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference}")
    await h.driver.submit(view["id"], {Field.PAGE_PEOPLE: [ADA, ALAN]})
    await h.driver.submit(view["id"], {Field.PAGE_PEOPLE: [ADA, ALAN]})  # a double click
    await h.settle()
    [page] = pages(h)
    assert "escalation_path_id" not in page
    [notified] = [e for e in page["events"] if e["event"] == "notified_users"]
    assert [u["slack_user_id"] for u in notified["users"]] == [ADA, ALAN]
    assert "Paged <@U0SBXADA01>, <@U0SBXALAN1>" in shown(h, view)


async def test_a_path_and_people_or_neither_is_answered_inline(h: Harness) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference}")
    neither = await h.driver.submit(view["id"], {})
    assert neither.json() == {
        "response_action": "errors",
        "errors": {Field.PAGE_PATH: "Choose an escalation path, or people to page below."},
    }
    both = await h.driver.submit(
        view["id"], {Field.PAGE_PATH: "Payments", Field.PAGE_PEOPLE: [ADA]}
    )
    assert both.json()["errors"] == {
        Field.PAGE_PEOPLE: "Page a path or people, not both: clear one of them."
    }
    assert pages(h) == []


async def test_a_person_without_an_incidentio_user_is_named(h: Harness) -> None:
    h.fake.directory.add_user("U0BOB", profile={"display_name": "Bob Builder"})
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference}")
    await h.driver.submit(view["id"], {Field.PAGE_PEOPLE: [ADA, "U0BOB"]})
    await h.settle()
    text = shown(h, view)
    assert "Bob Builder has no incident.io user" in text and "Nobody was paged" in text
    assert pages(h) == []
    assert h.fake.current_view(view["id"])["callback_id"] == Modal.PAGE  # the form, kept


async def test_a_path_with_nobody_on_call_is_not_paged(h: Harness) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference}")
    await h.driver.submit(view["id"], {Field.PAGE_PATH: "Database"})
    await h.settle()
    assert "Nobody is on call for *Database* right now" in shown(h, view)
    assert pages(h) == []


async def test_a_key_without_the_escalations_permission_says_which(h: Harness) -> None:
    h.emulator.store.catalog.identity["roles"].remove(ROLE)
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference}")
    await h.driver.submit(view["id"], {Field.PAGE_PATH: "Payments"})
    await h.settle()
    text = shown(h, view)
    assert "needs the *Create escalations* (`escalations.create`" in text
    assert "Nobody was paged" in text and "request_id" in text
    assert pages(h) == []


async def test_a_team_scoped_key_paging_another_team_s_path(h: Harness) -> None:
    identity = h.emulator.store.catalog.identity
    identity["roles"].remove(ROLE)
    identity["team_roles"] = [ROLE]
    identity["teams"] = [t for t in h.emulator.store.oncall.teams if t["name"] == "Payments"]
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference}")
    await h.driver.submit(view["id"], {Field.PAGE_PATH: "Platform urgent"})
    await h.settle()
    text = shown(h, view)
    assert "belongs to *Payments* and may page only its teams' escalation paths" in text
    assert "*Platform urgent* belongs to another team" in text
    assert pages(h) == []
    # Its own team's path goes through.
    await h.driver.submit(view["id"], {Field.PAGE_PATH: "Payments"})
    await h.settle()
    assert [p["escalation_path_id"] for p in pages(h)] == [path_id(h, "Payments")]


async def test_escalate_and_page_in_one_step(h: Harness) -> None:
    incident = await seed_incident(h, severity="Minor")
    view = await open_view(h, f"escalate {incident.reference} Spreading to the US")
    assert view["callback_id"] == Modal.ESCALATE
    await h.driver.submit(view["id"], {"severity": "Major", Field.PAGE_PATH: "Payments"})
    await h.settle()
    assert h.emulator.incident(incident.id)["severity"]["name"] == "Major"
    [page] = pages(h)
    assert page["escalation_path_id"] == path_id(h, "Payments")
    assert page["description"] == "Spreading to the US"
    assert [i["id"] for i in page["related_incidents"]] == [incident.id]
    text = shown(h, view)
    assert "Update shared" in text and "Paged *Payments*" in text and "Lin Contractor" in text


async def test_escalate_without_a_page_pages_nobody(h: Harness) -> None:
    incident = await seed_incident(h, severity="Minor")
    view = await open_view(h, f"escalate {incident.reference} Worse")
    await h.driver.submit(view["id"], {"severity": "Major"})
    await h.settle()
    assert h.emulator.incident(incident.id)["severity"]["name"] == "Major"
    assert pages(h) == []


async def test_escalate_at_the_highest_severity_offers_a_page(h: Harness) -> None:
    incident = await seed_incident(h, severity="Critical")
    view = await open_view(h, f"escalate {incident.reference}")
    assert view["callback_id"] == Modal.PAGE
    assert "already at Critical, the highest severity. Page someone instead?" in blocks_text(view)
    await h.driver.submit(view["id"], {Field.PAGE_PEOPLE: [ALAN]})
    await h.settle()
    [page] = pages(h)
    assert page["events"][-1]["users"][0]["id"] == user_id(h, ALAN)


async def test_show_lists_the_incident_s_pages(h: Harness) -> None:
    incident = await seed_incident(h)
    view = await open_view(h, f"page {incident.reference}")
    await h.driver.submit(view["id"], {Field.PAGE_PATH: "Payments"})
    await h.settle()
    response = await h.driver.command(f"show {incident.reference}")
    await h.settle()
    text = said(h, response)
    assert "*Pages*" in text and "*triggered*" in text and "path *Payments*" in text
    assert "reached <@U0SBXALAN1>, Lin Contractor" in text


async def test_show_without_pages_says_so(h: Harness) -> None:
    incident = await seed_incident(h)
    response = await h.driver.command(f"show {incident.reference}")
    await h.settle()
    assert "No pages sent for this incident." in said(h, response)
