"""Every incident.io example renders within Slack's limits, as it is and made hostile.

The bodies are the ones tests/incidentio/test_real_bodies.py parses (imported from there, not
copied): the official schema's response and component examples, the incidents of its
`x-webhooks` examples, and the bodies derived from them in tests/data/real/incidentio/. Each
incident goes through the bot's Block Kit builders: the card (`ui.incident.card_blocks`, with
the official incident updates), the open-incidents list (`ui.incident.list_blocks`), the
incident line (`ui.common.incident_line`), the change modals (update, escalate, resolve, built
with the choices their verbs offer, as tests/unit/test_slack_limits.py builds them) and the
picker (`ui.picker.pick_modal`). What they make must pass the checks the fake Slack runs
(sandbox/slack_limits.py: `check_message`, `check_view`).

The hostile variant: the same bodies with every name a person or an organisation chooses (the
incident's name and summary, role and assignee names, severity, status and type names, update
messages and updaters) replaced by 10 000 characters of `<!channel>`, `&`, `*`, forged mentions
and newlines. They must render within the limits too, and no mention may be live
(`forged_mentions` of tests/hostile/helpers.py on everything rendered).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.failures import UserError
from bot.flows.escalate import Escalate
from bot.flows.resolve import Resolve
from bot.flows.update import Update
from bot.flows.verbs import ChangeVerb, admit, incident_meta
from bot.ids import Field
from bot.incidentio.models import (
    Catalog,
    Incident,
    IncidentRole,
    IncidentStatus,
    IncidentType,
    IncidentUpdate,
    Severity,
)
from bot.slacktext import escape
from bot.ui.blocks import section
from bot.ui.common import incident_line, incident_option, update_result_text
from bot.ui.declare import declared_view
from bot.ui.escalate import escalate_modal
from bot.ui.incident import MAX_LISTED, card_blocks, list_blocks
from bot.ui.picker import pick_modal
from bot.ui.resolve import resolve_modal
from bot.ui.update import update_modal
from sandbox.slack_limits import MESSAGE_MAX_BLOCKS, OPTION_TEXT_MAX, check_message, check_view
from tests.hostile.helpers import forged_mentions
from tests.incidentio.test_real_bodies import (
    DATA_DIR,
    OFFICIAL_CASES,
    READS,
    WEBHOOK_CASES,
    WEBHOOK_PAYLOADS,
    StatusChange,
    _items,
)
from tests.unit.org import META, severities, statuses

# --- the bodies -----------------------------------------------------------------------------------


def _official(model: type[BaseModel]) -> list[tuple[str, dict[str, Any]]]:
    return [(p.id, p.values[1]) for p in OFFICIAL_CASES if p.values[0] is model]


def _webhook_incidents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for param in WEBHOOK_CASES:
        _event, schema, _type, payload = param.values
        model = WEBHOOK_PAYLOADS[schema]
        if model is Incident:
            found.append((f"x-webhooks {param.id}", payload))
        elif model is StatusChange:
            found.append((f"x-webhooks {param.id}: incident", payload["incident"]))
    return found


def _derived(model: type[BaseModel]) -> list[tuple[str, dict[str, Any]]]:
    """The items of `model` in tests/data/real/incidentio/, read as test_real_bodies reads them."""
    found = []
    for path in sorted(DATA_DIR.glob("*.json")):
        body = json.loads(path.read_text())
        method, route, _code, _ = body["_derived_from"]["example"].split(" ", 3)
        key, parsed_as = next((k, m) for verb, p, k, m in READS if (verb, p) == (method, route))
        if parsed_as is model:
            found += [(f"{path.name}: {key}{i}", item) for i, item in _items(body[key])]
    return found


INCIDENTS = _official(Incident) + _webhook_incidents() + _derived(Incident)
UPDATES = _official(IncidentUpdate) + _derived(IncidentUpdate)
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# --- the hostile variant -----------------------------------------------------------------------

_HOSTILE_LINE = (
    "<!channel> <!here|here> <!subteam^S0EVIL> <@U0EVIL> <#C0EVIL> @channel @here "
    "& &amp; &lt;!channel&gt; *bold* _it_ ~st~ `code` ```fence``` > quote "
    "<https://evil.example|click here> [md](https://evil.example) **x** |pipe|\n"
)


def hostile(label: str) -> str:
    """10 000 characters of mention, entity, formatting and newline, told apart by `label`."""
    text = (f"{label}: " + _HOSTILE_LINE * (10_000 // len(_HOSTILE_LINE) + 1))[:10_000]
    assert len(text) == 10_000
    return text


def _rename(node: Any, key: str, label: str) -> None:
    if isinstance(node, dict) and key in node:
        node[key] = hostile(label)


def hostile_incident(body: dict[str, Any]) -> dict[str, Any]:
    made = copy.deepcopy(body)
    for key in ("name", "summary"):
        made[key] = hostile(key)
    for which in ("severity", "incident_status", "incident_type"):
        _rename(made.get(which), "name", which)
    for index, assignment in enumerate(made.get("incident_role_assignments", [])):
        _rename(assignment.get("role"), "name", f"role {index}")
        _rename(assignment.get("assignee"), "name", f"assignee {index}")
        if index % 2 and isinstance(assignment.get("assignee"), dict):
            # Shown by name when the person has no Slack account.
            assignment["assignee"].pop("slack_user_id", None)
    return made


def hostile_people(body: dict[str, Any]) -> dict[str, Any]:
    """Only the assignees hostile, none on Slack (so shown by name). In the full variant they are
    never reached: the first role's name fills the card's roles field, which is cut."""
    made = copy.deepcopy(body)
    for index, assignment in enumerate(made.get("incident_role_assignments", [])):
        if isinstance(assignment.get("assignee"), dict):
            assignment["assignee"]["name"] = hostile(f"assignee {index}")
            assignment["assignee"].pop("slack_user_id", None)
    return made


def hostile_update(body: dict[str, Any]) -> dict[str, Any]:
    made = hostile_message(body)
    _rename(made.get("new_incident_status"), "name", "new status")
    _rename(made.get("new_severity"), "name", "new severity")
    _rename((made.get("updater") or {}).get("user"), "name", "updater")
    return made


def hostile_message(body: dict[str, Any]) -> dict[str, Any]:
    """Only the message hostile (in the full variant, the updater's name fills the line)."""
    made = copy.deepcopy(body)
    made["message"] = hostile("message")
    return made


def signed(body: dict[str, Any]) -> dict[str, Any]:
    # As the bot writes them: the message ends with the person's name (bot/attribution.py).
    made = copy.deepcopy(body)
    signer = hostile("signer").replace("\n", " ")
    made["message"] = f"{body.get('message') or ''}\n\n_Shared from Slack by {signer}_"
    return made


# variant: (the incident, each update) made so.
VARIANTS: dict[str, tuple[Callable[[dict[str, Any]], Any], Callable[[dict[str, Any]], Any]]] = {
    "real": (copy.deepcopy, copy.deepcopy),
    "hostile": (hostile_incident, hostile_update),
    "hostile people": (hostile_people, hostile_message),
}


def incident_of(body: dict[str, Any], variant: str) -> Incident:
    return Incident.model_validate(VARIANTS[variant][0](body))


def updates_for(variant: str) -> list[IncidentUpdate]:
    make = VARIANTS[variant][1]
    bodies = [make(body) for _, body in UPDATES]
    if variant != "real":
        bodies.append(signed(bodies[0]))
    return [IncidentUpdate.model_validate(body) for body in bodies]


def catalog(variant: str) -> Catalog:
    """The official examples' catalog (made hostile with the incidents), with the statuses and
    severities of tests/unit/org.py beside it, so that every modal has moves to offer."""

    def official(model: type[BaseModel], kind: str) -> list[Any]:
        found: list[Any] = []
        for _, body in _official(model):
            made = copy.deepcopy(body)
            if variant == "hostile":
                made["name"] = hostile(kind)
                made["description"] = hostile(f"{kind} description")
            found.append(model.model_validate(made))
        return list({item.id: item for item in found}.values())

    return Catalog(
        severities=(*official(Severity, "severity"), *severities(3)),
        statuses=(
            *official(IncidentStatus, "status"),
            *statuses(2, "triage"),
            *statuses(2, "live"),
            *statuses(2, "learning"),
            *statuses(1, "closed"),
        ),
        types=tuple(official(IncidentType, "type")),
        roles=tuple(official(IncidentRole, "role")),
    )


def moved(incident: Incident, org: Catalog, category: str | None) -> Incident:
    if category is None:
        return incident
    status = next(s for s in org.statuses if s.category == category)
    return incident.model_copy(update={"incident_status": status})


# --- the checks --------------------------------------------------------------------------------------


def message_of(blocks: list[Block]) -> dict[str, Any]:
    return {"blocks": [block.to_dict() for block in blocks]}


def assert_message_fits(message: dict[str, Any]) -> None:
    assert check_message(message) == []
    assert forged_mentions(message) == []


def assert_view_fits(view: View) -> None:
    made = view.to_dict()
    assert check_view(made) == []
    assert forged_mentions(made) == []


def shown(node: Any) -> Iterator[str]:
    """Every string of a rendered dict."""
    if isinstance(node, dict):
        for value in node.values():
            yield from shown(value)
    elif isinstance(node, list):
        for value in node:
            yield from shown(value)
    elif isinstance(node, str):
        yield node


def acts_on(spec: ChangeVerb[Any], incident: Incident) -> bool:
    """Whether the verb opens its modal for this incident (flows/verbs.py `admit`)."""
    try:
        admit(spec, incident)
    except UserError:
        return False
    return True


def change_modals(incident: Incident, org: Catalog, variant: str) -> dict[str, View]:
    """The change modals as the verbs build them (flows/<verb>.py `build`), and the picker."""
    meta = incident_meta(META, incident)
    text = hostile("typed") if variant != "real" else None
    # A banner is mrkdwn its maker escaped (bot/failures.py describe): escaped, it grows.
    banner = escape(hostile("banner")) if variant != "real" else None
    update, escalate, resolve = Update(), Escalate(), Resolve()
    views: dict[str, View] = {}
    if acts_on(update, incident):
        offered = update.choices(org, meta)
        views["update"] = update_modal(
            incident,
            offered[Field.STATUS],
            offered[Field.SEVERITY],
            meta,
            message=text,
            banner=banner,
        )
    higher = escalate.choices(org, meta)[Field.SEVERITY]
    if acts_on(escalate, incident) and higher:  # none higher: escalate refuses, no modal
        views["escalate"] = escalate_modal(incident, higher, meta, reason=text, banner=banner)
    ending = org.resolve_statuses(incident.incident_status)
    assert [o.value for o in resolve.choices(org, meta)[Field.STATUS]] == [s.id for s in ending]
    if acts_on(resolve, incident) and ending:  # no ending: resolve refuses, no modal
        views["resolve"] = resolve_modal(incident, ending, meta, message=text, banner=banner)
    for verb, spec in (("update", update), ("resolve", resolve)):
        views[f"pick {verb}"] = pick_modal(
            META,
            spec.title,
            initial=incident,
            post_incident=spec.post_incident,
            text=text or "",
        )
    views["declared"] = declared_view(incident, already=False, reporter=True)
    views["already declared"] = declared_view(incident, already=True, reporter=False)
    return views


def incident_params() -> list[Any]:
    return [
        pytest.param(body, variant, id=f"{variant}: {where}")
        for variant in VARIANTS
        for where, body in INCIDENTS
    ]


# --- the tests ---------------------------------------------------------------------------------------


def test_the_examples_are_there() -> None:
    # The walk of test_real_bodies must find incidents in all three sources, and updates.
    sources = {where.split(" ")[0] for where, _ in INCIDENTS}
    assert {"x-webhooks", "IncidentV2", "incidents_many_roles.json:"} <= sources
    assert len(INCIDENTS) >= 15 and len(UPDATES) >= 4
    assert any(u.updater.user is None for u in updates_for("real"))


@pytest.mark.parametrize(("body", "variant"), incident_params())
def test_the_card_fits_a_message(body: dict[str, Any], variant: str) -> None:
    incident = incident_of(body, variant)
    for updates in ([], updates_for(variant)):
        assert_message_fits(message_of(card_blocks(incident, updates)))


@pytest.mark.parametrize(("body", "variant"), incident_params())
def test_the_incident_line_fits_a_section(body: dict[str, Any], variant: str) -> None:
    incident = incident_of(body, variant)
    line = incident_line(incident, now=NOW)
    assert forged_mentions(line) == []
    block = section(line).to_dict()  # as list_blocks shows it
    assert_message_fits({"blocks": [block]})
    if variant == "real":  # nothing of a real incident is cut
        assert block["text"]["text"] == line and incident.reference in line
    option = incident_option(incident).to_dict()  # as the picker's search answers it
    assert len(option["text"]["text"]) <= OPTION_TEXT_MAX and option["value"] == incident.id


@pytest.mark.parametrize(("body", "variant"), incident_params())
@pytest.mark.parametrize(
    "category", [None, "live", "learning"], ids=["as given", "live", "learning"]
)
def test_the_change_modals_fit(body: dict[str, Any], variant: str, category: str | None) -> None:
    org = catalog(variant)
    incident = moved(incident_of(body, variant), org, category)
    views = change_modals(incident, org, variant)
    assert {"update", "resolve", "pick update"} <= set(views)
    assert ("escalate" in views) is (category != "learning")
    for name, view in views.items():
        try:
            assert_view_fits(view)
        except AssertionError as failure:
            raise AssertionError(f"{name}: {failure}") from failure


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_list_of_every_example_fits_a_message(variant: str) -> None:
    incidents = [incident_of(body, variant) for _, body in INCIDENTS]
    assert_message_fits(message_of(list_blocks(incidents, NOW)))
    # More than a message holds: the list says how many it left out.
    many = [
        incident.model_copy(update={"created_at": NOW - timedelta(days=n)})
        for n, incident in enumerate(incidents * (MESSAGE_MAX_BLOCKS // len(incidents) + 1))
    ]
    blocks = message_of(list_blocks(many, NOW))
    assert_message_fits(blocks)
    assert len(blocks["blocks"]) == MAX_LISTED + 2
    assert f"{len(many) - MAX_LISTED} more" in blocks["blocks"][-1]["elements"][0]["text"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_an_update_result_fits(variant: str) -> None:
    for update in updates_for(variant):
        text = update_result_text("INC-123", update)
        assert_message_fits({"blocks": [section(text).to_dict()]})


def test_the_hostile_variant_is_hostile() -> None:
    # The control: the texts reach the builders (the card shows them, cut) and would be live
    # mentions if shown unescaped. (The status is not among them: the severity's 10 000
    # characters before it fill the facts field, which is cut.)
    body = next(b for w, b in INCIDENTS if w.startswith("incidents_many_roles.json"))
    incident = incident_of(body, "hostile")
    assert forged_mentions(incident.name) and len(incident.name) == 10_000
    rendered = list(shown(message_of(card_blocks(incident, updates_for("hostile")))))
    joined = "\n".join(rendered)
    for label in ("name", "summary", "severity", "role 0", "updater"):
        assert f"{label}: " in joined, label
    assert "&lt;!channel&gt;" in joined and "<!channel>" not in joined
    people = incident_of(body, "hostile people")
    joined = "\n".join(shown(message_of(card_blocks(people, updates_for("hostile people")))))
    for label in ("assignee 0", "message", "signer"):
        assert f"{label}: " in joined, label
    assert "<!channel>" not in joined
