"""The on-call part of the incident.io adapter: escalation paths, escalations and schedules.

`IncidentIoClient` inherits these methods. Pages (`POST /v2/escalations`) go through a sender of
their own: incident.io allows 60 a minute, so they take a token from a bucket of that size as
well as from the shared one (ratelimit.RouteBucket), and a burst of pages queues behind its own
limit without holding up any other call. A 429 on a page is retried only when its Retry-After
fits in `PageRetryPolicy.rate_limited_budget`; otherwise it is reported, and nothing was sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from bot.incidentio.errors import IncidentIoError, RateLimitedError
from bot.incidentio.oncall_models import Escalation, EscalationPath, Schedule, ScheduleEntries
from bot.incidentio.ratelimit import RouteBucket, TokenBucket
from bot.incidentio.retry import RetryPolicy, RetrySafety
from bot.incidentio.transport import RequestSender

MAX_PATHS_PAGE = 25
MAX_ESCALATIONS_PAGE = 50
MAX_SCHEDULES_PAGE = 25


@dataclass(frozen=True)
class PageRetryPolicy(RetryPolicy):
    """A refused page is tried again only if incident.io's Retry-After fits the budget: a person
    is waiting in Slack, and "not sent, try again in 40 s" is better than a silent minute."""

    rate_limited_budget: float = 3.0

    def should_retry(
        self,
        error: IncidentIoError,
        attempt: int,
        safety: RetrySafety,
        *,
        sent: bool,
        rate_limited_wait: float = 0.0,
    ) -> bool:
        if isinstance(error, RateLimitedError):
            wait = error.retry_after if error.retry_after is not None else 1.0
            return rate_limited_wait + wait <= self.rate_limited_budget
        return super().should_retry(
            error, attempt, safety, sent=sent, rate_limited_wait=rate_limited_wait
        )


class OnCallApi:
    """Methods that mirror incident.io's on-call endpoints (mixed into IncidentIoClient)."""

    _http: httpx.AsyncClient
    _sender: RequestSender
    _pager: RequestSender  # POST /v2/escalations only: its own limit and retry policy
    rate_limiter: TokenBucket
    page_limiter: RouteBucket

    def _start_paging(
        self,
        per_window: int,
        window_seconds: float,
        max_retries: int,
        sleep: Callable[[float], Awaitable[None]],
        timeout: float,
    ) -> None:
        """The sender for pages: `per_window` of them in `window_seconds` (60 a minute)."""
        self.page_limiter = RouteBucket(
            per_window / window_seconds, per_window, self.rate_limiter, sleep=sleep
        )
        self._pager = RequestSender(
            self._http,
            policy=PageRetryPolicy(max_retries=max_retries),
            limiter=self.page_limiter,
            sleep=sleep,
            timeout=timeout,
            observers=self._sender.observers,  # one list: add_observer reaches both
        )

    async def list_escalation_paths(self) -> AsyncIterator[EscalationPath]:
        """Every escalation path, with who is on call for it now (`current_responders`)."""
        pages = self._sender.paginate(
            "/v2/escalation_paths", "escalation_paths", EscalationPath, [], MAX_PATHS_PAGE
        )
        async for path in pages:
            yield path

    async def get_escalation_path(self, path_id: str) -> EscalationPath:
        path = f"/v2/escalation_paths/{quote(path_id, safe='')}"
        reply = await self._sender.send("GET", "/v2/escalation_paths/{id}", path=path)
        return reply.one("escalation_path", EscalationPath)

    async def create_escalation(
        self,
        *,
        idempotency_key: str,
        title: str,
        escalation_path_id: str | None = None,
        user_ids: Sequence[str] = (),
        incident_id: str | None = None,
        description: str | None = None,
    ) -> Escalation:
        """Page a path or people (exactly one of the two). The same key returns the same page."""
        if bool(escalation_path_id) == bool(user_ids):
            raise ValueError("an escalation needs exactly one of escalation_path_id or user_ids")
        body: dict[str, Any] = {"idempotency_key": idempotency_key, "title": title}
        if escalation_path_id:
            body["escalation_path_id"] = escalation_path_id
        else:
            body["user_ids"] = list(user_ids)
        optional = {"incident_id": incident_id, "description": description}
        body.update({k: v for k, v in optional.items() if v})
        reply = await self._pager.send("POST", "/v2/escalations", body=body)
        return reply.one("escalation", Escalation)

    async def list_escalations(
        self,
        *,
        incident_ids: Sequence[str] = (),
        path_ids: Sequence[str] = (),
        statuses: Sequence[str] = (),
        idempotency_key: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Escalation]:
        """Escalations matching every filter given (each a list of accepted values)."""
        params = [("incident[one_of]", i) for i in incident_ids]
        params += [("escalation_path[one_of]", p) for p in path_ids]
        params += [("status[one_of]", s) for s in statuses]
        if idempotency_key is not None:
            params.append(("idempotency_key[is]", idempotency_key))
        size = MAX_ESCALATIONS_PAGE if limit is None else max(1, min(limit, MAX_ESCALATIONS_PAGE))
        pages = self._sender.paginate(
            "/v2/escalations", "escalations", Escalation, params, size, limit=limit
        )
        async for escalation in pages:
            yield escalation

    async def list_schedules(self) -> AsyncIterator[Schedule]:
        pages = self._sender.paginate(
            "/v2/schedules", "schedules", Schedule, [], MAX_SCHEDULES_PAGE
        )
        async for schedule in pages:
            yield schedule

    async def list_schedule_entries(
        self, schedule_id: str, start: datetime, end: datetime
    ) -> ScheduleEntries:
        """Who is on a schedule between `start` and `end` (the first page: a window of hours
        holds a handful of shifts)."""
        params = [
            ("schedule_id", schedule_id),
            ("entry_window_start", _moment(start)),
            ("entry_window_end", _moment(end)),
        ]
        reply = await self._sender.send("GET", "/v2/schedule_entries", params=params)
        return reply.one("schedule_entries", ScheduleEntries)


def _moment(value: datetime) -> str:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
