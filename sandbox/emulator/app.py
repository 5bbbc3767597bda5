"""The emulator: an ASGI app that answers like incident.io, with state tests can inspect."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
import uuid
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.emulator.clock import Clock, iso, system_clock, to_datetime
from sandbox.emulator.control import control_routes
from sandbox.emulator.errors import ApiError, ErrorItem, error, from_problems
from sandbox.emulator.faults import FaultRule, Faults
from sandbox.emulator.inspection import Inspection
from sandbox.emulator.outside import outside_routes
from sandbox.emulator.ratelimit import RateLimiter
from sandbox.emulator.routes import HANDLERS, ApiRequest
from sandbox.emulator.stats import RequestRecord, Stats
from sandbox.emulator.store import Store
from sandbox.emulator.webhooks import WebhookSender
from sandbox.spec import ApiSpec, SpecViolation

log = logging.getLogger("sandbox.emulator")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# True checks requests and responses; "requests" skips the responses, whose check costs ~0.5 ms
# per incident (130 ms for a page of 250), for load tests.
Validate = bool | Literal["requests"]
PAGE_ROUTE = "POST /v2/escalations"
_STATUS_OF_KIND = {"not_found": 404, "method_not_allowed": 405, "validation": 422}


class Emulator(Inspection):
    """incident.io in memory. `app` is the ASGI app; the rest is for tests and tooling."""

    def __init__(
        self,
        *,
        api_key: str = "sandbox-key",
        seed: bool = True,
        clock: Clock = system_clock,
        validate: Validate = True,
        rate_capacity: int = 1200,
        rate_refill_per_second: float = 20.0,
        custom_fields: bool = False,
        page_capacity: int = 60,  # POST /v2/escalations: 60 a minute
        page_refill_per_second: float = 1.0,
    ) -> None:
        self.api_key = api_key
        self.custom_fields = custom_fields
        self.clock = clock
        if validate not in (True, False, "requests"):
            raise ValueError('validate must be True, False or "requests"')
        self.validate = validate
        self.seeded = seed
        self.spec = ApiSpec.load()
        self.store = Store(clock, seed, custom_fields)
        self.faults = Faults()
        self.rate_limiter = RateLimiter(clock, rate_capacity, rate_refill_per_second)
        self.page_limiter = RateLimiter(clock, page_capacity, page_refill_per_second)
        self.stats = Stats()
        self.webhooks = WebhookSender()
        routes = [
            *control_routes(self),
            *outside_routes(self),
            Route("/{path:path}", self._serve, methods=METHODS),
        ]
        self.app = Starlette(routes=routes)

    def reset(self, seed: bool | None = None) -> None:
        """Forget incidents, updates, requests, faults and rate-limit buckets."""
        if seed is not None:
            self.seeded = seed
        self.store = Store(self.clock, self.seeded, self.custom_fields)
        self.faults.clear()
        self.stats = Stats()
        self.webhooks = WebhookSender()  # sending off: a test that turned it on must not leak
        self.rate_limiter.configure(self.rate_limiter.capacity, self.rate_limiter.refill_per_second)
        self.page_limiter.configure(self.page_limiter.capacity, self.page_limiter.refill_per_second)

    def state(self, recent: int = 20) -> dict[str, Any]:
        """Counters and recent requests (what GET /_emulator/state returns)."""
        records = list(self.stats.records)[-recent:] if recent > 0 else []
        return {
            **self.stats.summary(),
            "incidents": len(self.store.incidents),
            "incident_updates": len(self.store.updates),
            "faults": self.faults.describe(),
            "rate_limit": {
                "capacity": self.rate_limiter.capacity,
                "refill_per_second": self.rate_limiter.refill_per_second,
            },
            "recent": [r.as_dict() for r in records],
        }

    # --- serving ---------------------------------------------------------------------------
    async def _serve(self, request: Request) -> Response:
        started = time.perf_counter()
        arrived = self.clock()
        request_id = str(uuid.uuid4())
        method, path = request.method, request.url.path
        query = list(request.query_params.multi_items())
        raw = await request.body()
        self.stats.arrived(arrived)
        try:
            route: str | None = self.spec.match(method, path).operation.route
            route_error: SpecViolation | None = None
        except SpecViolation as violation:
            route, route_error = None, violation
        planned = self.faults.plan(method, path, route)
        if planned.delay:
            await asyncio.sleep(planned.delay)
        if planned.status is not None:
            response = self._envelope(self._injected(planned.status), request_id)
        else:
            response = self._respond(request, route, route_error, query, raw, request_id)
        if planned.hang:
            await asyncio.sleep(planned.hang)
        response.headers["X-Request-Id"] = request_id
        record = RequestRecord(
            method=method,
            path=path,
            route=route,
            status=response.status_code,
            time=arrived,
            duration=time.perf_counter() - started,
            request_id=request_id,
            query=query,
            body=_parsed(raw),
        )
        self.stats.finished(record)
        return response

    def _injected(self, rule: FaultRule) -> ApiError:
        headers: dict[str, str] = {}
        extra: dict[str, Any] = {}
        message = f"Injected fault: HTTP {rule.status}"
        if rule.status == 429 or rule.retry_after is not None:
            retry = max(1, rule.retry_after or 1)
            headers["Retry-After"] = str(retry)
        if rule.status == 429:
            extra["rate_limit"] = self._rate_limit_body(0, int(headers["Retry-After"]))
        items = [ErrorItem("injected_fault", text, rule.source_field) for text in rule.messages]
        return ApiError(
            rule.status, items or [ErrorItem("injected_fault", message)], headers, extra
        )

    def _rate_limit_body(self, remaining: int, retry_after: int) -> dict[str, Any]:
        return {
            "name": "api_key",
            "limit": self.rate_limiter.capacity,
            "remaining": remaining,
            "retry_after": iso(to_datetime(self.clock() + retry_after)),
        }

    def _authenticate(self, request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            message = "No API key given: send the header 'Authorization: Bearer <API key>'"
            raise error(401, "missing_authorization_material", message)
        if not hmac.compare_digest(token.strip().encode(), self.api_key.encode()):
            raise error(401, "invalid_authorization_material", "The API key is not valid")
        return token.strip()

    def _respond(
        self,
        request: Request,
        route: str | None,
        route_error: SpecViolation | None,
        query: list[tuple[str, str]],
        raw: bytes,
        request_id: str,
    ) -> Response:
        limit_headers: dict[str, str] = {}
        try:
            if route_error is not None or route is None:
                violation = route_error or SpecViolation("", [])
                status = _STATUS_OF_KIND.get(violation.kind, 404)
                problem = error(status, violation.kind, str(violation))
                if status == 405:
                    allowed = sorted(
                        {
                            op.method.upper()
                            for op in self.spec.operations
                            if op.pattern.match(request.url.path)
                        }
                    )
                    problem.headers["Allow"] = ", ".join(allowed)
                raise problem
            key = self._authenticate(request)
            decision = self.rate_limiter.take(key)
            limit_headers = decision.headers(self.rate_limiter.window)
            if decision.allowed and route == PAGE_ROUTE:
                decision = self.page_limiter.take(key)  # the lower limit on pages
            if not decision.allowed:
                raise ApiError(
                    429,
                    [ErrorItem("rate_limit_exceeded", "Too many requests for this API key")],
                    {"Retry-After": str(decision.retry_after)},
                    {"rate_limit": self._rate_limit_body(0, decision.retry_after)},
                )
            status, body = self._dispatch(request, route, query, raw)
        except ApiError as problem:
            return self._envelope(problem, request_id, limit_headers)
        return JSONResponse(body, status, headers=limit_headers)

    def _dispatch(
        self, request: Request, route: str, query: list[tuple[str, str]], raw: bytes
    ) -> tuple[int, dict[str, Any]]:
        method, path = request.method, request.url.path
        if self.validate:  # True or "requests"
            try:
                self.spec.validate_request(method, path, query, raw or None)
            except SpecViolation as violation:
                status = _STATUS_OF_KIND.get(violation.kind, 400)
                raise from_problems(status, violation.problems) from violation
        try:
            body = json.loads(raw) if raw else None
        except ValueError as exc:
            raise error(400, "invalid_json", "The request body is not valid JSON") from exc
        match = self.spec.match(method, path)
        if route == "GET /v1/openapiV3.json":
            return 200, self.spec.document
        handler = HANDLERS[route]
        before = self.webhooks.snapshot(self.store) if method != "GET" else None
        status, payload = handler(self.store, ApiRequest(route, match.path_params, query, body))
        self.webhooks.changed(self.store, before)
        if self.validate is True:
            encoded = json.dumps(payload).encode()
            try:
                self.spec.validate_response(method, path, status, encoded)
            except SpecViolation as violation:
                log.error("emulator answered outside the schema: %s", violation)
                raise error(500, "api_error", f"Emulator bug: {violation}") from violation
        return status, payload

    def _envelope(
        self, problem: ApiError, request_id: str, headers: dict[str, str] | None = None
    ) -> Response:
        return JSONResponse(
            problem.envelope(request_id),
            problem.status,
            headers={**(headers or {}), **problem.headers},
        )


def _parsed(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def create_emulator(
    *,
    api_key: str = "sandbox-key",
    seed: bool = True,
    clock: Clock = system_clock,
    validate: Validate = True,
    rate_capacity: int = 1200,
    rate_refill_per_second: float = 20.0,
    custom_fields: bool = False,
    page_capacity: int = 60,
    page_refill_per_second: float = 1.0,
) -> Emulator:
    """A fresh emulated incident.io organisation. Serve `emulator.app` (ASGI) in process with
    httpx.ASGITransport, or on a loopback port (see `python -m sandbox.emulator`).

    `validate`: True checks every request and every response against the schema (a bad request
    gets a 400/422 naming the problem; an answer outside the schema becomes a 500 "Emulator
    bug"), "requests" checks requests only, False neither (unknown fields are then ignored,
    as the real API does). `custom_fields`: the organisation has a few (one of them required at
    declaration), as the sandbox shows."""
    return Emulator(
        api_key=api_key,
        seed=seed,
        clock=clock,
        validate=validate,
        rate_capacity=rate_capacity,
        rate_refill_per_second=rate_refill_per_second,
        custom_fields=custom_fields,
        page_capacity=page_capacity,
        page_refill_per_second=page_refill_per_second,
    )
