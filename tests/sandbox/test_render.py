"""The sandbox's terminal rendering, on real views and messages built by bot/ui."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.flows.escalate import Escalate
from bot.flows.update import Update
from bot.flows.verbs import incident_meta
from bot.ids import Field
from bot.incidentio.models import Catalog, Incident
from bot.modal_meta import ModalMeta
from bot.ui.common import mark_sandbox_view
from bot.ui.declare import declare_modal, declared_view
from bot.ui.escalate import escalate_modal
from bot.ui.help import help_blocks
from bot.ui.incident import card_blocks, list_blocks
from bot.ui.picker import pick_modal
from bot.ui.resolve import resolve_modal
from bot.ui.update import update_modal
from sandbox.emulator import create_emulator
from sandbox.render import (
    clean_mrkdwn,
    input_fields,
    render_errors,
    render_message,
    render_modal,
)

META = ModalMeta(team_id="T0SANDBOX", user_id="U0ALICE", channel_id="C0GENERAL")


@pytest.fixture(scope="module")
def org() -> tuple[Catalog, Incident]:
    emulator = create_emulator()
    catalog = emulator.store.catalog
    model = Catalog.model_validate(
        {
            "severities": catalog.severities,
            "statuses": catalog.statuses,
            "types": catalog.types,
            "roles": catalog.roles,
        }
    )
    incident = emulator.create_incident("Checkout <down> & out", severity="Major")
    return model, Incident.model_validate(incident)


def lines(text: str) -> list[str]:
    return [line.removeprefix("│ ").rstrip() for line in text.splitlines()]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<https://x.io/1|INC-1> down", "INC-1 (https://x.io/1) down"),
        ("see <https://x.io/a>", "see https://x.io/a"),
        ("<https://x.io|https://x.io>", "https://x.io"),
        ("in <#C123> and <#C9|inc-9>", "in #C123 and #inc-9"),
        ("ask <@U0ALICE>", "ask @U0ALICE"),
        ("<!here> and <!subteam^S1|@oncall>", "@here and @oncall"),
        ("a &lt;b&gt; &amp;lt; c", "a <b> &lt; c"),
        ("*bold* `code`", "*bold* `code`"),
    ],
)
def test_clean_mrkdwn(raw: str, shown: str) -> None:
    assert clean_mrkdwn(raw) == shown


def test_declare_modal_shows_inputs_values_numbered_options_and_buttons(
    org: tuple[Catalog, Incident],
) -> None:
    catalog, _ = org
    view = mark_sandbox_view(declare_modal(catalog, META, name="Checkout down")).to_dict()
    text = render_modal(view)
    shown = lines(text)
    assert shown[0] == "╭─ Modal: Declare incident"
    assert shown[-1] == "╰─ [ Declare ]  [ Cancel ]"
    assert (
        ":test_tube: *Sandbox*: incidents here are not real; nothing reaches incident.io." in shown
    )
    assert "Name [name] (text): Checkout down" in shown
    assert any(
        line.startswith("Summary [summary] (multi-line text, optional): (empty;") for line in shown
    )
    severity = shown.index('Severity [severity] (select): (empty; "Choose…")')
    assert shown[severity + 1].strip().startswith("1) Minor: ")
    assert shown[severity + 2].strip().startswith("2) Major: ")
    assert shown[severity + 3].strip().startswith("3) Critical: ")
    assert "Incident type [incident_type] (select): Default" in shown
    assert any(line.strip().startswith("* 1) Default") for line in shown)
    assert "Visibility [visibility] (radio): Public" in shown
    assert "Test [test_mode] (checkboxes, optional): (empty)" in shown


def test_entered_state_wins_over_initial_values_and_errors_show_inline(
    org: tuple[Catalog, Incident],
) -> None:
    catalog, _ = org
    view = declare_modal(catalog, META, name="Checkout down").to_dict()
    major = next(o for o in view["blocks"][2]["element"]["options"] if o["text"]["text"] == "Major")
    test_option = view["blocks"][-1]["element"]["options"][0]
    view["state"] = {
        "values": {
            "name": {"name": {"type": "plain_text_input", "value": "Renamed\nsecond line"}},
            "severity": {"severity": {"type": "static_select", "selected_option": major}},
            "test_mode": {"test_mode": {"type": "checkboxes", "selected_options": [test_option]}},
        }
    }
    fields = {f.block_id: f for f in input_fields(view)}
    assert fields["name"].value == "Renamed\nsecond line"
    assert fields["severity"].chosen == (major["value"],)
    assert fields["test_mode"].value == "This is a test incident"

    shown = lines(render_modal(view, errors={"summary": "Too long."}))
    name = shown.index("Name [name] (text): Renamed")
    assert shown[name + 1].strip() == "second line"
    assert "Severity [severity] (select): Major" in shown
    assert any(line.strip().startswith("* 2) Major") for line in shown)
    summary = next(i for i, line in enumerate(shown) if line.startswith("Summary"))
    assert shown[summary + 1].strip() == "! Too long."


def test_render_errors_names_inputs_by_label(org: tuple[Catalog, Incident]) -> None:
    catalog, _ = org
    view = declare_modal(catalog, META).to_dict()
    ack = {
        "response_action": "errors",
        "errors": {"name": "Give the incident a name.", "severity": "Choose a severity."},
    }
    assert render_errors(ack, view).splitlines() == [
        "! Name: Give the incident a name.",
        "! Severity: Choose a severity.",
    ]
    assert render_errors(ack).startswith("! name: ")


def test_change_modals(org: tuple[Catalog, Incident]) -> None:
    catalog, incident = org
    meta = incident_meta(META, incident)
    higher = Escalate().choices(catalog, meta)[Field.SEVERITY]
    escalate = lines(render_modal(escalate_modal(incident, higher, meta).to_dict()))
    # The incident's name is user text: escaped for Slack, readable here.
    assert "*INC-1 (https://app.incident.io/sandbox/incidents/1)* Checkout <down> & out" in escalate
    assert "Raise severity to [severity] (select): Critical" in escalate
    assert escalate[-1] == "╰─ [ Escalate ]  [ Close ]"

    ending = catalog.resolve_statuses(incident.incident_status)
    resolve = lines(render_modal(resolve_modal(incident, ending, meta).to_dict()))
    assert any(line.strip().startswith("hint: Post-incident statuses") for line in resolve)
    assert (
        'Closing message [message] (multi-line text): (empty; "What fixed it, what follows")'
        in resolve
    )

    offered = Update().choices(catalog, meta)
    update = lines(
        render_modal(
            update_modal(incident, offered[Field.STATUS], offered[Field.SEVERITY], meta).to_dict()
        )
    )
    assert any(line.startswith("New status [status] (select, optional): (empty") for line in update)
    # The current severity (Major) is not offered as a new one.
    assert not any(line.strip().endswith(") Major") or ") Major:" in line for line in update)

    pick = lines(render_modal(pick_modal(META, "Update incident").to_dict()))
    assert 'Incident [incident] (search): (empty; "Type a reference or part of the name")' in pick
    assert any("(options are searched as you type)" in line for line in pick)


def test_messages_render_blocks_not_the_fallback_text(org: tuple[Catalog, Incident]) -> None:
    _, incident = org
    now = datetime.now(UTC)
    message: dict[str, Any] = {
        "text": "fallback only",
        "blocks": [b.to_dict() for b in list_blocks([incident], now)],
    }
    shown = lines(render_message(message, title="Reply"))
    assert shown[0] == "╭─ Reply"
    assert "== 1 open incident ==" in shown
    assert "*INC-1 (https://app.incident.io/sandbox/incidents/1)* Checkout <down> & out" in shown
    assert "fallback only" not in shown

    card = lines(render_message({"blocks": [b.to_dict() for b in card_blocks(incident, [])]}))
    assert "#C0INC1" in card
    assert any(line.startswith("[ Open in incident.io ] https://") for line in card)

    plain = lines(render_message({"text": "Update shared on &lt;INC-1&gt; in <#C1>"}))
    assert plain[1] == "Update shared on <INC-1> in #C1"

    help_text = lines(render_message({"blocks": [b.to_dict() for b in help_blocks()]}))
    assert help_text[1] == "== /incident =="


def test_read_only_result_modal_has_no_inputs(org: tuple[Catalog, Incident]) -> None:
    _, incident = org
    view = declared_view(incident, already=False, reporter=True).to_dict()
    assert input_fields(view) == []
    shown = lines(render_modal(view))
    assert ":rotating_light: Incident declared." in shown
    assert "Channel: #C0INC1" in shown
    assert shown[-1] == "╰─ [ Close ]"
