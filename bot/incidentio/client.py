"""The incident.io adapter: one async client for every call the bot makes.

It owns authentication, the client-side rate limit, retries, error mapping and the translation of
JSON envelopes into typed models. It knows nothing of Slack.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import quote

import httpx
import pydantic

from bot.incidentio.errors import UnexpectedResponseError
from bot.incidentio.fields import CustomField
from bot.incidentio.models import (
    Identity,
    Incident,
    IncidentRole,
    IncidentStatus,
    IncidentType,
    IncidentUpdate,
    Severity,
    User,
)
from bot.incidentio.oncall_api import OnCallApi
from bot.incidentio.params import clamp, path_ref, role_assignments_body, timestamp
from bot.incidentio.ratelimit import TokenBucket
from bot.incidentio.retry import RetryPolicy, RetrySafety
from bot.incidentio.transport import ApiCall, RequestSender

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = ["ApiCall", "IncidentIoClient", "UnexpectedResponseError"]

logger = logging.getLogger("bot.incidentio")

M = TypeVar("M", bound=pydantic.BaseModel)
Params = list[tuple[str, str]]

USER_AGENT = "incident-bot/0.1"
MAX_INCIDENTS_PAGE = 250
MAX_UPDATES_PAGE = 250


class IncidentIoClient(OnCallApi):
    """Async client for the parts of the incident.io API the bot uses."""

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://api.incident.io",
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retries: int = 3,
        rate_per_second: float = 20.0,
        burst: int = 1200,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        observers: Sequence[Callable[[ApiCall], None]] = (),
        pages_per_window: int = 60,  # POST /v2/escalations: 60 a minute
        page_window_seconds: float = 60.0,
    ) -> None:
        if not api_key:
            raise ValueError("an incident.io API key is required")
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
            timeout=httpx.Timeout(timeout),
            transport=transport,
        )
        self.rate_limiter = TokenBucket(rate_per_second, burst, sleep=sleep)
        self._sender = RequestSender(
            self._http,
            policy=RetryPolicy(max_retries=max_retries),
            limiter=self.rate_limiter,
            sleep=sleep,
            timeout=timeout,
            observers=list(observers),
        )
        self._start_paging(pages_per_window, page_window_seconds, max_retries, sleep, timeout)

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> IncidentIoClient:
        return cls(
            settings.incidentio_api_key.get_secret_value(),
            settings.incidentio_base_url,
            timeout=settings.incidentio_timeout_seconds,
            rate_per_second=settings.incidentio_rate_limit_per_minute / 60,
            burst=settings.incidentio_rate_limit_per_minute,
            pages_per_window=settings.incidentio_page_limit,
            page_window_seconds=settings.incidentio_page_window_seconds,
            **kwargs,
        )

    def add_observer(self, fn: Callable[[ApiCall], None]) -> None:
        self._sender.observers.append(fn)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        await self.aclose()

    # Catalog ---------------------------------------------------------------------------------

    async def list_severities(self) -> list[Severity]:
        reply = await self._sender.send("GET", "/v1/severities")
        return reply.many("severities", Severity)

    async def list_incident_statuses(self) -> list[IncidentStatus]:
        reply = await self._sender.send("GET", "/v1/incident_statuses")
        return reply.many("incident_statuses", IncidentStatus)

    async def list_incident_types(self) -> list[IncidentType]:
        reply = await self._sender.send("GET", "/v1/incident_types")
        return reply.many("incident_types", IncidentType)

    async def list_incident_roles(self) -> list[IncidentRole]:
        reply = await self._sender.send("GET", "/v2/incident_roles")
        return reply.many("incident_roles", IncidentRole)

    async def list_custom_fields(self) -> list[CustomField]:
        """With their options and when they are asked for: only v1 says (fields.py)."""
        reply = await self._sender.send("GET", "/v1/custom_fields")
        return reply.many("custom_fields", CustomField)

    async def get_identity(self, *, once: bool = False) -> Identity:
        """`once`: one attempt, no retries (a readiness probe: whether incident.io answers now)."""
        safety = RetrySafety.ONCE if once else RetrySafety.SAFE
        reply = await self._sender.send("GET", "/v1/identity", safety=safety)
        return reply.one("identity", Identity)

    async def find_user_by_slack_id(self, slack_user_id: str) -> User | None:
        """The incident.io user linked to a Slack user, or None when there is none."""
        params = [("slack_user_id", slack_user_id), ("page_size", "1")]
        reply = await self._sender.send("GET", "/v2/users", params=params)
        users = reply.many("users", User)
        return users[0] if users else None

    # Incidents -------------------------------------------------------------------------------

    async def create_incident(
        self,
        *,
        idempotency_key: str,
        name: str,
        visibility: str = "public",
        summary: str | None = None,
        severity_id: str | None = None,
        incident_type_id: str | None = None,
        incident_status_id: str | None = None,
        mode: str = "standard",
        role_assignments: Sequence[tuple[str, str]] = (),
        slack_team_id: str | None = None,
        custom_field_entries: Sequence[dict[str, Any]] = (),
    ) -> Incident:
        """Declare an incident. `role_assignments` pairs (incident_role_id, slack_user_id);
        `custom_field_entries` are CustomFieldEntryPayloadV2."""
        body: dict[str, Any] = {
            "idempotency_key": idempotency_key,
            "name": name,
            "visibility": visibility,
            "mode": mode,
        }
        optional = {
            "summary": summary,
            "severity_id": severity_id,
            "incident_type_id": incident_type_id,
            "incident_status_id": incident_status_id,
            "slack_team_id": slack_team_id,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        if role_assignments:
            body["incident_role_assignments"] = role_assignments_body(role_assignments)
        if custom_field_entries:
            body["custom_field_entries"] = list(custom_field_entries)
        reply = await self._sender.send("POST", "/v2/incidents", body=body)
        return reply.one("incident", Incident)

    async def get_incident(self, ref: str) -> Incident:
        """Fetch by ULID or by reference number ("123", "INC-123" and "#123" all work)."""
        path = f"/v2/incidents/{path_ref(ref)}"
        reply = await self._sender.send("GET", "/v2/incidents/{id}", path=path)
        return reply.one("incident", Incident)

    async def list_incidents(
        self,
        *,
        status_categories: Sequence[str] = (),
        severity_ids: Sequence[str] = (),
        severity_gte: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        modes: Sequence[str] = (),
        page_size: int = MAX_INCIDENTS_PAGE,
    ) -> AsyncIterator[Incident]:
        """Every incident matching the filters, newest first, following the cursor to the end."""
        params: Params = [("status_category[one_of]", c) for c in status_categories]
        params += [("severity[one_of]", s) for s in severity_ids]
        if severity_gte is not None:
            params.append(("severity[gte]", severity_gte))
        if created_after is not None:
            params.append(("created_at[gte]", timestamp(created_after)))
        if created_before is not None:
            params.append(("created_at[lte]", timestamp(created_before)))
        params += [("mode[one_of]", m) for m in modes]
        size = clamp(page_size, MAX_INCIDENTS_PAGE)
        async for incident in self._sender.paginate(
            "/v2/incidents", "incidents", Incident, params, size
        ):
            yield incident

    async def edit_incident(
        self,
        incident_id: str,
        *,
        name: str | None = None,
        summary: str | None = None,
        severity_id: str | None = None,
        incident_status_id: str | None = None,
        call_url: str | None = None,
        custom_field_entries: Sequence[dict[str, Any]] = (),
        role_assignments: Sequence[tuple[str, str | None]] = (),
        notify_incident_channel: bool = True,
    ) -> Incident:
        """Change only the given fields ("" clears a text). Not repeated after a 5xx or
        timeout: it has no key."""
        fields: dict[str, Any] = {
            "name": name,
            "summary": summary,
            "severity_id": severity_id,
            "incident_status_id": incident_status_id,
            "call_url": call_url,
            "custom_field_entries": list(custom_field_entries) or None,
            "incident_role_assignments": role_assignments_body(role_assignments) or None,
        }
        changes = {k: v for k, v in fields.items() if v is not None}
        if not changes:
            raise ValueError("edit_incident needs at least one field to change")
        body = {"incident": changes, "notify_incident_channel": notify_incident_channel}
        path = f"/v2/incidents/{quote(incident_id, safe='')}/actions/edit"
        reply = await self._sender.send(
            "POST",
            "/v2/incidents/{id}/actions/edit",
            path=path,
            body=body,
            safety=RetrySafety.REFUSED_ONLY,
        )
        return reply.one("incident", Incident)

    # Incident updates ------------------------------------------------------------------------

    async def create_incident_update(
        self,
        *,
        incident_id: str,
        idempotency_key: str,
        message: str | None = None,
        to_incident_status_id: str | None = None,
        to_severity_id: str | None = None,
    ) -> IncidentUpdate:
        """Share an update; it may also move the status and/or severity in the same call."""
        changes = {
            "message": message,
            "to_incident_status_id": to_incident_status_id,
            "to_severity_id": to_severity_id,
        }
        given = {k: v for k, v in changes.items() if v is not None}
        if not given:
            raise ValueError("an incident update needs a message, a status or a severity")
        body = {"incident_id": incident_id, "idempotency_key": idempotency_key, **given}
        reply = await self._sender.send("POST", "/v2/incident_updates", body=body)
        return reply.one("incident_update", IncidentUpdate)

    async def list_incident_updates(
        self, incident_id: str, *, page_size: int = 25, limit: int | None = None
    ) -> AsyncIterator[IncidentUpdate]:
        """The incident's updates, newest first; at most `limit` of them when given."""
        size = clamp(page_size if limit is None else min(page_size, limit), MAX_UPDATES_PAGE)
        params: Params = [("incident_id", incident_id)]
        pages = self._sender.paginate(
            "/v2/incident_updates", "incident_updates", IncidentUpdate, params, size, limit=limit
        )
        async for update in pages:
            yield update
