"""build_app(): assembles the Bolt app from settings and an incident.io client. Nothing global."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.deps import Deps
from bot.flows import declare, escalate, resolve, router, shortcuts, targeted, update
from bot.ids import Action
from bot.incidentio.catalog import CatalogCache, OpenIncidentsCache
from bot.incidentio.client import IncidentIoClient
from bot.observability import interaction as ix
from bot.observability import middleware
from bot.replies import Reply, describe, log_failure, report
from bot.ui.common import message_modal, with_request_id

log = logging.getLogger("bot.app")


def slack_client(settings: Settings) -> AsyncWebClient:
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )


def build_deps(settings: Settings, incidents: IncidentIoClient) -> Deps:
    deps = Deps(
        settings=settings,
        incidents=incidents,
        catalog=CatalogCache(incidents, settings.catalog_ttl_seconds),
        open_incidents=OpenIncidentsCache(incidents),
    )
    incidents.add_observer(ix.observe_call)
    incidents.add_observer(deps.metrics.observe_call)
    incidents.add_observer(deps.health.observe_call)
    return deps


def signed(
    verifier: SignatureVerifier, body: str | bytes, timestamp: str | None, signature: str | None
) -> bool:
    """Slack's signature check, where a malformed header fails the check instead of raising."""
    try:
        return verifier.is_valid(body, timestamp, signature)
    except (ValueError, TypeError):  # a non-numeric timestamp, a non-ASCII signature
        return False


def _reply_for(body: dict[str, Any], client: AsyncWebClient, deps: Deps, respond: Any) -> Reply:
    """Where the person of this payload is looking."""
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else body.get("user_id")
    channel = body.get("channel")
    channel_id = channel.get("id") if isinstance(channel, dict) else body.get("channel_id")
    view = body.get("view") if body.get("type") == "view_submission" else None
    return Reply(
        client,
        deps.sandbox,
        respond=respond if body.get("response_url") else None,
        channel_id=channel_id,
        user_id=user_id,
        view_id=view.get("id") if isinstance(view, dict) else None,
    )


def build_app(
    settings: Settings,
    incidents: IncidentIoClient,
    *,
    client: AsyncWebClient | None = None,
    deps: Deps | None = None,
) -> AsyncApp:
    """The whole Slack app. Tests pass their own client (fake Slack) and incidents (respx)."""
    deps = deps or build_deps(settings, incidents)
    secret = settings.slack_signing_secret
    # Socket Mode needs no signing secret; an unguessable one keeps HTTP requests out then.
    signing_secret = secret.get_secret_value() if secret else secrets.token_hex(32)
    verifier = SignatureVerifier(signing_secret)
    app = AsyncApp(
        client=client or slack_client(settings),
        signing_secret=signing_secret,
        process_before_response=False,
    )
    app._incident_bot_deps = deps  # type: ignore[attr-defined]
    middleware.install(app, deps.metrics)

    router.register(app, deps)
    declare.register(app, deps)
    update.register(app, deps)
    escalate.register(app, deps)
    resolve.register(app, deps)
    shortcuts.register(app, deps)
    targeted.register(
        app,
        deps,
        {"update": update.build, "escalate": escalate.build, "resolve": resolve.build},
    )

    @app.action(Action.OPEN_INCIDENT.value)
    @app.action(Action.OPEN_CHANNEL.value)
    async def ack_link_button(ack: AsyncAck) -> None:
        # Link buttons open in the browser; Slack still expects an ack.
        await ack()

    @app.error
    async def handle_error(
        error: Exception,
        body: dict[str, Any],
        request: AsyncBoltRequest,
        response: BoltResponse | None,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> BoltResponse | None:
        # Bolt hands the error handler requests whose signature check raised (a malformed
        # header): never act on an unverified body's response_url, channel or user.
        if request.mode != "socket_mode" and not signed(
            verifier,
            request.raw_body,
            next(iter(request.headers.get("x-slack-request-timestamp", [])), None),
            next(iter(request.headers.get("x-slack-signature", [])), None),
        ):
            log.info("refused a request with a malformed signature")
            return BoltResponse(status=401, body={"error": "invalid request"})
        reply = _reply_for(body, client, deps, respond)
        if body.get("type") == "view_submission" and response is not None:
            # Not acknowledged yet (a response exists only then): answer in the modal itself,
            # where Slack would otherwise show a connection error for the HTTP 500.
            log_failure(error, "view_submission")
            message, request_id = describe(error)
            view = reply.view(
                message_modal("Could not finish", with_request_id(message, request_id))
            )
            return BoltResponse(
                status=200, body={"response_action": "update", "view": view.to_dict()}
            )
        await report(error, reply, where=str(body.get("type")))
        return None

    return app


def app_deps(app: AsyncApp) -> Deps:
    deps: Deps = app._incident_bot_deps  # type: ignore[attr-defined]
    return deps
