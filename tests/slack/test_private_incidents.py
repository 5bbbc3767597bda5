"""A private incident shows to the people incident.io lists on it (the reporter who declared it,
any role holder) and, in its own channel, to everyone there; to anyone else it does not exist."""

from __future__ import annotations

from typing import Any

from bot.ids import Field, Modal
from tests.slack.conftest import Harness
from tests.slack.helpers import seed_incident


async def declare_private(h: Harness, name: str = "Payroll leak") -> dict[str, Any]:
    await h.driver.command(f"declare {name}")
    await h.settle()
    view = h.driver.last_view()
    await h.driver.submit(view["id"], {"severity": "Major", "visibility": "Private"})
    await h.settle()
    [incident] = [i for i in h.emulator.incidents if i["name"] == name]
    assert incident["visibility"] == "private"
    return incident


async def test_the_declarer_sees_the_private_incident_they_declared(h: Harness) -> None:
    incident = await declare_private(h)
    response = await h.driver.command(f"show {incident['reference']}")
    await h.settle()
    assert "Payroll leak" in response.body
    assert "can't find" not in response.body


async def test_someone_else_gets_the_answer_an_unknown_incident_gets(h: Harness) -> None:
    incident = await declare_private(h)
    bob = h.driver_for(user_id="U0BOB", user_name="bob")
    response = await bob.command(f"show {incident['reference']}")
    await h.settle()
    unknown = await bob.command("show INC-999")
    await h.settle()
    assert "Payroll leak" not in response.body
    said = response.body.replace(incident["reference"], "INC-999")
    assert said == unknown.body  # not a word more: its existence is not revealed


async def test_everyone_in_its_own_channel_sees_it(h: Harness) -> None:
    incident = await declare_private(h)
    bob = h.driver_for(user_id="U0BOB", user_name="bob")
    response = await bob.command("show", channel_id=incident["slack_channel_id"])
    await h.settle()
    assert "Payroll leak" in response.body


async def test_the_picker_offers_a_private_incident_to_its_people_only(h: Harness) -> None:
    await seed_incident(h, name="Checkout down")
    await declare_private(h)
    bob = h.driver_for(user_id="U0BOB", user_name="bob")
    offered: dict[str, list[str]] = {}
    for who, driver in (("alice", h.driver), ("bob", bob)):
        await driver.command("escalate")
        await h.settle()
        view = driver.last_view()
        assert view["callback_id"] == Modal.PICK
        options = await driver.options(view["id"], Field.INCIDENT, "")
        offered[who] = [o["text"]["text"] for o in options]
    assert any("Payroll leak" in o for o in offered["alice"])
    assert not any("Payroll leak" in o for o in offered["bob"])
    assert any("Checkout down" in o for o in offered["bob"])


async def test_the_list_shows_a_private_incident_to_its_people_only(h: Harness) -> None:
    await seed_incident(h, name="Checkout down")
    await declare_private(h)
    bob = h.driver_for(user_id="U0BOB", user_name="bob")
    alice_sees = (await h.driver.command("list")).body
    bob_sees = (await bob.command("list")).body
    await h.settle()
    assert "Checkout down" in alice_sees and "Payroll leak" in alice_sees
    assert "Checkout down" in bob_sees and "Payroll leak" not in bob_sees
