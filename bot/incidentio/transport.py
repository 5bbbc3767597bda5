"""Sending one API request: the rate limit, retries under the policy, decoding and error mapping,
and a record of every attempt for logs and metrics."""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
import pydantic

from bot.incidentio.errors import (
    IncidentIoError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    error_from_response,
)
from bot.incidentio.ratelimit import TokenBucket
from bot.incidentio.retry import RetryPolicy, RetrySafety

logger = logging.getLogger("bot.incidentio")

M = TypeVar("M", bound=pydantic.BaseModel)

# Failures where the request never left this process: safe to repeat even for an edit.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class ApiCall:
    """One finished HTTP attempt, for logs and metrics."""

    method: str
    route: str
    status: int | None
    duration_s: float
    request_id: str | None
    attempt: int
    error: str | None


@dataclass(frozen=True)
class ApiResponse:
    """A successful answer: its JSON object and where it came from."""

    route: str
    status: int
    data: dict[str, Any]
    request_id: str | None

    def one(self, key: str, model: type[M]) -> M:
        """`data[key]` as `model`; UnexpectedResponseError when it does not fit."""
        try:
            return model.model_validate(self.data[key])
        except KeyError:
            raise self._unexpected(f"no '{key}' in the response") from None
        except pydantic.ValidationError as exc:
            raise self._unexpected(_describe(exc, key)) from None

    def many(self, key: str, model: type[M]) -> list[M]:
        """`data[key]` as a list of `model`; UnexpectedResponseError when it does not fit."""
        raw = self.data.get(key)
        if not isinstance(raw, list):
            raise self._unexpected(f"'{key}' is missing or not a list")
        try:
            return [model.model_validate(item) for item in raw]
        except pydantic.ValidationError as exc:
            raise self._unexpected(_describe(exc, key)) from None

    def _unexpected(self, detail: str) -> UnexpectedResponseError:
        # Field paths and pydantic's message only: never the input values, which may be long.
        return UnexpectedResponseError(
            message=f"unexpected response from {self.route}: {detail}",
            status=self.status,
            request_id=self.request_id,
        )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class RequestSender:
    """Sends requests through one httpx client, sharing one token bucket and one retry policy."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        policy: RetryPolicy,
        limiter: TokenBucket,
        sleep: Callable[[float], Awaitable[None]],
        timeout: float,
        observers: list[Callable[[ApiCall], None]],
    ) -> None:
        self._http = http
        self.policy = policy
        self.limiter = limiter
        self._sleep = sleep
        self._timeout = timeout
        self.observers = observers

    async def send(
        self,
        method: str,
        route: str,
        *,
        path: str | None = None,
        params: list[tuple[str, str]] | None = None,
        body: dict[str, Any] | None = None,
        safety: RetrySafety = RetrySafety.SAFE,
    ) -> ApiResponse:
        """Send until success, a final error, or the retries run out. `route` is the template."""
        # Serialised once: every retry sends the same bytes (and so the same idempotency key).
        content = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        pairs: list[tuple[str, str | int | float | bool | None]] = list(params or ())
        query = httpx.QueryParams(pairs) if pairs else None
        attempt = 0
        rate_limited_wait = 0.0
        unanswered = False  # an attempt of a write arrived and got no clear answer
        while True:
            attempt += 1
            await self.limiter.acquire()
            started = time.perf_counter()
            sent = True
            try:
                response = await self._http.request(
                    method, path or route, params=query, content=content, headers=headers
                )
            except httpx.HTTPError as exc:
                # Not chained to `exc`: it carries the request, headers included, into tracebacks.
                error: IncidentIoError = self._transport_error(exc, method, route)
                sent = not isinstance(exc, _NOT_SENT)
                status, request_id = None, None
            else:
                status = response.status_code
                request_id = response.headers.get("x-request-id")
                if 200 <= status < 300:
                    self.limiter.accepted()
                    duration = _since(started)
                    self._emit(ApiCall(method, route, status, duration, request_id, attempt, None))
                    return _decode(response, route, request_id)
                error = _error_from(response)
                request_id = error.request_id
            self._emit(
                ApiCall(
                    method,
                    route,
                    status,
                    _since(started),
                    request_id,
                    attempt,
                    type(error).__name__,
                )
            )
            if isinstance(error, RateLimitedError):
                self.limiter.refused(min(error.retry_after or 1.0, self.policy.max_retry_after))
            unanswered |= sent and isinstance(error, ServerError | TransportError)
            if not self.policy.should_retry(
                error, attempt, safety, sent=sent, rate_limited_wait=rate_limited_wait
            ):
                level = logging.INFO if status is not None and status < 500 else logging.WARNING
                logger.log(level, "incident.io %s %s failed: %s", method, route, error)
                final_unclear = isinstance(error, ServerError | TransportError)
                error.maybe_applied = method != "GET" and unanswered and final_unclear
                raise error
            delay = self.policy.delay_for(error, attempt)
            if isinstance(error, RateLimitedError):
                rate_limited_wait += delay
            logger.warning(
                "incident.io %s %s attempt %d failed (%s); retrying in %.2fs",
                *(method, route, attempt, error, delay),
            )
            await self._sleep(delay)

    async def paginate(
        self,
        route: str,
        key: str,
        model: type[M],
        params: list[tuple[str, str]],
        page_size: int,
        *,
        limit: int | None = None,
    ) -> AsyncIterator[M]:
        """Every item of a cursor-paginated list (at most `limit`), page after page."""
        after: str | None = None
        remaining = limit
        while remaining is None or remaining > 0:
            query = [*params, ("page_size", str(page_size))]
            if after is not None:
                query.append(("after", after))
            reply = await self.send("GET", route, params=query)
            items = reply.many(key, model)
            for item in items[:remaining]:
                yield item
            if remaining is not None:
                remaining -= min(remaining, len(items))
            meta = reply.data.get("pagination_meta")
            cursor = meta.get("after") if isinstance(meta, dict) else None
            # pagination_meta is optional on some lists: a short or empty page is the end too.
            if not items or len(items) < page_size or not isinstance(cursor, str) or not cursor:
                return
            if cursor == after:
                logger.warning("incident.io %s repeated cursor %s; stopping", route, cursor)
                return
            after = cursor

    def _transport_error(self, exc: httpx.HTTPError, method: str, route: str) -> TransportError:
        if isinstance(exc, httpx.TimeoutException):
            what = f"timed out after {self._timeout:g}s"
        else:
            detail = self._scrub(str(exc))[:200]
            what = f"{type(exc).__name__} ({detail})" if detail else type(exc).__name__
        return TransportError(message=f"{what} calling {method} {route}")

    def _scrub(self, text: str) -> str:
        # httpx's messages come from sockets and TLS, not headers; this is the belt to those braces.
        token = self._http.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not token:
            return text
        # Whole tokens only: a short key must not turn ordinary words into "[redacted]".
        exact = re.compile(rf"(?<![A-Za-z0-9_-]){re.escape(token)}(?![A-Za-z0-9_-])")
        return exact.sub("[redacted]", text)

    def _emit(self, call: ApiCall) -> None:
        logger.debug(
            "incident.io %s %s -> %s in %.3fs (attempt %d, request_id %s)",
            *(call.method, call.route, call.status or call.error, call.duration_s),
            *(call.attempt, call.request_id),
        )
        for observer in self.observers:
            try:
                observer(call)
            except Exception:
                # Metrics must never break an API call.
                logger.exception("incident.io call observer %r failed", observer)


def _since(started: float) -> float:
    return time.perf_counter() - started


def _decode(response: httpx.Response, route: str, request_id: str | None) -> ApiResponse:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise UnexpectedResponseError(
            message=f"unexpected response from {route}: the body is not a JSON object",
            status=response.status_code,
            request_id=request_id,
        )
    return ApiResponse(route, response.status_code, data, request_id)


def _error_from(response: httpx.Response) -> IncidentIoError:
    try:
        body = response.json()
    except ValueError:
        body = None
    error = error_from_response(response.status_code, body, response.headers.get("x-request-id"))
    if isinstance(error, RateLimitedError):
        error.retry_after = parse_retry_after(response.headers.get("retry-after"))
    return error


def _describe(exc: pydantic.ValidationError, key: str) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in (key, *first["loc"]))
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"
