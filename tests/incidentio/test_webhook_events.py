"""Webhook events read from incident.io's own examples (the schema's `x-webhooks`), and the
emulator's deliveries held to the same schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from bot.incidentio.webhook_events import (
    ESCALATION_EVENTS,
    INCIDENT_EVENTS,
    MalformedEvent,
    read_event,
)
from sandbox.emulator import create_emulator
from tests.incidentio.test_real_bodies import SPEC

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _example(event: str) -> dict[str, Any]:
    response = SPEC["x-webhooks"][f"/x-webhooks/{event}"]["get"]["responses"]["200"]
    example: dict[str, Any] = response["content"]["application/json"]["example"]
    return example


def _schema(event: str) -> dict[str, Any]:
    response = SPEC["x-webhooks"][f"/x-webhooks/{event}"]["get"]["responses"]["200"]
    ref = response["content"]["application/json"]["schema"]["$ref"]
    return {"$ref": ref, "components": SPEC["components"]}


@pytest.mark.parametrize(
    "event", sorted(INCIDENT_EVENTS & {k.rsplit("/", 1)[-1] for k in SPEC["x-webhooks"]})
)
def test_every_incident_event_example_names_its_incident(event: str) -> None:
    body = _example(event)
    read = read_event(body)
    assert read is not None and read.type == event
    payload = body[event]
    if event.startswith("private_"):
        assert read.incident is None and read.incident_ids == (payload["id"],)
    else:
        incident = payload.get("incident", payload)
        assert read.incident is not None and read.incident.id == incident["id"]
        assert read.incident_ids == (incident["id"],)
        assert read.incident.updated_at.tzinfo is not None
    assert read.created is event.endswith("incident_created_v2")
    assert not read.escalation


def test_every_incident_event_the_bot_acts_on_is_in_the_schema() -> None:
    known = {k.rsplit("/", 1)[-1] for k in SPEC["x-webhooks"]}
    # x-webhooks has no private status event: private changes come as incident_updated_v2.
    assert INCIDENT_EVENTS - known == {"private_incident.incident_status_updated_v2"}
    assert ESCALATION_EVENTS <= known


def test_a_public_escalation_names_its_incidents() -> None:
    body = _example("public_escalation.escalation_created_v1")
    read = read_event(body)
    assert read is not None and read.escalation
    related = body["public_escalation.escalation_created_v1"]["related_incidents"]
    assert read.incident_ids == tuple(r["id"] for r in related) != ()


def test_a_private_escalation_names_none() -> None:
    read = read_event(_example("private_escalation.escalation_status_updated_v1"))
    assert read is not None and read.escalation and read.incident_ids == ()


@pytest.mark.parametrize(
    "event",
    ["public_incident.follow_up_created_v2", "private_incident.membership_granted_v1"],
)
def test_events_the_bot_does_not_act_on_are_none(event: str) -> None:
    assert read_event(_example(event)) is None


@pytest.mark.parametrize(
    "body",
    [
        {"event_type": "public_incident.incident_updated_v2"},
        {
            "event_type": "public_incident.incident_updated_v2",
            "public_incident.incident_updated_v2": {"id": "x"},
        },
        {
            "event_type": "private_incident.incident_updated_v2",
            "private_incident.incident_updated_v2": {"id": ""},
        },
        {
            "event_type": "public_escalation.escalation_created_v1",
            "public_escalation.escalation_created_v1": [],
        },
    ],
)
def test_an_unreadable_payload_says_which_event(body: dict[str, Any]) -> None:
    with pytest.raises(MalformedEvent, match=body["event_type"].replace(".", r"\.")):
        read_event(body)


@pytest.mark.parametrize("body", [None, [], "x", {"event_type": 3}, {}])
def test_a_body_that_is_no_event_is_none(body: Any) -> None:
    assert read_event(body) is None


async def test_the_emulators_deliveries_match_the_schema() -> None:
    emulator = create_emulator()
    emulator.webhooks.configure(None, SECRET)
    created = emulator.create_incident("Checkout down")
    emulator.webhooks.incident_changed(None, created)
    moved = emulator.incident(created["id"]) | {
        "incident_status": emulator.store.status(emulator.status_id("Monitoring"))
    }
    emulator.webhooks.incident_changed(created, moved)
    private = emulator.create_incident("Payroll", visibility="private")
    emulator.webhooks.incident_changed(None, private)
    sent = emulator.webhooks.deliveries
    assert [d.event_type for d in sent] == [
        "public_incident.incident_created_v2",
        "public_incident.incident_updated_v2",
        "public_incident.incident_status_updated_v2",
        "private_incident.incident_created_v2",
    ]
    for delivery in sent:
        body = json.loads(delivery.body)
        jsonschema.validate(body, _schema(delivery.event_type))
        read = read_event(body)
        assert read is not None and read.incident_ids == (delivery.incident_id,)
