"""POST /incidentio/webhooks: incident.io's deliveries, verified with svix, each handled once.

incident.io retries a delivery for about a day, until it gets a 2xx, and does not keep order
(API-NOTES §12.2). So: unsigned, stale or tampered deliveries get 401 and nothing is done; a
delivery another replica is processing now gets 409 (delivered again later); one processed
before gets 200 at once; one whose processing fails gets 503 and is not recorded, so the retry
processes it. One log line per delivery (logger `bot.webhooks`), and a metric.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.client_address import client_address
from bot.config import Settings
from bot.deps import Deps
from bot.flows.webhooks import NotDone, OwnKey, handle
from bot.incidentio.webhook_events import Event, MalformedEvent, event_type, read_event
from bot.store_api import Claim, StoreError
from bot.webhook_signature import Signatures

log = logging.getLogger("bot.webhooks")
PATH = "/incidentio/webhooks"
HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
# A claim not finished within this long was abandoned (its replica died): another may take it.
LEASE = timedelta(minutes=2)
# Deliveries are kept past incident.io's day of retries, then purged, at most once an hour.
KEEP = timedelta(days=2)
PURGE_EVERY = 3600.0


def webhook_routes(deps: Deps, client: AsyncWebClient) -> list[Route]:
    """The route; when INCIDENTIO_WEBHOOK_SECRET is unset it answers 404 and logs why."""
    endpoint = WebhookEndpoint(deps, client)
    return [Route(PATH, endpoint.receive, methods=["POST"])]


def route_said(settings: Settings) -> str:
    """The endpoint as a start-up line names it: whether it is on."""
    on = settings.incidentio_webhook_secret is not None
    return f"POST {PATH}: {'on' if on else 'off (INCIDENTIO_WEBHOOK_SECRET is not set)'}"


class WebhookEndpoint:
    def __init__(self, deps: Deps, client: AsyncWebClient) -> None:
        self.deps, self.client = deps, client
        secret = deps.settings.incidentio_webhook_secret
        self.verifier = Signatures(secret.get_secret_value()) if secret is not None else None
        self.own_key = OwnKey()
        self.purged_at = -PURGE_EVERY

    async def receive(self, request: Request) -> Response:
        started = time.perf_counter()
        headers = {name: request.headers.get(name, "") for name in HEADERS}
        line: dict[str, Any] = {"webhook_id": headers["webhook-id"][:128] or None}
        status, outcome = await self._receive(request, headers, line)
        line["ms"] = round((time.perf_counter() - started) * 1000, 1)
        kind = _kind(status, outcome)
        self.deps.metrics.webhook_deliveries.labels(kind).inc()
        said = outcome
        if kind == "refused":
            # Someone knocking with the wrong key, or a misconfigured endpoint: where from is
            # what the operator asks next.
            line["client"] = client_address(request)
            said = f"{outcome} (from {line['client']})"
        level = logging.WARNING if kind in ("failed", "refused") else logging.INFO
        log.log(level, "webhook %s: %s", line.get("event_type") or "delivery", said, extra=line)
        return JSONResponse({"result": outcome}, status)

    async def _receive(
        self, request: Request, headers: dict[str, str], line: dict[str, Any]
    ) -> tuple[int, str]:
        if self.verifier is None:
            return 404, "refused: webhooks are off (INCIDENTIO_WEBHOOK_SECRET is not set)"
        body = await request.body()
        refusal = self.verifier.refusal(body, headers)
        if refusal is not None:
            return 401, f"refused: signature does not verify ({refusal})"
        try:
            parsed = json.loads(body)
            line["event_type"] = event_type(parsed)
            if line["event_type"] is None:
                return 400, "refused: signed but not an event (no event_type)"
            event = read_event(parsed)
        except (ValueError, MalformedEvent) as error:
            reason = str(error) if isinstance(error, MalformedEvent) else "not JSON"
            return 400, f"refused: signed but unreadable: {reason}"
        if event is None:
            return 200, "ignored: not an event the bot acts on"
        line["incidents"] = list(event.incident_ids)
        return await self._once(headers["webhook-id"], event)

    async def _once(self, webhook_id: str, event: Event) -> tuple[int, str]:
        store = self.deps.store
        try:
            claim = await store.claim_delivery(webhook_id, LEASE)
        except StoreError as error:
            return 503, f"failed: {error}"
        if claim is Claim.DONE:
            return 200, "duplicate: processed before"
        if claim is Claim.BUSY:
            return 409, "duplicate: another replica is processing it"
        await self._purge()
        try:
            done = await handle(self.deps, self.client, event, self.own_key)
        except NotDone as error:
            await self._forget(store.release_delivery, webhook_id)
            return 503, f"failed, incident.io will deliver it again: {error}"
        except BaseException:
            await self._forget(store.release_delivery, webhook_id)
            raise
        await self._forget(store.finish_delivery, webhook_id)
        return 200, done

    async def _forget(self, mark: Callable[[str], Awaitable[None]], webhook_id: str) -> None:
        try:
            await mark(webhook_id)
        except StoreError as error:
            # The claim's lease then decides: another replica may take it after LEASE.
            log.warning("could not record the end of webhook %s: %s", webhook_id, error)

    async def _purge(self) -> None:
        if time.monotonic() - self.purged_at < PURGE_EVERY:
            return
        self.purged_at = time.monotonic()
        try:
            gone = await self.deps.store.purge_deliveries(datetime.now(UTC) - KEEP)
        except StoreError as error:
            log.warning("could not purge old webhook deliveries: %s", error)
            return
        if gone:
            log.info("purged %d webhook deliveries older than %s", gone, KEEP)


def _kind(status: int, outcome: str) -> str:
    """The metric's outcome: accepted, ignored, duplicate, refused or failed."""
    if status >= 500:
        return "failed"
    if status >= 400 and status != 409:
        return "refused"
    first = outcome.split(":", 1)[0]
    return first if first in ("ignored", "duplicate") else "accepted"
