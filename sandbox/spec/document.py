"""The vendored schema, merged with its supplement and trimmed to the operations in scope."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

# (method, path template) of every operation the bot or the emulator uses.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("get", "/v1/identity"),
    ("get", "/v1/openapiV3.json"),
    ("get", "/v1/severities"),
    ("get", "/v1/incident_statuses"),
    ("get", "/v1/incident_types"),
    ("get", "/v2/incident_roles"),
    ("get", "/v1/custom_fields"),
    ("get", "/v1/custom_field_options"),
    ("get", "/v2/incidents"),
    ("post", "/v2/incidents"),
    ("get", "/v2/incidents/{id}"),
    ("post", "/v2/incidents/{id}/actions/edit"),
    ("get", "/v2/incident_updates"),
    ("post", "/v2/incident_updates"),
    ("get", "/v2/users"),
    ("get", "/v2/escalation_paths"),
    ("get", "/v2/escalation_paths/{id}"),
    ("get", "/v2/escalations"),
    ("post", "/v2/escalations"),
    ("get", "/v2/schedules"),
    ("get", "/v2/schedule_entries"),
)
REF_PREFIX = "#/components/schemas/"


def _read(name: str) -> dict[str, Any]:
    data = (resources.files("sandbox") / "schema" / name).read_bytes()
    parsed: dict[str, Any] = json.loads(data)
    return parsed


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            yield ref[len(REF_PREFIX) :]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def ref_closure(roots: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    """Every schema in `schemas` reachable through $refs from `roots`."""
    found: dict[str, Any] = {}
    pending = list(_refs(roots))
    while pending:
        name = pending.pop()
        if name not in found:
            found[name] = schemas[name]
            pending.extend(_refs(schemas[name]))
    return found


def build_document(operations: tuple[tuple[str, str], ...] = OPERATIONS) -> dict[str, Any]:
    """openapi.json merged with openapi-supplement.json (the supplement wins where both define
    something), keeping only `operations` and the schemas they reference."""
    main = _read("openapi.json")
    supplement = _read("openapi-supplement.json")
    paths: dict[str, dict[str, Any]] = {}
    for method, template in operations:
        extra = supplement["paths"].get(template, {}).get(method)
        paths.setdefault(template, {})[method] = extra or main["paths"][template][method]
    schemas = {**main["components"]["schemas"], **supplement["components"]["schemas"]}
    return {
        "openapi": main["openapi"],
        "info": main["info"],
        "servers": main.get("servers", []),
        "paths": paths,
        "components": {"schemas": ref_closure(paths, schemas)},
    }


def _close_objects(node: Any) -> None:
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value)


def strict_copy(document: dict[str, Any]) -> dict[str, Any]:
    """A copy where every object schema inside a *Payload* schema, following its $refs, has
    `additionalProperties: false`. Response schemas shared with payloads stay open in the
    original, since the real API adds response fields without notice."""
    strict = copy.deepcopy(document)
    schemas = strict["components"]["schemas"]
    roots = {name: schema for name, schema in schemas.items() if "Payload" in name}
    for name in {**roots, **ref_closure(roots, schemas)}:
        _close_objects(schemas[name])
    return strict
