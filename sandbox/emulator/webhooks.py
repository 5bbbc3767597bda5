"""Webhooks as incident.io sends them: on incident changes, Svix-signed, to a configured URL.

Payloads take the shapes of the schema's `x-webhooks` (API-NOTES §12.2): public events carry the
incident (status changes also the previous and new status), private ones only its ID. Sent in
the background, in order, once each; every delivery is kept (its headers and body too) so a test
can deliver it again, as incident.io's retries do, to another replica.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from svix.webhooks import Webhook

from sandbox.emulator.store import Store

log = logging.getLogger("sandbox.emulator.webhooks")
SEND_TIMEOUT = 10.0


@dataclass
class Delivery:
    id: str  # the webhook-id
    event_type: str
    incident_id: str
    body: str
    headers: dict[str, str]
    status: int | str | None = None  # the receiver's answer, or why there was none

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event_type": self.event_type,
            "incident_id": self.incident_id,
            "status": self.status,
            "headers": self.headers,
            "body": self.body,
        }


@dataclass
class WebhookSender:
    url: str | None = None
    secret: str | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    # How to reach `url` (an in-process app in tests); None: over the network.
    transport: httpx.AsyncBaseTransport | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _order: asyncio.Lock | None = None

    def configure(self, url: str | None, secret: str | None) -> None:
        """Sign deliveries with `secret` (whsec_…; None: none are made) and send them to `url`
        (None: only kept, for a test to deliver as it likes)."""
        if secret is not None:
            Webhook(secret)  # a secret svix cannot use fails here, not at the first send
        self.url, self.secret = url, secret

    @property
    def on(self) -> bool:
        return self.secret is not None

    def snapshot(self, store: Store) -> dict[str, dict[str, Any]] | None:
        """Before a write: each incident as it is (None while sending is off)."""
        if not self.on:
            return None
        return {r.id: copy.deepcopy(r.data) for r in store.incidents.values()}

    def changed(self, store: Store, before: dict[str, dict[str, Any]] | None) -> None:
        """After a write: what incident.io sends for each incident it created or changed."""
        if before is None or not self.on:
            return
        for record in store.incidents.values():
            old = before.get(record.id)
            if old is None or old["updated_at"] != record.data["updated_at"]:
                self.incident_changed(old, store.render_incident(record))

    def incident_changed(self, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        """Created; else updated, and status updated when the status moved."""
        private = after.get("visibility") == "private"
        scope = "private_incident" if private else "public_incident"
        payload: dict[str, Any] = {"id": after["id"]} if private else after
        if before is None:
            self._send(f"{scope}.incident_created_v2", payload, after["id"])
            return
        self._send(f"{scope}.incident_updated_v2", payload, after["id"])
        moved = before["incident_status"]["id"] != after["incident_status"]["id"]
        if moved and not private:  # x-webhooks has no private status event
            change = {
                "incident": after,
                "previous_status": before["incident_status"],
                "new_status": after["incident_status"],
            }
            self._send(f"{scope}.incident_status_updated_v2", change, after["id"])

    def signed(self, event_type: str, payload: Any, incident_id: str) -> Delivery:
        """A delivery of one event, signed now."""
        assert self.secret is not None
        webhook_id = f"msg_{uuid.uuid4().hex}"
        body = json.dumps({"event_type": event_type, event_type: payload})
        moment = datetime.fromtimestamp(time.time(), UTC)  # the receiver checks it: real time
        headers = {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(self.secret).sign(webhook_id, moment, body),
        }
        return Delivery(webhook_id, event_type, incident_id, body, headers)

    def _send(self, event_type: str, payload: Any, incident_id: str) -> None:
        delivery = self.signed(event_type, payload, incident_id)
        self.deliveries.append(delivery)
        if not self.url:
            return
        task = asyncio.get_running_loop().create_task(self._post(delivery, self.url))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, delivery: Delivery, url: str) -> None:
        self._order = self._order or asyncio.Lock()
        async with self._order:  # in the order of the changes (a receiver must not rely on it)
            try:
                async with httpx.AsyncClient(
                    timeout=SEND_TIMEOUT, transport=self.transport
                ) as client:
                    answer = await client.post(url, content=delivery.body, headers=delivery.headers)
                delivery.status = answer.status_code
            except httpx.HTTPError as error:
                delivery.status = type(error).__name__
                log.warning("webhook %s to %s not delivered: %s", delivery.id, url, error)

    async def sent(self) -> None:
        """Wait, in the loop that sends, until every delivery so far has its answer."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))
