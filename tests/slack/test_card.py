"""The incident card: posted where the incident was declared (and in the announce channel), kept up
to date in place after every change with the change threaded under it, its buttons opening the
verbs' modals under the same policy as the commands."""

from __future__ import annotations

from typing import Any

from bot.ids import CardAction, Field, Modal, Shortcut
from bot.store_api import CardPlace, MemoryStore, StoreError
from bot.ui.roles import role_input
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, reconfigured

ANNOUNCE = "C0ANNOUNCE"


async def declare(h: Harness, name: str = "Checkout down", **answers: Any) -> dict[str, Any]:
    await h.driver.command(f"declare {name}")
    await h.settle()
    view = h.driver.last_view()
    await h.driver.submit(view["id"], {"severity": "Minor", **answers})
    await h.settle()
    return h.fake.current_view(view["id"])


def cards(h: Harness) -> list[tuple[str, str]]:
    """(channel, ts) of every card the bot posted, in order."""
    return h.fake.posted()


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        e["action_id"]
        for b in message.get("blocks", [])
        if b.get("type") == "actions"
        for e in b["elements"]
    ]


async def open_from(
    h: Harness, place: tuple[str, str], action: CardAction, modal: Modal
) -> dict[str, Any]:
    """Click a card's button; the modal it opened."""
    await h.driver.click(*place, action)
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == modal
    return view


def card_of(h: Harness, place: tuple[str, str]) -> dict[str, Any]:
    return h.fake.message(*place)


async def test_declare_posts_one_card_where_it_was_declared(h: Harness) -> None:
    result = await declare(h)
    [place] = cards(h)
    assert place[0] == "C0GENERAL"
    card = card_of(h, place)
    text = blocks_text(card)
    assert "INC-1" in text and "Checkout down" in text and "Minor" in text
    assert "<@U0ALICE>" in text  # the reporter
    [incident] = h.emulator.incidents
    assert f"<#{incident['slack_channel_id']}>" in text
    assert buttons(card) == [
        CardAction.UPDATE,
        CardAction.ESCALATE,
        CardAction.RESOLVE,
        CardAction.ROLES,
        CardAction.EDIT,
        CardAction.PAGE,
        CardAction.DETAILS,
    ]
    assert all(
        e["value"] == incident["id"]
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )
    # The confirmation links to the card.
    assert "See its card" in blocks_text(result) and "/archives/C0GENERAL/p" in blocks_text(result)
    assert await h.deps.store.cards_of(incident["id"]) == [CardPlace(incident["id"], *place)]


async def test_the_announce_channel_gets_a_card_too(h: Harness) -> None:
    announced = reconfigured(h, incident_announce_channel=ANNOUNCE)
    await declare(announced)
    assert [c for c, _ in cards(h)] == ["C0GENERAL", ANNOUNCE]
    [incident] = h.emulator.incidents
    assert len(await announced.deps.store.cards_of(incident["id"])) == 2


async def test_a_test_incident_is_marked(h: Harness) -> None:
    await declare(h, "Drill", test_mode=["This is a test incident"])
    [place] = cards(h)
    assert "Test incident" in blocks_text(card_of(h, place))


async def test_a_private_incident_gets_no_public_card(h: Harness) -> None:
    announced = reconfigured(h, incident_announce_channel=ANNOUNCE)
    result = await declare(announced, "Payroll leak", visibility="Private")
    assert cards(h) == []
    [shown] = [c for c in h.fake.calls_to("chat.postEphemeral") if "Payroll" in str(c.args)]
    assert shown.args["user"] == "U0ALICE" and shown.args["channel"] == "C0GENERAL"
    assert "shown to you alone" in blocks_text(result)
    [incident] = h.emulator.incidents
    assert await announced.deps.store.cards_of(incident["id"]) == []


async def _updated_everywhere(h: Harness, places: list[tuple[str, str]], *words: str) -> None:
    for place in places:
        card = blocks_text(card_of(h, place))
        for word in words:
            assert word in card, (word, card)
        [reply] = h.fake.thread(*place)[-1:]
        assert words[0] in reply["text"] or any(w in reply["text"] for w in words)
    edits = [c for c in h.fake.calls_to("chat.update") if c.error is None]
    assert {(c.args["channel"], c.args["ts"]) for c in edits} >= set(places)


async def test_update_from_the_command_updates_every_card_and_threads_it(h: Harness) -> None:
    announced = reconfigured(h, incident_announce_channel=ANNOUNCE)
    await declare(announced)
    places = cards(h)
    await announced.driver.command("update INC-1 Rolled back the deploy")
    await h.settle()
    await _updated_everywhere(h, places, "Rolled back the deploy")
    assert len(h.fake.calls_to("chat.postMessage")) == 4  # two cards, one reply under each


async def test_escalate_and_resolve_from_buttons(h: Harness) -> None:
    await declare(h)
    [place] = cards(h)
    view = await open_from(h, place, CardAction.ESCALATE, Modal.ESCALATE)
    await h.driver.submit(view["id"], {"reason": "Spreading", "severity": "Critical"})
    await h.settle()
    await _updated_everywhere(h, [place], "Spreading", "Critical")

    view = await open_from(h, place, CardAction.RESOLVE, Modal.RESOLVE)
    await h.driver.submit(view["id"], {"status": "Closed", "message": "Fixed for good"})
    await h.settle()
    card = card_of(h, place)
    assert "Closed" in blocks_text(card) and "over" in blocks_text(card)
    # Over: only Details is left.
    assert buttons(card) == [CardAction.DETAILS]
    assert "Fixed for good" in h.fake.thread(*place)[-1]["text"]


async def test_update_modal_from_the_button_and_commands_for_escalate(h: Harness) -> None:
    await declare(h)
    [place] = cards(h)
    view = await open_from(h, place, CardAction.UPDATE, Modal.UPDATE)
    await h.driver.submit(view["id"], {"message": "Fix deployed", "status": "Monitoring"})
    await h.settle()
    await _updated_everywhere(h, [place], "Fix deployed", "Monitoring")
    await h.driver.command("escalate INC-1")
    await h.settle()
    view = h.driver.last_view()
    await h.driver.submit(view["id"], {"reason": "Worse", "severity": "Major"})
    await h.settle()
    await _updated_everywhere(h, [place], "Worse", "Major")


async def test_a_button_acts_on_the_incident_as_it_is_now(h: Harness) -> None:
    await declare(h)
    [place] = cards(h)
    # Escalated to the top elsewhere (in incident.io): the card still shows Minor.
    [incident] = h.emulator.incidents
    catalog = await h.deps.catalog.get()
    top = next(s for s in catalog.severities if s.name == "Critical")
    await h.deps.incidents.create_incident_update(
        incident_id=incident["id"], idempotency_key="seed-elsewhere", to_severity_id=top.id
    )
    response = await h.driver.click(*place, CardAction.ESCALATE)
    await h.settle()
    assert response.status == 200
    # At the top severity escalate offers paging instead: the card's Minor is not acted on.
    assert not [v for v in h.driver.open_views() if v["callback_id"] == Modal.ESCALATE]
    offered = h.driver.last_view()
    assert offered["callback_id"] == Modal.PAGE and "Critical" in blocks_text(offered)


async def test_a_click_by_someone_the_policy_refuses_is_refused(h: Harness) -> None:
    ruled = reconfigured(h, policy_resolve="incident_lead")
    await declare(ruled)
    [place] = cards(h)
    bob = ruled.driver_for(user_id="U0BOB", user_name="bob")
    await bob.click(*place, CardAction.RESOLVE)
    await h.settle()
    assert not [v for v in h.driver.open_views() if v["callback_id"] == Modal.RESOLVE]
    refusal = [c for c in h.fake.calls_to("response_url") if "POLICY_RESOLVE" in str(c.args)]
    assert refusal and refusal[0].args.get("response_type", "ephemeral") == "ephemeral"


async def test_details_shows_the_show_card_ephemerally(h: Harness) -> None:
    await declare(h)
    [place] = cards(h)
    await h.driver.click(*place, CardAction.DETAILS)
    await h.settle()
    [reply] = [c for c in h.fake.calls_to("response_url") if "Checkout down" in str(c.args)]
    assert reply.args["response_type"] == "ephemeral"
    assert "Severity · status · type" in blocks_text(reply.args)


class FlakyStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def cards_of(self, incident_id: str) -> list[CardPlace]:
        if self.down:
            raise StoreError("database is locked")
        return await super().cards_of(incident_id)


async def test_a_store_failure_is_told_and_the_next_change_fixes_the_card(h: Harness) -> None:
    store = FlakyStore()
    h.deps.store = store
    await declare(h)
    [place] = cards(h)
    store.down = True
    await h.driver.command("update INC-1 First news")
    await h.settle()
    assert h.emulator.updates  # the change happened
    assert "First news" not in blocks_text(card_of(h, place))
    told = "\n".join(blocks_text(c.args) for c in h.fake.messages())
    assert "could not be updated" in told
    store.down = False
    await h.driver.command("escalate INC-1")
    await h.settle()
    view = h.driver.last_view()
    await h.driver.submit(view["id"], {"reason": "Second news", "severity": "Major"})
    await h.settle()
    assert "Major" in blocks_text(card_of(h, place))
    assert "Second news" in blocks_text(card_of(h, place))


async def test_slack_refusing_the_edit_is_told(h: Harness) -> None:
    await declare(h)
    [place] = cards(h)
    h.fake.fail_next("chat.update", "cant_update_message")
    await h.driver.command("update INC-1 Still digging")
    await h.settle()
    told = "\n".join(blocks_text(c.args) for c in h.fake.messages())
    assert "could not be updated" in told
    await h.driver.command("update INC-1 Found it")
    await h.settle()
    assert "Found it" in blocks_text(card_of(h, place))


async def test_add_to_incident_updates_the_card_and_threads_the_message(h: Harness) -> None:
    await declare(h)
    [place] = cards(h)
    await h.driver.message_shortcut(Shortcut.ADD_TO_INCIDENT, "Error rate is back")
    await h.settle()
    view = h.driver.last_view()
    [option] = await h.driver.options(view["id"], Field.INCIDENT, "INC-1")
    await h.driver.submit(view["id"], {Field.INCIDENT: option})
    await h.settle()
    assert "Error rate is back" in blocks_text(card_of(h, place))
    assert "Error rate is back" in h.fake.thread(*place)[-1]["text"]


async def test_a_deleted_card_is_told_and_the_other_cards_still_follow(h: Harness) -> None:
    announced = reconfigured(h, incident_announce_channel=ANNOUNCE)
    await declare(announced)
    here, there = cards(h)
    h.fake.delete_message(*here)
    await announced.driver.command("update INC-1 Still digging")
    await h.settle()
    assert "Still digging" in blocks_text(card_of(h, there))
    told = "\n".join(blocks_text(c.args) for c in h.fake.messages())
    assert "could not be updated" in told


async def test_lead_from_the_command_shows_on_the_card_and_in_its_thread(h: Harness) -> None:
    h.fake.directory.add_user("U0BEA", name="bea", profile={"display_name": "bea"})
    h.emulator.add_user(name="Bea Newhire", slack_user_id="U0BEA")
    await declare(h)
    [place] = cards(h)
    await h.driver.command("lead INC-1 @bea")
    await h.settle()
    assert "<@U0BEA>" in blocks_text(card_of(h, place))
    assert "<@U0BEA>" in str(h.fake.thread(*place))


async def test_edit_and_roles_from_their_buttons_update_the_card(h: Harness) -> None:
    h.fake.directory.add_user("U0BEA", name="bea", profile={"display_name": "bea"})
    h.emulator.add_user(name="Bea Newhire", slack_user_id="U0BEA")
    await declare(h)
    [place] = cards(h)
    view = await open_from(h, place, CardAction.EDIT, Modal.EDIT)
    await h.driver.submit(view["id"], {Field.NAME: "Checkout down in the EU"})
    await h.settle()
    assert "Checkout down in the EU" in blocks_text(card_of(h, place))
    assert "edited Name" in h.fake.thread(*place)[-1]["text"]  # what changed, not only who

    lead = next(r.id for r in (await h.deps.catalog.get()).roles if r.role_type == "lead")
    view = await open_from(h, place, CardAction.ROLES, Modal.ROLES)
    await h.driver.submit(view["id"], {role_input(lead, None): "U0BEA"})
    await h.settle()
    assert "<@U0BEA>" in blocks_text(card_of(h, place))
    assert len(h.fake.thread(*place)) == 2  # one reply per change
    assert h.fake.posted() == [place]  # updated in place, never posted again


async def test_a_page_from_the_card_is_listed_on_it(h: Harness) -> None:
    await declare(h)
    [place] = cards(h)
    assert "*Pages*" not in blocks_text(card_of(h, place))  # none yet: no empty section
    view = await open_from(h, place, CardAction.PAGE, Modal.PAGE)
    await h.driver.submit(view["id"], {Field.PAGE_PATH: "Platform urgent"})
    await h.settle()
    card = card_of(h, place)
    assert "*Pages*" in blocks_text(card) and "Platform urgent" in blocks_text(card)
    assert card["blocks"][-1]["type"] == "actions"  # the buttons stay last
    assert "Paged *Platform urgent*" in h.fake.thread(*place)[-1]["text"]
