"""/_emulator/*: drive the emulator from another process (benchmarks, end-to-end tests).

Not part of the incident.io API and not behind its API key, so it answers only loopback
clients.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from sandbox.emulator.app import Emulator

LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}


def _local(request: Request) -> bool:
    return request.client is None or request.client.host in LOOPBACK


def _refuse(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status)


async def _json(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw.strip() else {}


def control_routes(emulator: Emulator) -> list[Route]:
    async def state(request: Request) -> Response:
        if not _local(request):
            return _refuse(403, "loopback only")
        recent = request.query_params.get("recent", "20")
        return JSONResponse(emulator.state(int(recent) if recent.isdigit() else 20))

    async def faults(request: Request) -> Response:
        if not _local(request):
            return _refuse(403, "loopback only")
        if request.method == "DELETE":
            emulator.faults.clear()
            return JSONResponse({"faults": []})
        if request.method == "POST":
            try:
                body = await _json(request)
                rules = body if isinstance(body, list) else [body]
                for rule in rules:
                    if rule.get("kind") == "clear":
                        emulator.faults.clear()
                    else:
                        emulator.faults.from_json(rule)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                return _refuse(400, f"bad fault rule: {exc}")
        return JSONResponse({"faults": emulator.faults.describe()})

    async def reset(request: Request) -> Response:
        if not _local(request):
            return _refuse(403, "loopback only")
        try:
            body = await _json(request)
        except ValueError as exc:
            return _refuse(400, f"bad body: {exc}")
        seed = body.get("seed") if isinstance(body, dict) else None
        emulator.reset(seed=None if seed is None else bool(seed))
        return JSONResponse(emulator.state())

    async def rate_limit(request: Request) -> Response:
        if not _local(request):
            return _refuse(403, "loopback only")
        try:
            body = await _json(request)
            pages = body.get("route") == "POST /v2/escalations"  # its own, lower limit
            limiter = emulator.page_limiter if pages else emulator.rate_limiter
            limiter.configure(
                int(body.get("capacity", limiter.capacity)),
                float(body.get("refill_per_second", limiter.refill_per_second)),
            )
        except (ValueError, TypeError, AttributeError) as exc:
            return _refuse(400, f"bad rate limit: {exc}")
        return JSONResponse(
            {"capacity": limiter.capacity, "refill_per_second": limiter.refill_per_second}
        )

    return [
        Route("/_emulator/state", state, methods=["GET"]),
        Route("/_emulator/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/rate_limit", rate_limit, methods=["POST"]),
    ]
