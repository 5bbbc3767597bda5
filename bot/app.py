"""build_app(): assembles the bot from settings and an incident.io client. Nothing global."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot import audit
from bot.command import Verb
from bot.config import Settings
from bot.deps import Deps
from bot.directory import Directory
from bot.failures import SLACK_UNREACHABLE, describe, log_failure, report
from bot.flows import (
    browse,
    buttons,
    choices,
    declare,
    lead,
    oncall,
    page,
    picker,
    reminders,
    router,
    shortcuts,
    verbs,
)
from bot.flows.edit import Edit
from bot.flows.escalate import Escalate
from bot.flows.page import Page
from bot.flows.resolve import Resolve
from bot.flows.roles import Roles
from bot.flows.update import Update
from bot.gate import VERIFIED, Gate
from bot.ids import Action, Modal
from bot.incidentio.catalog import CatalogCache, OpenIncidentsCache
from bot.incidentio.client import IncidentIoClient
from bot.incidentio.oncall_cache import OnCallCache
from bot.observability import interaction as ix
from bot.observability import middleware
from bot.observability.health import Health
from bot.policy import Guard, Policy
from bot.reminders.schedule import ReminderSettings, Schedule
from bot.store.sql import SqlStore
from bot.store_api import Store
from bot.surface import SURFACE, Locate, Surface, surface_for
from bot.ui.common import message_modal, with_request_id
from bot.usergroups import Usergroups

log = logging.getLogger("bot.app")

# Every verb that changes one incident, each a spec run by the one mechanism in flows/verbs.py.
ROLES = Roles()
CHANGE_VERBS = (
    Update(),
    Escalate(),
    Resolve(),
    ROLES,
    Edit(),
    Page(),
)


@dataclass(frozen=True)
class Bot:
    """One bot: the Bolt app, and the dependencies its listeners, transports and probes share."""

    app: AsyncApp
    deps: Deps


def slack_client(settings: Settings) -> AsyncWebClient:
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )


def build_deps(
    settings: Settings, incidents: IncidentIoClient, slack: AsyncWebClient, store: Store
) -> Deps:
    catalog = CatalogCache(incidents, settings.catalog_ttl_seconds)
    open_incidents = OpenIncidentsCache(incidents)
    directory = Directory(slack)
    usergroups = Usergroups(slack, ttl=settings.policy_usergroup_ttl_seconds)
    deps = Deps(
        settings=settings,
        incidents=incidents,
        catalog=catalog,
        open_incidents=open_incidents,
        health=Health(incidents, catalog, open_incidents),
        directory=directory,
        guard=Guard(Policy.from_settings(settings), directory, usergroups),
        store=store,
        oncall=OnCallCache(incidents),
        reminders=ReminderSettings(
            Schedule.parse(settings.reminder_minutes or ""),
            settings.reminder_check_seconds,
            timedelta(seconds=settings.reminder_lease_seconds),
        ),
    )
    incidents.add_observer(ix.observe_call)
    incidents.add_observer(audit.observe_call)
    incidents.add_observer(deps.metrics.observe_call)
    incidents.add_observer(deps.health.observe_call)
    return deps


def build_app(
    settings: Settings,
    incidents: IncidentIoClient,
    *,
    client: AsyncWebClient | None = None,
    store: Store | None = None,
) -> Bot:
    """The whole Slack app. Tests pass their own client (fake Slack), incidents (respx) and
    store (bot/store_api.MemoryStore); otherwise the store is DATABASE_URL's, which connects
    on first use (`serve` migrates it before)."""
    client = client or slack_client(settings)
    deps = build_deps(settings, incidents, client, store or SqlStore(settings.database()))
    secret = settings.slack_signing_secret
    # Socket Mode needs no signing secret; an unguessable one keeps HTTP requests out then.
    verifier = SignatureVerifier(secret.get_secret_value() if secret else secrets.token_hex(32))

    app = AsyncApp(
        client=client,
        # Verified once, by the gate, which Bolt runs before anything that could call Slack
        # (authorization); Bolt's own check raises on malformed headers (see bot/gate.py).
        request_verification_enabled=False,
        before_authorize=Gate(verifier),
        process_before_response=False,
    )

    middleware.install(app, deps.metrics)
    app.use(Locate(sandbox=deps.sandbox))

    # The slash command first: Bolt tries listeners in the order they were registered, and each
    # try builds every argument a listener could ask for. Registered last, a command paid for
    # some twenty non-matching tries (bench/PROFILE.md); nothing else matches a command.
    router.register(
        app,
        deps,
        {
            **verbs.commands(CHANGE_VERBS),
            Verb.DECLARE: declare.on_command,
            Verb.LIST: browse.list_open,
            Verb.SHOW: browse.show,
            Verb.LEAD: lead.command(ROLES),
            Verb.ONCALL: oncall.on_command,
        },
    )
    verbs.register(app, deps, CHANGE_VERBS)
    # The incident card's buttons: one per change verb, each opening that verb's modal.
    buttons.register(app, deps, CHANGE_VERBS)
    picker.register(app, deps, {spec.verb.value: spec for spec in CHANGE_VERBS})
    declare.register(app, deps)
    choices.register(
        app,
        deps,
        {Modal.DECLARE.value: declare.choices, **{v.modal.value: v.choices for v in CHANGE_VERBS}},
    )
    shortcuts.register(app, deps)
    page.register(app, deps)
    reminders.register(app, deps)  # Snooze; Post update is the card's Update button

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
    ) -> BoltResponse | None:
        if not request.context.get(VERIFIED):
            # Never act on an unverified body's response_url, channel or user.
            log.info("refused a request that failed before its signature was checked")
            return BoltResponse(status=401, body={"error": "invalid request"})
        context = request.context
        surface = context.get(SURFACE) or surface_for(
            body, context.client, context.respond, sandbox=deps.sandbox
        )
        kind, name, _ = middleware.describe_request(body)
        where = f"{kind} {name}"
        if response is not None and (
            kind == "view_submission" or isinstance(error, SLACK_UNREACHABLE)
        ):
            # Not acknowledged yet (a response exists only then): the ack itself answers, where
            # Slack would otherwise show a connection error for the HTTP 500. When Slack's Web
            # API cannot be reached, the ack is the one way left to tell the person anything.
            log_failure(error, where)
            return _answer_in_ack(kind, surface, error)
        await report(error, surface, where=where)
        return None

    return Bot(app, deps)


def _answer_in_ack(kind: str, surface: Surface, error: Exception) -> BoltResponse:
    """The failure, said in the HTTP answer to Slack's request, as each kind of request allows."""
    message, request_id = describe(error)
    shown = with_request_id(message, request_id)
    if kind == "view_submission":
        view = surface.view(message_modal("Could not finish", shown))
        return BoltResponse(status=200, body={"response_action": "update", "view": view.to_dict()})
    if kind == "command":
        return BoltResponse(
            status=200, body={"response_type": "ephemeral", "text": surface.text(shown)}
        )
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    return BoltResponse(status=200, body="")  # shortcuts, buttons, events: nowhere to say it
