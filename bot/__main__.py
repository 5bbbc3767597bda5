"""`incident-bot` command line: serve, check, migrate, sandbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from bot.config import (
    ConfigError,
    Configured,
    Settings,
    StoreSettings,
    load_settings,
    load_store_settings,
)
from bot.observability.logs import setup_logging
from bot.probe import healthcheck
from bot.store_api import StoreError

if TYPE_CHECKING:
    from bot.store.sql import SqlStore

log = logging.getLogger("bot")
S = TypeVar("S", bound=StoreSettings)
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
RUN_NO_KEY = (
    "incident-bot run: {settings} {are} set but INCIDENTIO_API_KEY is not, so there is nothing\n"
    "to serve Slack with, and the terminal sandbox would leave {them} unused. Either:\n"
    "  serve your workspace: set INCIDENTIO_API_KEY (see README.md, Configuration), or\n"
    "  try the bot in your workspace on a local incident.io emulator (incidents not real):\n"
    "    incident-bot sandbox --real-slack, or\n"
    "  try it in the terminal, Slack settings unused: incident-bot sandbox"
)
NO_SANDBOX = (
    "The sandbox is not installed here: it is a separate package, the project's test bed.\n"
    "From a clone of the repository, `make run` installs it (or `pip install -e ./sandbox`)."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="incident-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the bot (Socket Mode if SLACK_APP_TOKEN is set)")
    mode = serve.add_mutually_exclusive_group()
    mode.add_argument("--socket", action="store_true", help="force Socket Mode")
    mode.add_argument("--http", action="store_true", help="force HTTP mode")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP mode: address to bind")  # noqa: S104
    serve.add_argument("--port", type=_port, help="HTTP mode: port (default: PORT, or 3000)")
    serve.add_argument(
        "--workers", type=_workers, default=1, help="HTTP mode: processes sharing the port"
    )
    sub.add_parser(
        "run",
        help="serve when an incident.io key is configured, else start the sandbox (make run)",
    )
    sub.add_parser("check", help="check the configuration against Slack and incident.io")
    sub.add_parser("migrate", help="bring the store's schema (DATABASE_URL) up to date, then exit")
    sub.add_parser("healthcheck", help="exit 0 when the local /healthz answers (for Docker)")
    sandbox = sub.add_parser("sandbox", help="try the bot on a local incident.io emulator")
    plugin = _sandbox()
    if plugin is None:
        # The product installs without its test bed (the Docker image does): say how to get it.
        sandbox.add_argument("rest", nargs=argparse.REMAINDER)
    else:
        plugin.configure_parser(sandbox)
    return parser


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of workers (1 to 64)")
    return int(text)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (1 to 65535)")
    return port


class _Command(Protocol):
    def configure_parser(self, parser: argparse.ArgumentParser) -> None: ...
    def run(self, args: argparse.Namespace) -> int: ...


def _sandbox() -> _Command | None:
    """The sandbox, when its distribution is installed: it registers itself as an entry point,
    so the product never imports its test bed."""
    found = entry_points(group="incident_bot.commands", name="sandbox")
    return cast(_Command, next(iter(found)).load()) if found else None


def _settings() -> Settings:
    return _configured(load_settings)


def _configured(load: Callable[[], S]) -> S:
    """What `load` reads; a configuration error is printed and ends the command (status 2)."""
    try:
        return load()
    except ConfigError as error:
        print(error, file=sys.stderr)
        print("See README.md, Configuration.", file=sys.stderr)
        raise SystemExit(2) from None


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_app
    from bot.check import WEBHOOKS_NEED_HEALTH_PORT
    from bot.incidentio.client import IncidentIoClient
    from bot.server import serve_http, serve_socket
    from bot.store.sql import SqlStore

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
        revision = asyncio.run(_migrated(store))
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
        log.info("serving HTTP on %s:%d (POST /slack/events)", args.host, port)
        serve_http(bot, args.host, port)
    return 0


def _serve_workers(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import Bot, build_app
    from bot.incidentio.client import IncidentIoClient
    from bot.server import serve_http
    from bot.store.sql import SqlStore
    from bot.workers import serve_workers

    def build() -> Bot:  # in each worker, after the fork: its own clients, caches and store
        store = SqlStore(settings.database())
        return build_app(settings, IncidentIoClient.from_settings(settings), store=store)

    port = args.port or settings.port
    log.info("serving HTTP on %s:%d with %d workers", args.host, port, args.workers)
    return serve_workers(
        build,
        lambda bot, sock: serve_http(bot, args.host, port, sock=sock),
        args.host,
        port,
        args.workers,
    )


async def _migrated(store: SqlStore) -> str | None:
    """Migrate, then let go of the connections: they belong to this event loop, not to the
    one that will serve."""
    try:
        await store.migrate()
        return await store.revision()
    finally:
        await store.close()


def _migrate() -> int:
    from bot.store.sql import SqlStore

    # Only DATABASE_URL (or the data directory) is read: a migration job needs no other secret.
    store = SqlStore(_configured(load_store_settings).database())
    try:
        revision = asyncio.run(_migrated(store))
    except StoreError as error:
        print(f"incident-bot migrate: {error}", file=sys.stderr)
        return 1
    print(f"incident-bot migrate: the store ({store.where}) is at revision {revision}")
    return 0


def _missing_for_mode(settings: Settings, args: argparse.Namespace, *, socket: bool) -> str | None:
    """What the mode `serve` runs in lacks: a mode chosen by flag names only its own setting."""
    if socket:  # by flag, or because SLACK_APP_TOKEN is set
        return None if settings.slack_app_token is not None else SOCKET_NEEDS
    if settings.slack_signing_secret is not None:
        return None
    return HTTP_NEEDS if args.http else BOTH_WAYS


def _check(settings: Settings) -> int:
    from bot.app import slack_client
    from bot.check import run_check
    from bot.incidentio.client import IncidentIoClient

    async def go() -> bool:
        async with IncidentIoClient.from_settings(settings, max_retries=0) as incidents:
            return await run_check(settings, incidents, slack_client(settings))

    return 0 if asyncio.run(go()) else 1


def _run_mode() -> str | None:
    """`make run`: the settings the bot reads decide between serving and the sandbox, and it
    says which and why. Slack settings with no incident.io key fit neither: None, having said so.
    """
    configured = Configured()
    slack = configured.slack()
    if configured.incidentio_api_key is not None:
        print(
            "incident-bot run: INCIDENTIO_API_KEY is set, so this serves Slack "
            "(without it, run starts the sandbox).",
            file=sys.stderr,
        )
        return "serve"
    if slack:
        are, them = ("is", "it") if len(slack) == 1 else ("are", "them")
        print(RUN_NO_KEY.format(settings=", ".join(slack), are=are, them=them), file=sys.stderr)
        return None
    print(
        "incident-bot run: no INCIDENTIO_API_KEY and no Slack settings, so this starts the "
        "sandbox (set them to serve Slack; see README.md, Configuration).",
        file=sys.stderr,
    )
    return "sandbox"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "healthcheck":
        return healthcheck()
    if args.command == "run":
        chosen = _run_mode()
        if chosen is None:
            return 2
        args = _parser().parse_args([chosen])
    if args.command == "sandbox":
        plugin = _sandbox()
        if plugin is None:
            print(NO_SANDBOX, file=sys.stderr)
            return 2
        return plugin.run(args)
    if args.command == "migrate":
        return _migrate()
    settings = _settings()
    setup_logging(settings.log_level, settings.log_format)
    if args.command == "check":
        return _check(settings)
    return _serve(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
