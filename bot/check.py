"""`incident-bot check`: try the configuration against Slack and incident.io, say what works."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.incidentio.client import IncidentIoClient
from bot.incidentio.errors import IncidentIoError

# Bot scopes the bot uses; manifest.yaml asks for exactly these.
# users:read: users.info, to name the people a message mentions when it goes to incident.io,
# and to know who a person is for the policy. usergroups:read: the policy's usergroup rules.
REQUIRED_SCOPES = ("commands", "chat:write", "users:read", "usergroups:read")


async def run_check(
    settings: Settings,
    incidents: IncidentIoClient,
    slack: AsyncWebClient,
    out: Callable[[str], None] = print,
) -> bool:
    """Print one line per check; True when everything the bot needs works."""
    ok = True

    def line(passed: bool, text: str) -> None:
        nonlocal ok
        ok = ok and passed
        out(f"{'ok  ' if passed else 'FAIL'} {text}")

    try:
        auth = await slack.auth_test()
        line(True, f"Slack: authenticated as {auth.get('user')} in {auth.get('team')}")
        granted = {s.strip() for s in auth.headers.get("x-oauth-scopes", "").split(",") if s}
        missing = [s for s in REQUIRED_SCOPES if s not in granted]
        if granted:
            line(
                not missing,
                "Slack scopes: " + (f"missing {', '.join(missing)}" if missing else "all present"),
            )
    except SlackApiError as error:
        line(False, f"Slack: auth.test failed: {error.response.get('error')}")
    except OSError as error:
        line(False, f"Slack: unreachable at {settings.slack_api_url}: {error}")

    try:
        identity = await incidents.get_identity()
        line(
            True,
            f"incident.io: API key '{identity.name}' with roles {', '.join(identity.roles) or 'none'}",
        )
    except IncidentIoError as error:
        line(False, f"incident.io: {error}")
        return False

    checks = {
        "severities": incidents.list_severities(),
        "incident statuses": incidents.list_incident_statuses(),
        "incident types": incidents.list_incident_types(),
        "incident roles": incidents.list_incident_roles(),
    }
    results = await asyncio.gather(*checks.values(), return_exceptions=True)
    for name, result in zip(checks, results, strict=True):
        if isinstance(result, list):
            line(len(result) > 0, f"incident.io {name}: {len(result)} found")
        else:
            line(False, f"incident.io {name}: {result}")
    if settings.socket_mode:
        out("info Socket Mode: SLACK_APP_TOKEN is set")
    elif settings.slack_signing_secret is None:
        line(False, "HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)")
    return ok
