"""The list endpoints: filters, ordering and cursor pagination."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sandbox.emulator.errors import error, invalid, not_found
from sandbox.emulator.store import IncidentRecord, Store

T = TypeVar("T")
Query = list[tuple[str, str]]
Predicate = Callable[[IncidentRecord], bool]
DEFAULT_MODES = ("standard", "retrospective")


def _first(query: Query, key: str) -> str | None:
    return next((value for name, value in query if name == key and value != ""), None)


def _page_size(query: Query) -> int:
    raw = _first(query, "page_size") or "25"
    if not raw.isdigit() or not 1 <= int(raw) <= 10000:
        raise error(400, "invalid_parameter", f"page_size {raw!r} is not a valid size", "page_size")
    return int(raw)


def page(
    items: Sequence[T], key: Callable[[T], Any], after_key: Any, newest_first: bool, size: int
) -> tuple[list[T], bool]:
    """The page after the cursor and whether more follow. `after_key` is the sort key of the
    record the cursor names, so a cursor stays valid when that record stops matching."""
    ordered = sorted(items, key=key, reverse=newest_first)
    if after_key is not None:
        if newest_first:
            ordered = [item for item in ordered if key(item) < after_key]
        else:
            ordered = [item for item in ordered if key(item) > after_key]
    return ordered[:size], len(ordered) > size


def _moment(value: str, end_of_day: bool) -> datetime:
    if len(value) == 10:
        day = date.fromisoformat(value)
        start = datetime.combine(day, time.min, tzinfo=UTC)
        return start + timedelta(days=1) - timedelta(microseconds=1) if end_of_day else start
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _date_filter(attr: str, operator: str, value: str) -> Predicate:
    try:
        if operator == "date_range":
            start_raw, end_raw = value.split("~")
            low, high = _moment(start_raw, False), _moment(end_raw, True)
        elif operator == "gte":
            low, high = _moment(value, False), datetime.max.replace(tzinfo=UTC)
        else:
            low, high = datetime.min.replace(tzinfo=UTC), _moment(value, True)
    except ValueError as exc:
        raise invalid(f"{attr}[{operator}]", f"{value!r} is not a date") from exc
    return lambda r: low <= datetime.fromisoformat(r.data[attr]) <= high


def _severity_filter(store: Store, operator: str, values: list[str]) -> Predicate:
    def sev_id(r: IncidentRecord) -> Any:
        return r.data.get("severity", {}).get("id")

    if operator in ("one_of", "not_in"):
        wanted = set(values)
        return lambda r: (sev_id(r) in wanted) == (operator == "one_of")
    bound = store.severity(values[0])
    if bound is None:
        raise invalid(f"severity[{operator}]", f"Severity {values[0]} not found")
    rank = bound["rank"]

    def compare(r: IncidentRecord) -> bool:
        own = r.data.get("severity")
        if own is None:
            return False
        return bool(own["rank"] >= rank if operator == "gte" else own["rank"] <= rank)

    return compare


def _membership(
    get: Callable[[IncidentRecord], Any], operator: str, values: list[str]
) -> Predicate:
    wanted = set(values)
    return lambda r: (get(r) in wanted) == (operator != "not_in")


def _predicate(store: Store, key: str, values: list[str]) -> Predicate | None:
    name, _, rest = key.partition("[")
    parts = rest.rstrip("]").split("][") if rest else []
    operator = parts[-1] if parts else ""
    getters: dict[str, Callable[[IncidentRecord], Any]] = {
        "status": lambda r: r.data["incident_status"]["id"],
        "status_category": lambda r: r.data["incident_status"]["category"],
        "incident_type": lambda r: r.data.get("incident_type", {}).get("id"),
    }
    if name in getters:
        return _membership(getters[name], operator, values)
    if name == "severity":
        return _severity_filter(store, operator, values)
    if name in ("created_at", "updated_at"):
        return _date_filter(name, operator, values[0])
    if name == "incident_role" and len(parts) == 2:
        role_id = parts[0]
        if store.role(role_id) is None:
            raise invalid(key, f"Incident role {role_id} not found")
        if operator == "is_blank":
            blank = values[0] == "true"
            return lambda r: (role_id not in r.assignees) == blank
        return lambda r: r.assignees.get(role_id) in set(values)
    if name == "custom_field":
        raise invalid(key, f"Custom field {parts[0]} not found")
    return None  # mode is applied separately; anything else was refused by the schema check


def list_incidents(store: Store, query: Query) -> dict[str, Any]:
    size = _page_size(query)
    newest_first = _first(query, "sort_by") != "created_at_oldest_first"
    any_mode = _first(query, "filter_mode") == "any"
    grouped: dict[str, list[str]] = {}
    for key, value in query:
        if "[" in key:
            grouped.setdefault(key, []).append(value)
    modes = set(grouped.pop("mode[one_of]", DEFAULT_MODES))
    predicates = [p for key, vals in grouped.items() if (p := _predicate(store, key, vals))]

    def matches(record: IncidentRecord) -> bool:
        if record.data["mode"] not in modes:
            return False
        if not predicates:
            return True
        results = (p(record) for p in predicates)
        return any(results) if any_mode else all(results)

    found = [r for r in store.incidents.values() if matches(r)]
    after_key = None
    after = _first(query, "after")
    if after is not None:
        cursor = store.incidents.get(after)
        if cursor is None:
            raise error(400, "invalid_parameter", f"after: no incident {after}", "after")
        after_key = cursor.sort_key
    chunk, more = page(found, lambda r: r.sort_key, after_key, newest_first, size)
    meta: dict[str, Any] = {"page_size": size, "total_record_count": len(found)}
    if more:
        meta["after"] = chunk[-1].id
    return {
        "incidents": [store.render_incident(r) for r in chunk],
        "pagination_meta": meta,
    }


def list_updates(store: Store, query: Query) -> dict[str, Any]:
    size = _page_size(query)
    incident_id = _first(query, "incident_id")
    found = [u for u in store.updates.values() if incident_id in (None, u.data["incident_id"])]
    after = _first(query, "after")
    after_key = None
    if after is not None:
        cursor = store.updates.get(after)
        if cursor is None:
            raise error(400, "invalid_parameter", f"after: no incident update {after}", "after")
        after_key = cursor.sort_key
    chunk, more = page(found, lambda u: u.sort_key, after_key, True, size)
    meta: dict[str, Any] = {"page_size": size}
    if more:
        meta["after"] = chunk[-1].data["id"]
    return {
        "incident_updates": [store.render_update(u) for u in chunk],
        "pagination_meta": meta,
    }


def list_custom_field_options(store: Store, query: Query) -> dict[str, Any]:
    field_id = _first(query, "custom_field_id")
    field = next((f for f in store.catalog.custom_fields if f["id"] == field_id), None)
    if field is None:
        raise not_found("Custom field")
    size = _page_size(query)
    chunk, more = page(field["options"], lambda o: o["id"], _first(query, "after"), False, size)
    meta: dict[str, Any] = {"page_size": size}
    if more:
        meta["after"] = chunk[-1]["id"]
    return {"custom_field_options": [dict(o) for o in chunk], "pagination_meta": meta}


def list_users(store: Store, query: Query) -> dict[str, Any]:
    size = _page_size(query)
    slack_id = _first(query, "slack_user_id")
    email = _first(query, "email")
    inactive = _first(query, "include_inactive") == "true"
    found = [
        u
        for u in store.catalog.users
        if (inactive or u["is_active"])
        and (slack_id is None or u.get("slack_user_id") == slack_id)
        and (email is None or str(u.get("email", "")).casefold() == email.casefold())
    ]
    chunk, more = page(found, lambda u: u["id"], _first(query, "after"), False, size)
    # The parameter allows 10000 but the schema caps pagination_meta.page_size at 250.
    meta: dict[str, Any] = {"page_size": min(size, 250)}
    if more:
        meta["after"] = chunk[-1]["id"]
    return {"users": [dict(u) for u in chunk], "pagination_meta": meta}
