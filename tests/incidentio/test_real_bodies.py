"""incident.io's own examples, and bodies derived from them, parsed into the bot's models.

Fakes we write share our own mistakes: these bodies come from incident.io's official OpenAPI schema
(response examples, component examples, `x-webhooks`) and are used as they are. The bodies in
tests/data/real/incidentio/ copy an official example and change only what the schema allows; each
says how in its `_derived_from` key, and any deviation from the schema must be declared there.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel, TypeAdapter

from bot.incidentio import client
from bot.incidentio.fields import CustomField
from bot.incidentio.models import (
    OPEN_CATEGORIES,
    Catalog,
    Identity,
    Incident,
    IncidentRole,
    IncidentStatus,
    IncidentType,
    IncidentUpdate,
    Severity,
    User,
)
from bot.refs import parse_ref

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIRS = [ROOT.parent / "shared" / "incidentio", ROOT / "sandbox" / "schema"]
DATA_DIR = ROOT / "tests" / "data" / "real" / "incidentio"

# What client.py parses: (method, path, envelope key, model).
READS: list[tuple[str, str, str, type[BaseModel]]] = [
    ("GET", "/v1/severities", "severities", Severity),
    ("GET", "/v1/incident_statuses", "incident_statuses", IncidentStatus),
    ("GET", "/v1/incident_types", "incident_types", IncidentType),
    ("GET", "/v2/incident_roles", "incident_roles", IncidentRole),
    ("GET", "/v1/custom_fields", "custom_fields", CustomField),
    ("GET", "/v1/identity", "identity", Identity),
    ("GET", "/v2/users", "users", User),
    ("POST", "/v2/incidents", "incident", Incident),
    ("GET", "/v2/incidents", "incidents", Incident),
    ("GET", "/v2/incidents/{id}", "incident", Incident),
    ("POST", "/v2/incidents/{id}/actions/edit", "incident", Incident),
    ("GET", "/v2/incident_updates", "incident_updates", IncidentUpdate),
    ("POST", "/v2/incident_updates", "incident_update", IncidentUpdate),
]


class StatusChange(BaseModel):  # IncidentWithStatusChangeV2, in incident_status_updated_v2
    incident: Incident
    previous_status: IncidentStatus
    new_status: IncidentStatus


INCIDENT_EVENT = re.compile(r"^(public|private)_incident\.incident_[a-z_]+_v2$")
WEBHOOK_PAYLOADS: dict[str, type[BaseModel] | None] = {
    "WebhookIncidentV2": Incident,
    "IncidentWithStatusChangeV2": StatusChange,
    "WebhookPrivateResourceV2": None,  # private events: IDs only
}


def _load_spec() -> dict[str, Any]:
    folder = next(d for d in SCHEMA_DIRS if (d / "openapi.json").is_file())
    spec = json.loads((folder / "openapi.json").read_text())
    supplement = json.loads((folder / "openapi-supplement.json").read_text())
    for path, item in supplement["paths"].items():
        spec["paths"].setdefault(path, {}).update(item)
    spec["components"]["schemas"].update(supplement["components"]["schemas"])
    return spec


SPEC = _load_spec()
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]


def _ref(node: dict[str, Any]) -> str | None:
    ref = node.get("items", node).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def _examples(node: dict[str, Any], where: str) -> list[tuple[str, Any]]:
    """(id, example) for the `example` and `examples` of a media type or schema object."""
    named = [(f"{where} examples.{k}", v["value"]) for k, v in node.get("examples", {}).items()]
    return [(f"{where} example", node["example"]), *named] if "example" in node else named


def _items(value: Any) -> list[tuple[str, Any]]:  # ("[i]", item) for a list, ("", it) for one
    items = value if isinstance(value, list) else [value]
    return [(f"[{i}]" if items is value else "", item) for i, item in enumerate(items)]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _component_cases(name: str, target: type[BaseModel], seen: set[Any], out: list[Any]) -> None:
    """Examples of schema `name` and of every property and sub-schema `target` reads."""
    if (name, target) in seen:
        return
    seen.add((name, target))
    out += [pytest.param(target, ex, id=i) for i, ex in _examples(SCHEMAS[name], name)]
    for field, info in target.model_fields.items():
        prop = SCHEMAS[name].get("properties", {}).get(field, {})
        found = _examples(prop, f"{name}.{field}")
        out += [pytest.param(info.annotation, ex, id=i) for i, ex in found]
        sub = _ref(prop)
        for model in _models_in(info.annotation) if sub else []:
            _component_cases(sub, model, seen, out)


def _official_cases() -> list[Any]:
    """Response and component examples for every response the client parses."""
    out: list[Any] = []
    seen: set[Any] = set()
    for method, path, key, model in READS:
        for code, response in SPEC["paths"][path][method.lower()]["responses"].items():
            content = response["content"]["application/json"]
            result = _ref(content["schema"])
            assert result is not None, f"{method} {path} {code}: no result schema"
            found = _examples(content, f"{method} {path} {code}")
            for where, body in found + _examples(SCHEMAS[result], result):
                items = _items(body[key])
                out += [pytest.param(model, v, id=f"{where}: {key}{i}") for i, v in items]
            item_schema = _ref(SCHEMAS[result]["properties"][key])
            assert item_schema is not None, f"{result}.{key}: no item schema"
            _component_cases(item_schema, model, seen, out)
    return out


def _webhook_cases() -> list[Any]:
    """(event or None, payload schema, event_type or None, payload) for every incident event."""
    cases: list[Any] = []
    for key, item in SPEC["x-webhooks"].items():
        event = key.rsplit("/", 1)[-1]
        responses = [(f"{m} {c}", r) for m, op in item.items() for c, r in op["responses"].items()]
        for where, response in responses if INCIDENT_EVENT.match(event) else []:
            content = response["content"]["application/json"]
            envelope = _ref(content["schema"])
            payload = _ref(SCHEMAS[envelope]["properties"][event])
            found = _examples(content, where) + _examples(SCHEMAS[envelope], envelope)
            for id_, body in found:
                args = (event, payload, body["event_type"], body[event])
                cases.append(pytest.param(*args, id=f"{event} {id_}"))
    for payload in WEBHOOK_PAYLOADS:  # the payload schemas' own examples
        args = (None, payload, None, SCHEMAS[payload]["example"])
        cases.append(pytest.param(*args, id=f"{payload} example"))
    return cases


OFFICIAL_CASES = _official_cases()
WEBHOOK_CASES = _webhook_cases()


def check_incident(incident: Incident) -> None:
    """The derived views the bot relies on work on this incident."""
    ref = parse_ref(incident.reference)
    assert ref is not None and ref.matches(incident), incident.reference
    assert incident.is_open is (incident.incident_status.category in OPEN_CATEGORIES)
    assert incident.is_private is (incident.visibility == "private")
    assert incident.severity is None or isinstance(incident.severity.rank, int)
    assert incident.slack_channel_id is None or incident.slack_channel_id  # absent, not ""
    for assignment in incident.incident_role_assignments:
        assert assignment.role.id and assignment.role.name
        if assignment.assignee is not None:  # shown as a mention, else by name
            assert assignment.assignee.slack_user_id or assignment.assignee.name
    # As the open-incidents cache does after an update:
    moved = incident.model_copy(update={"incident_status": incident.incident_status})
    assert moved.is_open is incident.is_open


def check_parsed(value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            check_parsed(item)
    elif isinstance(value, Incident):
        check_incident(value)
    elif isinstance(value, IncidentUpdate):
        assert value.new_incident_status.name and value.created_at.tzinfo is not None
        assert value.updater.user is None or value.updater.user.name


@pytest.mark.parametrize(("target", "body"), OFFICIAL_CASES)
def test_official_example_parses(target: Any, body: Any) -> None:
    check_parsed(TypeAdapter(target).validate_python(body))


@pytest.mark.parametrize(("event", "payload_schema", "event_type", "payload"), WEBHOOK_CASES)
def test_webhook_example(event: Any, payload_schema: str, event_type: Any, payload: Any) -> None:
    assert event_type == event
    assert payload_schema in WEBHOOK_PAYLOADS, f"{event}: new payload schema {payload_schema}"
    model = WEBHOOK_PAYLOADS[payload_schema]
    if model is None:
        assert event is None or event.startswith("private_")
        assert set(SCHEMAS[payload_schema]["properties"]) == {"id"}
        assert set(payload) == {"id"} and isinstance(payload["id"], str) and payload["id"]
        return
    parsed = model.model_validate(payload)
    check_incident(parsed.incident if isinstance(parsed, StatusChange) else parsed)


def test_every_read_and_event_has_real_examples() -> None:  # the walk must not find nothing
    ids = [p.id for p in OFFICIAL_CASES + WEBHOOK_CASES]
    for method, path, _key, _model in READS[:-1]:  # the supplement's POST has no example of its own
        assert any(i.startswith(f"{method} {path} ") for i in ids), (method, path)
    nested = ["IncidentV2", "IncidentUpdateV2", "UserV2", "IncidentRoleAssignmentV2"]
    nested += ["EmbeddedIncidentRoleV2", "ActorV2", "SeverityV2", "IncidentStatusV2"]
    assert all(f"{schema} example" in ids for schema in nested)
    events = {i.split()[0] for i in ids if INCIDENT_EVENT.match(i.split()[0])}
    public = {f"public_incident.incident_{e}_v2" for e in ("created", "updated", "status_updated")}
    assert public | {f"private_incident.incident_{e}_v2" for e in ("created", "updated")} <= events


def test_reads_cover_every_route_the_client_calls() -> None:
    routes = set(re.findall(r'(?<![f\w])"(/v\d+/[a-z_/{}]+)"', inspect.getsource(client)))
    assert routes == {path for _m, path, _k, _model in READS}


def test_catalog_from_official_examples() -> None:
    def parsed(m: type[BaseModel]) -> Any:
        return tuple(m.model_validate(c.values[1]) for c in OFFICIAL_CASES if c.values[0] is m)

    kinds = {"severities": Severity, "statuses": IncidentStatus, "types": IncidentType}
    catalog = Catalog(roles=parsed(IncidentRole), **{k: parsed(m) for k, m in kinds.items()})
    assert catalog.default_type() is not None and catalog.role_of_type("lead") is not None
    assert catalog.higher_severities(None) == catalog.severities_by_rank() != []
    for status in catalog.statuses:
        moves = catalog.update_statuses(status) + catalog.resolve_statuses(status)
        assert status not in moves and all(m in catalog.statuses for m in moves)


# Bodies derived from official examples -------------------------------------------------------


def _derived(name: str) -> tuple[dict[str, Any], list[Any]]:
    body = json.loads((DATA_DIR / name).read_text())
    method, path, _code, _ = body["_derived_from"]["example"].split(" ", 3)
    key, model = next((k, m) for verb, p, k, m in READS if (verb, p) == (method, path))
    return body, [model.model_validate(item) for _, item in _items(body[key])]


@pytest.mark.parametrize("name", sorted(p.name for p in DATA_DIR.glob("*.json")))
def test_derived_body_keeps_to_the_schema_and_parses(name: str) -> None:
    import jsonschema

    body, parsed = _derived(name)
    origin = body.pop("_derived_from")
    method, path, code, _ = origin["example"].split(" ", 3)
    content = SPEC["paths"][path][method.lower()]["responses"][code]["content"]["application/json"]
    assert "example" in content and origin["changes"], origin
    schema = {"$ref": content["schema"]["$ref"], "components": SPEC["components"]}
    errors = jsonschema.Draft7Validator(schema).iter_errors(body)
    found = sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
    assert found == sorted(origin["schema_exceptions"])
    check_parsed(parsed)


def test_triage_incident_without_channel_severity_type_or_summary() -> None:
    (incident,) = _derived("incident_triage_no_channel.json")[1]
    assert incident.incident_status.category == "triage" and incident.is_open
    assert (incident.severity, incident.incident_type, incident.summary) == (None, None, None)
    assert incident.slack_channel_id is None and incident.slack_channel_name is None


def test_incident_with_custom_fields_of_every_type() -> None:
    body = _derived("incident_custom_fields_every_type.json")[0]  # parsed there
    entries = body["incident"]["custom_field_entries"]
    field_types = SCHEMAS["CustomFieldTypeInfoV2"]["properties"]["field_type"]["enum"]
    assert {e["custom_field"]["field_type"] for e in entries} == set(field_types)
    assert any("value_catalog_entry" in v for e in entries for v in e["values"])


def test_incident_with_many_roles_and_assignees_without_slack() -> None:
    (incident,) = _derived("incidents_many_roles.json")[1]
    assignments = incident.incident_role_assignments
    assert len(assignments) >= 10 and [a.role.role_type for a in assignments].count("lead") == 1
    assignees = [a.assignee for a in assignments if a.assignee is not None]
    assert len(assignees) == len(assignments) - 1
    assert any(u.slack_user_id is None for u in assignees)
    assert any(u.slack_user_id is None and u.email is None for u in assignees)


def test_users_without_slack_id() -> None:
    users = _derived("users_no_slack_id.json")[1]
    assert [u.slack_user_id for u in users] == [None, None] and users[1].email is None


def test_updates_shared_by_a_workflow_or_api_key() -> None:
    updates = _derived("incident_updates_no_user.json")[1]
    assert [u.updater.user for u in updates] == [None, None]
    assert updates[0].message is None and updates[0].new_severity is None
