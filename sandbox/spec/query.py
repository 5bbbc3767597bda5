"""Query-string checks: declared parameters, their types and bounds, and the list filters.

The schema declares filters such as `status_category` as free-form objects, so no validator
notices `status_category=live` (no operator: the API silently ignores it) or a category that does
not exist. The rules here come from the operation descriptions and API-NOTES §2 and §4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openapi_schema_validator import OAS30Validator, oas30_format_checker

from sandbox.spec.errors import Problem

STATUS_CATEGORIES = (
    "triage",
    "live",
    "learning",
    "paused",
    "closed",
    "declined",
    "canceled",
    "merged",
)
MODES = ("standard", "retrospective", "test", "tutorial")


@dataclass(frozen=True)
class FilterRule:
    operators: tuple[str, ...]
    values: tuple[str, ...] | None = None  # allowed values, when the set is closed
    keyed: bool = False  # `name[<id>][operator]`, as for roles and custom fields
    dates: bool = False


_DATES = ("gte", "lte", "date_range")
LIST_FILTERS: dict[tuple[str, str], dict[str, FilterRule]] = {
    ("get", "/v2/incidents"): {
        "status": FilterRule(("one_of", "not_in")),
        "status_category": FilterRule(("one_of", "not_in"), values=STATUS_CATEGORIES),
        "created_at": FilterRule(_DATES, dates=True),
        "updated_at": FilterRule(_DATES, dates=True),
        "severity": FilterRule(("one_of", "not_in", "gte", "lte")),
        "incident_type": FilterRule(("one_of", "not_in")),
        "incident_role": FilterRule(("one_of", "is_blank"), keyed=True),
        "custom_field": FilterRule(("one_of", "not_in", "is_blank", "gte", "lte"), keyed=True),
        "mode": FilterRule(("one_of",), values=MODES),
    },
    ("get", "/v2/escalations"): {
        "escalation_path": FilterRule(("one_of", "not_in")),
        "status": FilterRule(("one_of", "not_in")),
        "alert": FilterRule(("one_of", "not_in")),
        "incident": FilterRule(("one_of", "not_in")),
        "created_at": FilterRule(_DATES, dates=True),
        "updated_at": FilterRule(_DATES, dates=True),
        "idempotency_key": FilterRule(("is", "starts_with")),
    },
}
# The incidents parameter schema says 500, but its description and pagination_meta say 250.
PAGE_SIZE_MAX: dict[tuple[str, str], int] = {
    ("get", "/v2/incidents"): 250,
    ("get", "/v2/incident_updates"): 250,
}
_SINGLE_VALUE = ("gte", "lte", "date_range", "is_blank")
_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\[\]]*\])*)$")
_INTEGER = re.compile(r"^-?\d+$")


def check_query(
    method: str, template: str, params: dict[str, dict[str, Any]], query: list[tuple[str, str]]
) -> list[Problem]:
    """Every problem with the query string of `method template`, in order of appearance."""
    problems: list[Problem] = []
    plain: dict[str, list[str]] = {}
    filters: dict[str, list[str]] = {}
    for key, value in query:
        found = _KEY.match(key)
        param = params.get(found.group(1)) if found else None
        if found is None or param is None or param.get("in") != "query":
            problems.append(Problem(f"query {key}: unknown query parameter", field=key))
        elif param["schema"].get("type") == "object":
            if not found.group(2):
                message = (
                    f"query {key}: filter without an operator (write {key}[one_of]=...);"
                    " the API silently ignores it"
                )
                problems.append(Problem(message, field=key))
            else:
                filters.setdefault(key, []).append(value)
        elif found.group(2):
            problems.append(Problem(f"query {key}: {found.group(1)} takes no operator", field=key))
        else:
            plain.setdefault(key, []).append(value)
    limit = PAGE_SIZE_MAX.get((method, template))
    for name, values in plain.items():
        problems += _check_plain(name, params[name], values, limit)
    for name, param in params.items():
        if param.get("in") == "query" and param.get("required") and name not in plain:
            problems.append(Problem(f"query {name}: required", field=name, code="is_required"))
    rules = LIST_FILTERS.get((method, template), {})
    for key, values in filters.items():
        problems += _check_filter(key, values, rules)
    return problems


def _coerce(schema: dict[str, Any], value: str) -> tuple[Any, str | None]:
    kind = schema.get("type")
    if kind == "integer":
        return (int(value), None) if _INTEGER.match(value) else (value, "is not an integer")
    if kind == "boolean":
        if value in ("true", "false"):
            return value == "true", None
        return value, "is not true or false"
    if kind == "number":
        try:
            return float(value), None
        except ValueError:
            return value, "is not a number"
    return value, None


def _check_plain(
    name: str, param: dict[str, Any], values: list[str], page_size_max: int | None
) -> list[Problem]:
    def problem(message: str) -> list[Problem]:
        return [Problem(f"query {name}: {message}", field=name)]

    if len(values) > 1:
        return problem("given more than once")
    if values[0] == "" and param.get("allowEmptyValue"):
        return []
    schema = param["schema"]
    value, error = _coerce(schema, values[0])
    if error:
        return problem(f"{values[0]!r} {error}")
    validator = OAS30Validator(schema, format_checker=oas30_format_checker)
    errors = [e.message for e in validator.iter_errors(value)]
    if errors:
        return problem("; ".join(errors))
    if name == "page_size" and isinstance(value, int):
        if value < 1 or (page_size_max is not None and value > page_size_max):
            return problem(f"{value} is out of range 1..{page_size_max or schema.get('maximum')}")
    return []


def _is_date(value: str) -> bool:
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            parse(value)
        except ValueError:
            continue
        return True
    return False


def _check_filter(key: str, values: list[str], rules: dict[str, FilterRule]) -> list[Problem]:
    name = key.split("[", 1)[0]
    parts = re.findall(r"\[([^\[\]]*)\]", key)
    rule = rules.get(name)

    def problem(message: str) -> list[Problem]:
        return [Problem(f"query {key}: {message}", field=key)]

    if rule is None:
        return [] if all(parts) else problem("empty operator")
    shape = f"{name}[<id>][operator]" if rule.keyed else f"{name}[operator]"
    if len(parts) != (2 if rule.keyed else 1) or not all(parts):
        return problem(f"expected {shape}")
    operator = parts[-1]
    if operator not in rule.operators:
        accepted = ", ".join(rule.operators)
        return problem(f"unknown operator {operator!r} for {name} (accepted: {accepted})")
    if operator in _SINGLE_VALUE and len(values) > 1:
        return problem("given more than once")
    out: list[Problem] = []
    for value in values:
        if value == "":
            out += problem("empty value")
        elif rule.values is not None and value not in rule.values:
            out += problem(f"{value!r} is not one of {', '.join(rule.values)}")
        elif operator == "is_blank" and value not in ("true", "false"):
            out += problem(f"{value!r} is not true or false")
        elif rule.dates and operator == "date_range":
            ends = value.split("~")
            if len(ends) != 2 or not all(_is_date(end) for end in ends):
                out += problem(f"{value!r} is not a date range like 2024-12-02~2024-12-08")
        elif rule.dates and not _is_date(value):
            out += problem(f"{value!r} is not a date or date-time")
    return out
