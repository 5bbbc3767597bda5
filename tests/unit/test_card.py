"""The incident card's builder: its facts escaped and cut to Slack's limits, its marks, and the
buttons that still apply in each state."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from bot.ids import CardAction, card_action
from bot.incidentio.models import IncidentUpdate
from bot.ui.card import CardButton, card_text, incident_card, thread_note
from sandbox.slack_limits import check_message
from tests.unit.org import NOW, catalog, incident

VERBS = (
    CardButton("resolve", post_incident=True),
    CardButton("page", post_incident=False),  # a verb the card does not know by name
    CardButton("update", post_incident=True),
    CardButton("escalate", post_incident=False),
)


def dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def action_ids(blocks: list[Block]) -> list[str]:
    return [e["action_id"] for b in dicts(blocks) if b["type"] == "actions" for e in b["elements"]]


def test_an_open_incidents_card_has_every_verb_in_order_then_details() -> None:
    org = catalog()
    blocks = incident_card(incident(org), None, VERBS, now=NOW)
    assert action_ids(blocks) == [
        CardAction.UPDATE,
        CardAction.ESCALATE,
        CardAction.RESOLVE,
        card_action("page"),
        CardAction.DETAILS,
    ]
    assert check_message({"text": card_text(incident(org)), "blocks": dicts(blocks)}) == []
    text = str(dicts(blocks))
    assert "Checkout &lt;down&gt;" in text and "<down>" not in text


def test_post_incident_keeps_the_verbs_that_act_there_and_closed_keeps_details() -> None:
    org = catalog()
    learning = next(s for s in org.statuses if s.category == "learning")
    closed = next(s for s in org.statuses if s.category == "closed")
    resolved = incident(org).model_copy(update={"incident_status": learning})
    over = incident(org).model_copy(update={"incident_status": closed})
    assert action_ids(incident_card(resolved, None, VERBS, now=NOW)) == [
        CardAction.UPDATE,
        CardAction.RESOLVE,
        CardAction.DETAILS,
    ]
    blocks = incident_card(over, None, VERBS, now=NOW)
    assert action_ids(blocks) == [CardAction.DETAILS]
    assert "this incident is over" in str(dicts(blocks))


def test_test_and_private_incidents_are_marked() -> None:
    drill = incident(catalog()).model_copy(update={"mode": "test", "visibility": "private"})
    text = str(dicts(incident_card(drill, None, VERBS, now=NOW)))
    assert "Test incident" in text and "Private" in text
    assert "(test)" in card_text(drill)


def test_long_texts_are_cut_to_slacks_limits() -> None:
    org = catalog()
    long = incident(org).model_copy(update={"name": "n" * 5000})
    update = IncidentUpdate(
        id="u1",
        incident_id="inc1",
        message="<!channel> " + "m" * 50_000,
        new_incident_status=long.incident_status,
        created_at=NOW,
    )
    blocks = incident_card(long, update, VERBS, now=NOW)
    assert check_message({"text": card_text(long), "blocks": dicts(blocks)}) == []
    note = thread_note(update)
    assert check_message({"text": note}) == [] and len(note) <= 3000
