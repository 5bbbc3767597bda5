"""Paging and who is on call, through the real bot process and the emulator."""

from __future__ import annotations

from bot.ids import Field, Modal
from tests.e2e.conftest import E2E
from tests.e2e.helpers import replies, text_of
from tests.e2e.test_flows import open_modal


async def test_page_a_path_and_people_escalate_and_page_and_who_is_on_call(e2e: E2E) -> None:
    d = e2e.driver
    form = await open_modal(e2e, "declare Checkout API returning 500s", Modal.DECLARE)
    await d.submit(form["id"], {"severity": "Minor"})
    await e2e.settle()
    [incident] = e2e.emulator.incidents

    page = await open_modal(e2e, "page INC-1 Checkout still failing", Modal.PAGE)
    await d.submit(page["id"], {Field.PAGE_PATH: "Payments"})
    people = await open_modal(e2e, "page INC-1", Modal.PAGE)
    await d.submit(people["id"], {Field.PAGE_PEOPLE: ["U0SBXADA01"]})
    escalate = await open_modal(e2e, "escalate INC-1 Spreading", Modal.ESCALATE)
    await d.submit(escalate["id"], {"severity": "Critical", Field.PAGE_PATH: "Platform urgent"})
    await e2e.settle()

    pages = e2e.emulator.escalations
    assert [p["title"] for p in pages] == ["INC-1: Checkout API returning 500s"] * 3
    assert all(p["related_incidents"][0]["id"] == incident["id"] for p in pages)
    assert e2e.emulator.incident("INC-1")["severity"]["name"] == "Critical"
    assert "Paged *Payments*" in text_of(e2e.shown(page["id"]))
    assert "Paged <@U0SBXADA01>" in text_of(e2e.shown(people["id"]))
    assert "Paged *Platform urgent*" in text_of(e2e.shown(escalate["id"]))

    answers = [await d.command("oncall payments"), await d.command("show INC-1")]
    await e2e.settle()
    said = "\n".join([*(text_of(a.json()) for a in answers), *replies(e2e.fake)])
    assert "*Payments* (escalation path): <@U0SBXALAN1>, Lin Contractor" in said
    assert "*Pages*" in said and "reached <@U0SBXADA01>" in said
