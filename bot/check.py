"""`incident-bot check`: try the configuration against Slack and incident.io, say what works."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.incidentio.client import IncidentIoClient
from bot.incidentio.errors import IncidentIoError
from bot.reminders.schedule import Schedule

# Bot scopes the bot uses; manifest.yaml asks for exactly these.
# users:read: users.info, to name the people a message mentions when it goes to incident.io,
# and to know who a person is for the policy. usergroups:read: the policy's usergroup rules.
REQUIRED_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "usergroups:read",
)
# How long each check waits for an answer: a service that accepts and never answers is a failure
# to report, not a reason to hang.
CHECK_SECONDS = 5.0

# `serve` refuses to start with this too: an endpoint nobody can reach is worse than none.
WEBHOOKS_NEED_HEALTH_PORT = (
    "Socket Mode serves them on HEALTH_PORT, which is not set: set it (and route only POST "
    "/incidentio/webhooks to it publicly), or unset INCIDENTIO_WEBHOOK_SECRET"
)

Line = tuple[bool | None, str]  # passed (None: information only), what was found
T = TypeVar("T")


async def run_check(
    settings: Settings,
    incidents: IncidentIoClient,
    slack: AsyncWebClient,
    out: Callable[[str], None] = print,
    *,
    within: float | None = None,
) -> bool:
    """Print one line per check; True when everything the bot needs works. Slack and incident.io
    are tried at once, each call for at most `within` seconds (CHECK_SECONDS)."""
    limit = CHECK_SECONDS if within is None else within
    found = await asyncio.gather(
        _slack(settings, slack, limit),
        _incidentio(settings, incidents, limit),
        _reminders(settings, incidents, limit),
    )
    ok = True
    for passed, text in [*found[0], *found[1], *_mode(settings), _webhooks(settings), found[2]]:
        ok = ok and passed is not False
        out(f"{'info' if passed is None else 'ok  ' if passed else 'FAIL'} {text}")
    return ok


async def _bounded(call: Awaitable[T], limit: float) -> T:
    async with asyncio.timeout(limit):
        return await call


def _reason(error: BaseException) -> str:
    # Some socket errors carry no text at all: the kind of error is then the reason.
    return str(error) or type(error).__name__


async def _slack(settings: Settings, slack: AsyncWebClient, limit: float) -> list[Line]:
    try:
        auth = await _bounded(slack.auth_test(), limit)
    except SlackApiError as error:
        return [(False, f"Slack: auth.test failed: {error.response.get('error')}")]
    except TimeoutError:  # before OSError, of which it is one
        return [(False, f"Slack did not answer within {limit:g} s ({settings.slack_api_url})")]
    except (OSError, aiohttp.ClientError) as error:
        return [(False, f"Slack: unreachable at {settings.slack_api_url}: {_reason(error)}")]
    lines: list[Line] = [
        (True, f"Slack: authenticated as {auth.get('user')} in {auth.get('team')}")
    ]
    granted = {s.strip() for s in auth.headers.get("x-oauth-scopes", "").split(",") if s}
    missing = [s for s in REQUIRED_SCOPES if s not in granted]
    if granted:
        scopes = f"missing {', '.join(missing)}" if missing else "all present"
        lines.append((not missing, f"Slack scopes: {scopes}"))
    return lines


async def _incidentio(settings: Settings, incidents: IncidentIoClient, limit: float) -> list[Line]:
    silent = f"incident.io did not answer within {limit:g} s ({settings.incidentio_base_url})"
    try:
        identity = await _bounded(incidents.get_identity(), limit)
    except TimeoutError:
        return [(False, silent)]
    except IncidentIoError as error:
        return [(False, f"incident.io: {error}")]
    roles = ", ".join(identity.roles) or "none"
    lines: list[Line] = [(True, f"incident.io: API key '{identity.name}' with roles {roles}")]
    checks = {
        "severities": incidents.list_severities(),
        "incident statuses": incidents.list_incident_statuses(),
        "incident types": incidents.list_incident_types(),
        "incident roles": incidents.list_incident_roles(),
    }
    results = await asyncio.gather(
        *(_bounded(c, limit) for c in checks.values()), return_exceptions=True
    )
    for name, result in zip(checks, results, strict=True):
        if isinstance(result, list):
            lines.append((len(result) > 0, f"incident.io {name}: {len(result)} found"))
        elif isinstance(result, TimeoutError):
            lines.append((False, f"incident.io {name}: {silent.removeprefix('incident.io ')}"))
        elif isinstance(result, BaseException):
            lines.append((False, f"incident.io {name}: {_reason(result)}"))
    return lines


def _mode(settings: Settings) -> list[Line]:
    if settings.socket_mode:
        return [(None, "Socket Mode: SLACK_APP_TOKEN is set")]
    if settings.slack_signing_secret is None:
        return [
            (False, "HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)")
        ]
    return []


def _webhooks(settings: Settings) -> Line:
    if settings.incidentio_webhook_secret is None:
        return (None, "incident.io webhooks: off (INCIDENTIO_WEBHOOK_SECRET is not set)")
    where = f"port {settings.health_port}" if settings.socket_mode else f"port {settings.port}"
    if settings.socket_mode and settings.health_port is None:
        return (False, f"incident.io webhooks: on, but {WEBHOOKS_NEED_HEALTH_PORT}")
    return (None, f"incident.io webhooks: on, at POST /incidentio/webhooks ({where})")


async def _reminders(settings: Settings, incidents: IncidentIoClient, limit: float) -> Line:
    if settings.reminder_minutes is None:
        return (None, "update reminders: off (REMINDER_MINUTES is not set)")
    schedule = Schedule.parse(settings.reminder_minutes)
    every = f"checked every {settings.reminder_check_seconds:g} s"
    on = f"update reminders: on ({schedule} minutes, {every})"
    try:
        # Read again, not taken from the severities line: that one runs beside it.
        severities = await _bounded(incidents.list_severities(), limit)
    except TimeoutError:
        return (None, f"{on}; severity names not checked: no answer within {limit:g} s")
    except IncidentIoError as error:
        return (None, f"{on}; severity names not checked: {_reason(error)}")
    problem = schedule.unknown(s.name for s in severities)
    return (False, f"update reminders: {problem}") if problem else (True, on)
