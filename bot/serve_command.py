"""`incident-bot serve`: check the mode's settings, migrate the store, then serve HTTP (one
process or --workers) or Socket Mode."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.store_api import StoreError

if TYPE_CHECKING:
    from bot.store.sql import SqlStore

log = logging.getLogger("bot")
BOTH_WAYS = (
    "Nothing to connect to Slack with. Either:\n"
    "  Socket Mode (no public URL): set SLACK_APP_TOKEN (an xapp- token), or\n"
    "  HTTP mode: set SLACK_SIGNING_SECRET and run `incident-bot serve --http`.\n"
    "See README.md, Deploying."
)
SOCKET_NEEDS = (
    "Socket Mode needs SLACK_APP_TOKEN: an app-level token (xapp-…) with connections:write,\n"
    "from the app's Basic Information page. See README.md, Deploying."
)
HTTP_NEEDS = (
    "HTTP mode needs SLACK_SIGNING_SECRET: the Signing Secret from the app's Basic Information\n"
    "page. See README.md, Deploying."
)


def serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_app
    from bot.check import WEBHOOKS_NEED_HEALTH_PORT
    from bot.incidentio.client import IncidentIoClient
    from bot.server import serve_http, serve_socket
    from bot.store.child_migration import migrate_apart
    from bot.store.sql import SqlStore
    from bot.webhook_endpoint import route_said

    socket = args.socket or (settings.socket_mode and not args.http)
    missing = _missing_for_mode(settings, args, socket=socket)
    if missing:
        print(missing, file=sys.stderr)
        return 2
    if socket and settings.incidentio_webhook_secret and not settings.health_port:
        print(
            f"INCIDENTIO_WEBHOOK_SECRET is set, but {WEBHOOKS_NEED_HEALTH_PORT}.\n"
            "See README.md, incident.io webhooks.",
            file=sys.stderr,
        )
        return 2
    if socket and args.workers > 1:
        print("--workers serves HTTP: add --http (Socket Mode is one connection)", file=sys.stderr)
        return 2
    if settings.incidentio_sandbox:
        log.warning(
            "SANDBOX MODE: incidents are not real; incident.io is %s", settings.incidentio_base_url
        )
    store = SqlStore(settings.database())
    try:
        revision = asyncio.run(migrate_apart(store))
        log.info("store: %s, schema at revision %s", store.where, revision)
    except StoreError as error:
        # Serve anyway: incident.io is the system of record and a card is a convenience; the
        # store migrates on its first use once the database is back.
        log.error("%s; serving without it until it can be reached", error)
    if args.workers > 1:
        return _serve_workers(settings, args)
    incidents = IncidentIoClient.from_settings(settings)
    bot = build_app(settings, incidents, store=store)
    if socket:
        assert settings.slack_app_token is not None
        token = settings.slack_app_token.get_secret_value()
        asyncio.run(serve_socket(bot, token, settings.health_port))
    else:
        port = args.port or settings.port
        log.info(
            "serving HTTP on %s:%d (POST /slack/events; %s)", args.host, port, route_said(settings)
        )
        serve_http(bot, args.host, port)
    return 0


def _serve_workers(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import Bot, build_app
    from bot.incidentio.client import IncidentIoClient
    from bot.server import serve_http
    from bot.store.sql import SqlStore
    from bot.webhook_endpoint import route_said
    from bot.workers import serve_workers

    def build() -> Bot:  # in each worker, after the fork: its own clients, caches and store
        store = SqlStore(settings.database())
        return build_app(settings, IncidentIoClient.from_settings(settings), store=store)

    port = args.port or settings.port
    said = route_said(settings)
    log.info(
        "serving HTTP on %s:%d with %d workers (POST /slack/events; %s)",
        args.host,
        port,
        args.workers,
        said,
    )
    return serve_workers(
        build,
        lambda bot, sock: serve_http(bot, args.host, port, sock=sock),
        args.host,
        port,
        args.workers,
    )


async def migrated(store: SqlStore) -> str | None:
    """Migrate, then let go of the connections: they belong to this event loop, not to the
    one that will serve."""
    try:
        await store.migrate()
        return await store.revision()
    finally:
        await store.close()


def _missing_for_mode(settings: Settings, args: argparse.Namespace, *, socket: bool) -> str | None:
    """What the mode `serve` runs in lacks: a mode chosen by flag names only its own setting."""
    if socket:  # by flag, or because SLACK_APP_TOKEN is set
        return None if settings.slack_app_token is not None else SOCKET_NEEDS
    if settings.slack_signing_secret is not None:
        return None
    return HTTP_NEEDS if args.http else BOTH_WAYS
