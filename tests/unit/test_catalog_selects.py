"""Catalog lists over Slack's 100 options become searchable selects, answered from the same list
the modal was built from; the submitted form reads and refills them like static ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot.flows.choices import matching
from bot.flows.escalate import Escalate
from bot.flows.resolve import Resolve
from bot.flows.update import Update
from bot.flows.verbs import ChangeVerb, incident_meta
from bot.forms import DeclareForm, parse_declare
from bot.ids import Block, Field
from bot.incidentio.models import Catalog, Incident, IncidentStatus, IncidentType, Severity
from bot.ui.common import severity_option, status_option, type_option
from bot.ui.declare import declare_choices, declare_modal
from bot.ui.refill import refill
from sandbox.slack_limits import check_view
from tests.unit.org import META, catalog, incident

REAL = Path(__file__).resolve().parents[1] / "data/real/slack"


def element(view: View, block_id: str) -> dict[str, Any]:
    block = next(b for b in view.to_dict()["blocks"] if b.get("block_id") == block_id)
    return dict(block["element"])


def test_150_severities_become_a_searchable_select_whose_search_answers_within_100() -> None:
    org = catalog(severity_count=150)
    view = declare_modal(org, META)
    assert check_view(view.to_dict()) == []
    select = element(view, Field.SEVERITY)
    assert select["type"] == "external_select"
    assert select["min_query_length"] == 0  # the list shows before anything is typed
    assert "options" not in select

    offered = declare_choices(org)[Field.SEVERITY]
    assert len(offered) == 150
    assert len(matching(offered, "")) == 100
    assert [o["value"] for o in matching(offered, "SEV 150")] == ["sev150"]
    assert len(matching(offered, "1")) <= 100
    assert matching(offered, "no such severity") == []


def test_100_severities_stay_a_static_select_with_all_of_them() -> None:
    select = element(declare_modal(catalog(severity_count=100), META), Field.SEVERITY)
    assert select["type"] == "static_select"
    assert [o["value"] for o in select["options"]][-1] == "sev100"


def test_a_default_type_past_the_100th_opens_without_error() -> None:
    view = declare_modal(catalog(type_count=150, default_type=120), META)
    assert check_view(view.to_dict()) == []
    select = element(view, Field.INCIDENT_TYPE)
    assert select["type"] == "external_select"
    assert select["initial_option"]["value"] == "type120"


def test_a_refilled_declare_form_keeps_a_choice_past_the_100th() -> None:
    form = DeclareForm(name="n", severity_id="sev150", incident_type_id="type130")
    view = declare_modal(catalog(150, 150), META, form=form, banner="Try again")
    assert check_view(view.to_dict()) == []
    assert element(view, Field.SEVERITY)["initial_option"]["value"] == "sev150"
    assert element(view, Field.INCIDENT_TYPE)["initial_option"]["value"] == "type130"


VERBS: list[tuple[ChangeVerb[Any], Field]] = [
    (Update(), Field.STATUS),
    (Update(), Field.SEVERITY),
    (Escalate(), Field.SEVERITY),
    (Resolve(), Field.STATUS),
]


async def built(spec: ChangeVerb[Any], org: Catalog, here: Incident) -> View:
    class Cached:
        async def get(self) -> Catalog:
            return org

    class NoPaths:
        async def paths(self) -> list[Any]:
            return []

    class Deps:
        catalog = Cached()
        oncall = NoPaths()  # escalate's "also page"

    return await spec.build(Deps(), here, incident_meta(META, here), "")  # type: ignore[arg-type]


@pytest.mark.parametrize(("spec", "field"), VERBS, ids=[f"{s.verb}-{f}" for s, f in VERBS])
async def test_each_verb_searches_what_it_would_list(spec: ChangeVerb[Any], field: Field) -> None:
    small = catalog(severity_count=5, status_count=3)
    here = incident(small)
    static = element(await built(spec, small, here), field)
    assert static["type"] == "static_select"
    offered = spec.choices(small, incident_meta(META, here))[field]
    assert [o.to_dict() for o in offered] == static["options"]

    big = catalog(severity_count=150, status_count=150)
    here = incident(big, severity=big.severities_by_rank()[10])
    view = await built(spec, big, here)
    assert check_view(view.to_dict()) == []
    searchable = element(view, field)
    assert searchable["type"] == "external_select"
    answered = matching(spec.choices(big, incident_meta(META, here))[field], "")
    assert 0 < len(answered) <= 100
    assert here.incident_status.id not in [o["value"] for o in answered]
    assert here.severity is not None and here.severity.id not in [o["value"] for o in answered]


# --- the submitted form reads and refills external selects --------------------------------------


def test_an_external_selects_choice_is_read_like_a_static_ones() -> None:
    payload = json.loads((REAL / "block_actions/thread_reply_with_state.json").read_text())
    state = payload["body"]["state"]["values"]["block_1"]["action_1"]
    assert state["type"] == "external_select"  # as Slack sends it
    values = {
        Field.NAME.value: {Field.NAME.value: {"type": "plain_text_input", "value": "Down"}},
        Field.SEVERITY.value: {Field.SEVERITY.value: state},
    }
    assert parse_declare(values, has_types=False).severity_id == "schedule"


def test_a_refilled_form_keeps_an_external_selects_choice() -> None:
    view = declare_modal(catalog(severity_count=150), META).to_dict()
    chosen: dict[str, Any] = Option(value="sev150", text="Sev 150").to_dict()
    state = {"type": "external_select", "selected_option": chosen}
    submitted = {**view, "state": {"values": {Field.SEVERITY.value: {Field.SEVERITY.value: state}}}}
    again = refill(submitted, "incident.io did not accept that")
    assert check_view(again.to_dict()) == []
    assert element(again, Field.SEVERITY)["initial_option"] == chosen
    assert again.to_dict()["blocks"][0]["block_id"] == Block.ERROR_BANNER


def test_catalog_descriptions_show_without_their_markdown_marks() -> None:
    # incident.io writes descriptions in Markdown; an option's description is plain_text, where
    # Slack would show `**` as typed. What is left is shown as written (plain_text links and
    # mentions nothing), so it is not escaped either.
    severity = Severity(id="s1", name="Minor", description="Issues with **low impact** & <!here>")
    status = IncidentStatus(id="t1", name="Fixing", category="live", description="__Fix__ `it`")
    kind = IncidentType(id="k1", name="Default", description="The **default** type")

    shown = [
        severity_option(severity).to_dict()["description"],
        status_option(status).to_dict()["description"],
        type_option(kind).to_dict()["description"],
    ]

    assert shown == [
        {"type": "plain_text", "text": "Issues with low impact & <!here>", "emoji": True},
        {"type": "plain_text", "text": "Fix it", "emoji": True},
        {"type": "plain_text", "text": "The default type", "emoji": True},
    ]
