"""Custom fields: the organisation's fields (v1 list, with options and when they are asked for),
their options (v1, paginated), and the values incidents hold (`custom_field_entries` on create
and edit, CustomFieldEntryPayloadV2).

The API does not enforce "required" (incident.io's own forms do): a create without a required
field is accepted here, as the bot's form is what must ask for it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from sandbox.emulator.errors import ApiError, ErrorItem

# name, type, description, show before creation, required_v2, options
FIELDS: tuple[tuple[str, str, str, bool, str, tuple[str, ...]], ...] = (
    (
        "Affected service",
        "single_select",
        "Which service is failing",
        True,
        "always",
        ("Checkout", "Payments", "Search", "Login"),
    ),
    ("Customer impact", "text", "What customers see", True, "never", ()),
    ("Affected customers", "numeric", "Roughly how many", False, "never", ()),
    ("Status page", "link", "The public status page entry", False, "never", ()),
    ("Regions", "multi_select", "Where it happens", False, "never", ("EU", "US", "APAC")),
)
_KEY = {
    "single_select": "value_option_id",
    "multi_select": "value_option_id",
    "text": "value_text",
    "link": "value_link",
    "numeric": "value_numeric",
}


def seed_fields(new_id: Callable[[], str], times: dict[str, str]) -> list[dict[str, Any]]:
    """CustomFieldV1 records, options included."""
    out = []
    for name, kind, text, before, required, options in FIELDS:
        field_id = new_id()
        out.append(
            {
                "id": field_id,
                "name": name,
                "description": text,
                "field_type": kind,
                "show_before_creation": before,
                "show_before_closure": False,
                "show_before_update": False,
                "required_v2": required,
                "required": "always" if required == "always" else "never",
                "options": [
                    {"id": new_id(), "custom_field_id": field_id, "value": v, "sort_key": i * 10}
                    for i, v in enumerate(options, start=1)
                ],
                **times,
            }
        )
    return out


def _error(base: str, index: int, message: str) -> ApiError:
    pointer = f"{base}/custom_field_entries/{index}/values"
    return ApiError(422, [ErrorItem("invalid_value", message, "custom_field_entries", pointer)])


def _problem(field: dict[str, Any], value: dict[str, Any]) -> str | None:
    key = _KEY[field["field_type"]]
    given = value.get(key)
    if not isinstance(given, str) or not given:
        return f"{field['name']} takes {key} values"
    if key == "value_option_id" and all(o["id"] != given for o in field["options"]):
        return f"{field['name']} has no option {given}"
    if key == "value_link":
        parts = urlsplit(given)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return f"{field['name']} must be a link: {given!r} is not"
    if key == "value_numeric":
        try:
            Decimal(given)
        except InvalidOperation:
            return f"{field['name']} must be a number: {given!r} is not"
    return None


def apply_entries(
    fields: list[dict[str, Any]],
    current: list[dict[str, Any]],
    entries: list[dict[str, Any]],
    base: str,
) -> list[dict[str, Any]]:
    """The incident's `custom_field_entries` after `entries` (only the fields named change; no
    values clears one). Everything is checked first: a 422 changes nothing."""
    by_id = {f["id"]: f for f in fields}
    rendered = {e["custom_field"]["id"]: e for e in copy.deepcopy(current)}
    for index, entry in enumerate(entries):
        field = by_id.get(entry["custom_field_id"])
        if field is None:
            raise _error(base, index, f"Custom field {entry['custom_field_id']} not found")
        values = entry["values"]
        if field["field_type"] != "multi_select" and len(values) > 1:
            raise _error(base, index, f"{field['name']} takes one value")
        for value in values:
            problem = _problem(field, value)
            if problem:
                raise _error(base, index, problem)
        if values:
            rendered[field["id"]] = _render(field, values)
        else:
            rendered.pop(field["id"], None)
    order = [f["id"] for f in fields]
    return [rendered[i] for i in order if i in rendered]


def _render(field: dict[str, Any], values: list[dict[str, Any]]) -> dict[str, Any]:
    """CustomFieldEntryV2."""
    info = {k: copy.deepcopy(field[k]) for k in ("id", "name", "description", "field_type")}
    info["options"] = copy.deepcopy(field["options"])
    out = []
    for value in values:
        if "value_option_id" in value:
            option = next(o for o in field["options"] if o["id"] == value["value_option_id"])
            out.append({"value_option": copy.deepcopy(option)})
        else:
            key = _KEY[field["field_type"]]
            out.append({key: value[key]})
    return {"custom_field": info, "values": out}
