"""Custom fields in the declare and edit modals, against an emulated organisation that has
some (one required at declaration), each request checked against the schema."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ids import Field, Modal
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, open_view

EDIT = "POST /v2/incidents/{id}/actions/edit"


@pytest.fixture
def cf(h: Harness) -> Harness:
    h.emulator.custom_fields = True
    h.emulator.reset()
    h.deps.catalog.invalidate()
    return h


def fields(h: Harness) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in h.emulator.store.catalog.custom_fields}


def block_of(h: Harness, name: str) -> str:
    field = fields(h)[name]
    return f"custom_field.{field['field_type']}.{field['id']}"


def option_id(h: Harness, name: str, value: str) -> str:
    return next(o["id"] for o in fields(h)[name]["options"] if o["value"] == value)


def entries(incident: dict[str, Any]) -> dict[str, list[str]]:
    out = {}
    for entry in incident["custom_field_entries"]:
        shown = [
            v.get("value_option", {}).get("value")
            or v.get("value_text")
            or v.get("value_link")
            or v.get("value_numeric")
            for v in entry["values"]
        ]
        out[entry["custom_field"]["name"]] = shown
    return out


async def declared(h: Harness, **answers: Any) -> tuple[dict[str, Any], Any]:
    view = await open_view(h, "declare Checkout down")
    response = await h.driver.submit(view["id"], {"severity": "Major", **answers})
    await h.settle()
    return view, response


async def test_declare_asks_for_the_fields_incident_io_asks_for_at_declaration(cf: Harness) -> None:
    h = cf
    view = await open_view(h, "declare Checkout down")
    shown = {b["block_id"]: b for b in view["blocks"] if b["block_id"].startswith("custom_field.")}
    assert list(shown) == [block_of(h, "Affected service"), block_of(h, "Customer impact")]
    service = shown[block_of(h, "Affected service")]
    assert not service.get("optional") and service["element"]["type"] == "static_select"
    assert [o["text"]["text"] for o in service["element"]["options"]][:2] == [
        "Checkout",
        "Payments",
    ]
    assert shown[block_of(h, "Customer impact")]["optional"] is True


async def test_a_required_field_left_empty_is_an_inline_error_and_nothing_is_written(
    cf: Harness,
) -> None:
    h = cf
    _, response = await declared(h, name="")
    errors = response.json()["errors"]
    assert "requires this field" in errors[block_of(h, "Affected service")]
    assert Field.NAME in errors  # both problems at once
    assert h.writes() == []


async def test_declare_sends_the_fields_as_custom_field_entries(cf: Harness) -> None:
    h = cf
    service, impact = block_of(h, "Affected service"), block_of(h, "Customer impact")
    await declared(h, **{service: "Payments", impact: "Card <payments> & refunds fail"})
    [create] = h.writes()
    assert create.body["custom_field_entries"] == [
        {
            "custom_field_id": fields(h)["Affected service"]["id"],
            "values": [{"value_option_id": option_id(h, "Affected service", "Payments")}],
        },
        {
            "custom_field_id": fields(h)["Customer impact"]["id"],
            "values": [{"value_text": "Card <payments> & refunds fail"}],
        },
    ]
    [incident] = h.emulator.incidents
    assert entries(incident) == {
        "Affected service": ["Payments"],
        "Customer impact": ["Card <payments> & refunds fail"],
    }


async def test_edit_shows_every_field_prefilled_and_sends_only_the_changed_ones(
    cf: Harness,
) -> None:
    h = cf
    await declared(h, **{block_of(h, "Affected service"): "Search"})
    view = await open_view(h, "edit INC-1")
    assert view["callback_id"] == Modal.EDIT
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b.get("type") == "input"}
    assert all(block_of(h, name) in inputs for name in fields(h))
    assert inputs[block_of(h, "Affected service")]["initial_option"]["text"]["text"] == "Search"
    assert inputs[block_of(h, "Regions")]["type"] == "multi_static_select"

    number, link = block_of(h, "Affected customers"), block_of(h, "Status page")
    response = await h.driver.submit(view["id"], {number: "twelve", link: "status page"})
    errors = response.json()["errors"]
    assert "number" in errors[number] and "https://" in errors[link]
    assert [r for r in h.emulator.requests if r.route == EDIT] == []

    answers = {
        number: "12.5",
        link: "https://status.example.com/x",
        block_of(h, "Regions"): ["EU", "US"],
    }
    await h.driver.submit(view["id"], answers)
    await h.settle()
    [edit] = [r for r in h.emulator.requests if r.route == EDIT]
    sent = {
        e["custom_field_id"]: e["values"] for e in edit.body["incident"]["custom_field_entries"]
    }
    assert sent == {
        fields(h)["Affected customers"]["id"]: [{"value_numeric": "12.5"}],
        fields(h)["Status page"]["id"]: [{"value_link": "https://status.example.com/x"}],
        fields(h)["Regions"]["id"]: [
            {"value_option_id": option_id(h, "Regions", "EU")},
            {"value_option_id": option_id(h, "Regions", "US")},
        ],
    }
    assert set(edit.body["incident"]) == {"custom_field_entries"}
    assert entries(h.emulator.incidents[0])["Affected service"] == ["Search"]
    assert entries(h.emulator.incidents[0])["Regions"] == ["EU", "US"]
    shown = blocks_text(h.fake.current_view(view["id"]))
    assert "Affected customers" in shown and "Regions" in shown


async def test_a_cleared_field_is_sent_empty(cf: Harness) -> None:
    h = cf
    impact = block_of(h, "Customer impact")
    await declared(h, **{block_of(h, "Affected service"): "Login", impact: "Nobody can log in"})
    view = await open_view(h, "edit INC-1")
    await h.driver.submit(view["id"], {impact: ""})
    await h.settle()
    [edit] = [r for r in h.emulator.requests if r.route == EDIT]
    assert edit.body["incident"]["custom_field_entries"] == [
        {"custom_field_id": fields(h)["Customer impact"]["id"], "values": []}
    ]
    assert "Customer impact" not in entries(h.emulator.incidents[0])


async def test_incident_io_refusing_a_field_shows_under_that_input(cf: Harness) -> None:
    h = cf
    view = await open_view(h, "declare Checkout down")
    # The option is removed in incident.io while the form is open.
    service = fields(h)["Affected service"]
    payments = option_id(h, "Affected service", "Payments")
    impact = block_of(h, "Customer impact")
    answers = {"severity": "Major", block_of(h, "Affected service"): "Payments", impact: "x"}
    service["options"] = [o for o in service["options"] if o["id"] != payments]
    response = await h.driver.submit(view["id"], answers)
    await h.settle()
    errors = response.json()["errors"]
    assert list(errors) == [block_of(h, "Affected service")]
    assert f"no option {payments}" in errors[block_of(h, "Affected service")]
    assert h.emulator.incidents == []


async def test_a_field_with_more_than_100_options_is_searched(cf: Harness) -> None:
    h = cf
    service = fields(h)["Affected service"]
    service["options"] = [
        {
            "id": f"01OPT{i:04d}",
            "custom_field_id": service["id"],
            "value": f"Service {i}",
            "sort_key": i,
        }
        for i in range(150)
    ]
    h.deps.catalog.invalidate()
    view = await open_view(h, "declare Checkout down")
    block = block_of(h, "Affected service")
    element = next(b for b in view["blocks"] if b["block_id"] == block)["element"]
    assert element["type"] == "external_select"
    found = await h.driver.options(view["id"], block, "service 14")
    assert [o["text"]["text"] for o in found][:2] == ["Service 14", "Service 140"]
    await h.driver.submit(view["id"], {"severity": "Major", block: found[0]})
    await h.settle()
    [incident] = h.emulator.incidents
    assert entries(incident)["Affected service"] == ["Service 14"]
