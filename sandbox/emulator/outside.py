"""/_emulator/webhooks and /_emulator/outside/*: where the emulator sends its webhooks, and
changes made "outside the bot", as someone in incident.io's dashboard makes them (by a person,
not the API key), each sending its webhooks like any other change.

Like the rest of /_emulator/*, loopback clients only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.emulator.changes import edit_incident
from sandbox.emulator.control import _json, _local, _refuse
from sandbox.emulator.errors import ApiError
from sandbox.emulator.incidents import user_v2

if TYPE_CHECKING:
    from sandbox.emulator.app import Emulator


def _dashboard_user(emulator: Emulator) -> dict[str, Any]:
    users = emulator.store.catalog.users
    return {"user": user_v2(users[0])} if users else emulator.store.actor()


def declare_outside(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    """An incident declared in the dashboard: `name`, and optionally `severity` (a name),
    `summary`, `visibility`."""
    store = emulator.store
    before = emulator.webhooks.snapshot(store)
    fields = {k: body[k] for k in ("summary", "visibility") if k in body}
    created = emulator.create_incident(
        str(body.get("name") or "Declared in the dashboard"),
        severity=str(body.get("severity") or "Minor"),
        **fields,
    )
    record = store.incidents[created["id"]]
    record.data["creator"] = _dashboard_user(emulator)
    emulator.webhooks.changed(store, before)
    return store.render_incident(record)


EDITABLE = ("name", "summary", "severity", "status")


class Refused(ValueError):
    """A change the dashboard does not make here, saying what it would take."""


def edit_outside(emulator: Emulator, incident_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """An incident edited in the dashboard: `name`, `summary`, `severity` or `status` (names)."""
    store = emulator.store
    record = store.find_incident(incident_id.removeprefix("INC-"))
    if record is None:
        raise KeyError(incident_id)
    unknown = [k for k in body if k not in EDITABLE]
    if unknown:
        raise Refused(f"cannot change {', '.join(unknown)}: only {', '.join(EDITABLE)}")
    changes: dict[str, Any] = {k: body[k] for k in ("name", "summary") if k in body}
    catalog = store.catalog
    if "severity" in body:
        changes["severity_id"] = _named(emulator.severity_id, "severity", body, catalog.severities)
    if "status" in body:
        changes["incident_status_id"] = _named(emulator.status_id, "status", body, catalog.statuses)
    before = emulator.webhooks.snapshot(store)
    edit_incident(store, record, changes)
    emulator.webhooks.changed(store, before)
    return store.render_incident(record)


def _named(
    find: Callable[[str], str], field: str, body: dict[str, Any], items: list[dict[str, Any]]
) -> str:
    try:
        return find(str(body[field]))
    except KeyError:
        valid = ", ".join(str(item["name"]) for item in items)
        raise Refused(f"no {field} named {body[field]!r}: one of {valid}") from None


def outside_routes(emulator: Emulator) -> list[Route]:
    async def webhooks(request: Request) -> Response:
        if not _local(request):
            return _refuse(403, "loopback only")
        if request.method == "POST":
            try:
                body = await _json(request)
                emulator.webhooks.configure(body.get("url"), body.get("secret"))
            except (ValueError, TypeError, AttributeError) as exc:
                return _refuse(400, f"bad webhook settings: {exc}")
        sender = emulator.webhooks
        deliveries = [d.as_dict() for d in sender.deliveries]
        return JSONResponse({"url": sender.url, "on": sender.on, "deliveries": deliveries})

    async def declare(request: Request) -> Response:
        if not _local(request):
            return _refuse(403, "loopback only")
        try:
            incident = declare_outside(emulator, await _json(request))
        except (ValueError, TypeError, AttributeError, KeyError, ApiError) as exc:
            return _refuse(400, f"could not declare: {exc!r}")
        return JSONResponse({"incident": incident})

    async def edit(request: Request) -> Response:
        if not _local(request):
            return _refuse(403, "loopback only")
        incident_id = request.path_params["id"]
        try:
            incident = edit_outside(emulator, incident_id, await _json(request))
        except Refused as exc:
            return _refuse(400, str(exc))
        except KeyError as exc:
            return _refuse(404, f"no such incident: {exc}")
        except (ValueError, TypeError, AttributeError, ApiError) as exc:
            return _refuse(400, f"could not edit: {exc!r}")
        return JSONResponse({"incident": incident})

    return [
        Route("/_emulator/webhooks", webhooks, methods=["GET", "POST"]),
        Route("/_emulator/outside/incidents", declare, methods=["POST"]),
        Route("/_emulator/outside/incidents/{id}/edit", edit, methods=["POST"]),
    ]
