"""`incident-bot` command line: serve, run, check, migrate, healthcheck, sandbox."""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Protocol, TypeVar, cast

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

log = logging.getLogger("bot")
SETTINGS = (
    "Settings come from environment variables, or a .env file in the working directory; "
    'README.md, "Configuration", lists them.'
)
S = TypeVar("S", bound=StoreSettings)
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
    parser = argparse.ArgumentParser(prog="incident-bot", description=__doc__, epilog=SETTINGS)
    sub = parser.add_subparsers(dest="command", required=True)
    add = functools.partial(sub.add_parser, epilog=SETTINGS)
    serve = add("serve", help="run the bot (Socket Mode if SLACK_APP_TOKEN is set)")
    mode = serve.add_mutually_exclusive_group()
    mode.add_argument("--socket", action="store_true", help="force Socket Mode")
    mode.add_argument("--http", action="store_true", help="force HTTP mode")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP mode: address to bind")  # noqa: S104
    serve.add_argument("--port", type=_port, help="HTTP mode: port (default: PORT, or 3000)")
    serve.add_argument(
        "--workers", type=_workers, default=1, help="HTTP mode: processes sharing the port"
    )
    add(
        "run",
        help="serve when an incident.io key is configured, else start the sandbox (make run)",
    )
    add("check", help="check the configuration against Slack and incident.io")
    add("migrate", help="bring the store's schema (DATABASE_URL) up to date, then exit")
    add("healthcheck", help="exit 0 when the local /healthz answers (for Docker)")
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


def _migrate() -> int:
    from bot.serve_command import migrated
    from bot.store.sql import SqlStore

    # Only DATABASE_URL (or the data directory) is read: a migration job needs no other secret.
    store = SqlStore(_configured(load_store_settings).database())
    try:
        revision = asyncio.run(migrated(store))
    except StoreError as error:
        print(f"incident-bot migrate: {error}", file=sys.stderr)
        return 1
    print(f"incident-bot migrate: the store ({store.where}) is at revision {revision}")
    return 0


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
    if args.command == "check":
        # check's output is its report: the log lines of the calls it makes would repeat it
        # (and outlive it), unless the operator asks for DEBUG.
        quiet = settings.log_level if settings.log_level == "DEBUG" else "CRITICAL"
        setup_logging(quiet, settings.log_format)
        return _check(settings)
    setup_logging(settings.log_level, settings.log_format)
    from bot.serve_command import serve

    return serve(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
