"""The on-call operations: escalation paths, escalations (pages), schedules and their entries.

`POST /v2/escalations` as API-NOTES §8 describes it: exactly one of a path or users; a key may
page only with the `escalation_creator` role, and a team-scoped one (the role among its
`team_roles` only) only through its teams' paths and never users; the same idempotency key
returns the first escalation.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.emulator.errors import error, invalid, not_found
from sandbox.emulator.listing import page

if TYPE_CHECKING:
    from sandbox.emulator.routes import ApiRequest, Reply
    from sandbox.emulator.store import Store

ROLE = "escalation_creator"
_CATEGORY = {"live": "active", "learning": "post-incident"}  # IncidentSlimV2's own vocabulary


def _first(request: ApiRequest, key: str) -> str | None:
    return next((v for k, v in request.query if k == key and v != ""), None)


def _size(request: ApiRequest, maximum: int) -> int:
    raw = _first(request, "page_size") or "25"
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise error(400, "invalid_parameter", f"page_size {raw!r} is not 1..{maximum}", "page_size")
    return int(raw)


def _paged(request: ApiRequest, key: str, items: list[dict[str, Any]], maximum: int) -> Reply:
    size = _size(request, maximum)
    chunk, more = page(items, lambda i: i["id"], _first(request, "after"), False, size)
    meta: dict[str, Any] = {"page_size": size}
    if more:
        meta["after"] = chunk[-1]["id"]
    return 200, {key: chunk, "pagination_meta": meta}


def list_paths(store: Store, request: ApiRequest) -> Reply:
    paths = [store.oncall.render_path(p) for p in store.oncall.paths]
    return _paged(request, "escalation_paths", paths, 25)


def show_path(store: Store, request: ApiRequest) -> Reply:
    path = store.oncall.path(request.path_params["id"])
    if path is None:
        raise not_found("Escalation path")
    return 200, {"escalation_path": store.oncall.render_path(path)}


def list_schedules(store: Store, request: ApiRequest) -> Reply:
    return _paged(request, "schedules", [dict(r.data) for r in store.oncall.rotas], 250)


def schedule_entries(store: Store, request: ApiRequest) -> Reply:
    rota = store.oncall.rota(_first(request, "schedule_id") or "")
    if rota is None:
        raise not_found("Schedule")
    now = store.clock()
    start, end = (_seconds(_first(request, k)) for k in ("entry_window_start", "entry_window_end"))
    start = now if start is None else start
    shifts = rota.entries(start, end if end is not None else start + 7 * 86400)
    final = [store.oncall.entry(*shift) for shift in shifts]
    return 200, {"schedule_entries": {"scheduled": final, "overrides": [], "final": final}}


def _seconds(value: str | None) -> float | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else None


def _allowed(store: Store, path: dict[str, Any] | None) -> None:
    identity = store.catalog.identity
    if ROLE in identity.get("roles", []):
        return
    if ROLE not in identity.get("team_roles", []):
        raise error(403, "forbidden", "This API key is missing the escalations.create scope")
    if path is None:
        raise error(403, "forbidden", "Escalating to users needs an organisation-level API key")
    teams = {t["id"] for t in identity.get("teams", [])}
    if not teams & set(path["team_ids"]):
        raise error(403, "forbidden", "This API key can only escalate via its teams' paths")


def create(store: Store, request: ApiRequest) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    oncall = store.oncall
    existing = oncall.escalation_keys.get(str(body.get("idempotency_key")))
    if existing is not None:
        return 201, {"escalation": dict(oncall.escalations[existing])}
    path_id, user_ids = body.get("escalation_path_id"), body.get("user_ids") or []
    if bool(path_id) == bool(user_ids):
        message = "Provide exactly one of escalation_path_id or user_ids"
        raise invalid("escalation_path_id", message)
    path = oncall.path(path_id) if path_id else None
    if path_id and path is None:
        raise invalid("escalation_path_id", "Escalation path not found")
    unknown = [u for u in user_ids if store.user(u) is None]
    if unknown:
        raise invalid("user_ids", f"Users not found: {', '.join(unknown)}")
    incident = store.find_incident(str(body.get("incident_id")), allow_number=False)
    if body.get("incident_id") and incident is None:
        raise invalid("incident_id", "Incident not found")
    _allowed(store, path)
    seconds, stamp = store.now()
    reached = oncall.responders(path) if path else [oncall.user_v2(u) for u in user_ids]
    events = [{"id": store.new_id(), "event": "triggered", "occurred_at": stamp}]
    if reached:
        notified: dict[str, Any] = {"event": "notified_users", "occurred_at": stamp}
        notified["users"] = reached
        events.append({"id": store.new_id(), **notified, "urgency": "high"})
    escalation: dict[str, Any] = {
        "id": store.new_id(),
        "title": body["title"],
        "description": body.get("description") or "",
        "status": "triggered",
        "priority": {"name": "High"},
        "creator": {},
        "events": events,
        "related_alerts": [],
        "related_incidents": [_slim(incident.data)] if incident else [],
        "created_at": stamp,
        "updated_at": stamp,
    }
    if path_id:
        escalation["escalation_path_id"] = path_id
    oncall.escalations[escalation["id"]] = escalation
    oncall.escalation_keys[str(body["idempotency_key"])] = escalation["id"]
    oncall.escalation_times[escalation["id"]] = seconds
    return 201, {"escalation": dict(escalation)}


def _slim(incident: dict[str, Any]) -> dict[str, Any]:
    category = incident["incident_status"]["category"]
    return {
        "id": incident["id"],
        "external_id": int(incident["reference"].rsplit("-", 1)[-1]),
        "name": incident["name"],
        "reference": incident["reference"],
        "visibility": incident["visibility"],
        "status_category": _CATEGORY.get(category, category),
    }


def list_escalations(store: Store, request: ApiRequest) -> Reply:
    wanted: dict[str, set[str]] = {}
    for key, value in request.query:
        wanted.setdefault(key, set()).add(value)

    def keep(e: dict[str, Any]) -> bool:
        incidents = {i["id"] for i in e["related_incidents"]}
        checks = (
            ("incident[one_of]", bool(incidents & wanted.get("incident[one_of]", set()))),
            ("incident[not_in]", not incidents & wanted.get("incident[not_in]", set())),
            (
                "escalation_path[one_of]",
                e.get("escalation_path_id") in wanted.get("escalation_path[one_of]", ()),
            ),
            (
                "escalation_path[not_in]",
                e.get("escalation_path_id") not in wanted.get("escalation_path[not_in]", ()),
            ),
            ("status[one_of]", e["status"] in wanted.get("status[one_of]", ())),
            ("status[not_in]", e["status"] not in wanted.get("status[not_in]", ())),
        )
        return all(ok for key, ok in checks if key in wanted) and _key_matches(store, e, wanted)

    found = [dict(e) for e in store.oncall.escalations.values() if keep(e)]
    return _paged(request, "escalations", found, 50)


def _key_matches(store: Store, escalation: dict[str, Any], wanted: dict[str, set[str]]) -> bool:
    keys = [k for k, i in store.oncall.escalation_keys.items() if i == escalation["id"]]
    exact, prefixes = wanted.get("idempotency_key[is]"), wanted.get("idempotency_key[starts_with]")
    return (exact is None or bool(exact & set(keys))) and (
        prefixes is None or any(k.startswith(p) for k in keys for p in prefixes)
    )
