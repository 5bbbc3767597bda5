"""Catalogs past Slack's 100 options, end to end: searchable selects answered by the options
listener, through the fake Slack, which refuses an initial option a select does not offer."""

from __future__ import annotations

from typing import Any

from bot.ids import Field
from tests.slack.conftest import Harness
from tests.slack.helpers import element, open_declare, seed_incident


def seed_catalog(h: Harness, kind: str, count: int, **extra: Any) -> list[dict[str, Any]]:
    """Replace the emulated organisation's severities, types or statuses with `count` of them,
    ranked 1..count (the most severe last, as incident.io ranks them)."""
    catalog = h.emulator.store.catalog
    stamp = catalog.severities[0]["created_at"]
    made = [
        {
            "id": h.emulator.store.new_id(),
            "name": f"{kind.title()} {n}",
            "description": f"{kind} number {n}",
            "created_at": stamp,
            "updated_at": stamp,
            **extra,
        }
        for n in range(1, count + 1)
    ]
    if kind == "severity":
        for n, item in enumerate(made, start=1):
            item["rank"] = n
        catalog.severities = made
    elif kind == "type":
        for item in made:
            item.update({"is_default": False, "private_incidents_only": False})
            item["create_in_triage"] = "optional"
        catalog.types = made
    h.deps.catalog.invalidate()
    return made


async def test_declare_with_150_severities_submits_the_most_severe_found_by_search(
    h: Harness,
) -> None:
    severities = seed_catalog(h, "severity", 150)
    view = await open_declare(h)

    select = element(view, Field.SEVERITY)
    assert select["type"] == "external_select"
    assert "options" not in select
    listed = await h.driver.options(view["id"], Field.SEVERITY.value)
    assert len(listed) == 100  # Slack shows at most 100; typing narrows them
    found = await h.driver.options(view["id"], Field.SEVERITY.value, "severity 150")
    assert [o["value"] for o in found] == [severities[-1]["id"]]

    await h.driver.submit(view["id"], {"severity": found[0]})
    await h.settle()
    [incident] = h.emulator.incidents
    assert incident["severity"]["name"] == "Severity 150"


async def test_a_default_type_past_the_100th_opens_the_declare_form_with_it_chosen(
    h: Harness,
) -> None:
    types = seed_catalog(h, "type", 150)
    types[119]["is_default"] = True
    view = await open_declare(h)  # the fake Slack would refuse an initial option not offered

    chosen = element(view, Field.INCIDENT_TYPE)
    assert chosen["type"] == "external_select"
    assert chosen["initial_option"]["value"] == types[119]["id"]
    assert await h.driver.options(view["id"], Field.INCIDENT_TYPE.value, "type 120") == [
        chosen["initial_option"]
    ]
    await h.driver.submit(view["id"], {"severity": "Major"})
    await h.settle()
    [incident] = h.emulator.incidents
    assert incident["incident_type"]["id"] == types[119]["id"]


async def test_escalate_with_150_severities_searches_only_the_higher_ones(h: Harness) -> None:
    seed_catalog(h, "severity", 150)
    incident = await seed_incident(h, severity="Severity 10")
    await h.driver.command(f"escalate {incident.reference}")
    await h.settle()
    view = h.driver.last_view()

    select = element(view, Field.SEVERITY)
    assert select["type"] == "external_select"
    assert select["initial_option"]["text"]["text"] == "Severity 11"
    offered = await h.driver.options(view["id"], Field.SEVERITY.value)
    assert [o["text"]["text"] for o in offered] == [f"Severity {n}" for n in range(11, 111)]
    found = [o["text"]["text"] for o in await h.driver.options(view["id"], "severity", "ty 1")]
    assert "Severity 1" not in found and "Severity 10" not in found  # not higher
    assert found[:2] == ["Severity 11", "Severity 12"] and "Severity 150" in found

    [top] = await h.driver.options(view["id"], Field.SEVERITY.value, "Severity 150")
    await h.driver.submit(view["id"], {"severity": top, "reason": "Everyone is down"})
    await h.settle()
    assert h.emulator.incident(incident.id)["severity"]["name"] == "Severity 150"


async def test_the_options_listener_answers_in_time_when_the_catalog_is_cold(h: Harness) -> None:
    seed_catalog(h, "severity", 150)
    view = await open_declare(h)
    # A restart between opening the form and typing: the cache is empty, incident.io is slow.
    h.deps.catalog.invalidate()
    h.deps.ack_budget = 0.2  # the real budget is 1.8 s; the mechanics are the same
    h.emulator.faults.latency(0.6, "GET /v1/severities", count=1)

    assert await h.driver.options(view["id"], Field.SEVERITY.value, "severity 150") == []
    # The load went on after the empty answer (joined here); the next keystroke is answered.
    await h.deps.catalog.get()
    found = await h.driver.options(view["id"], Field.SEVERITY.value, "severity 150")
    assert [o["text"]["text"] for o in found] == ["Severity 150"]
