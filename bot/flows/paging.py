"""Sending a page (an incident.io escalation), for the page verb and escalate's "also page".

Everything that can be checked is checked before anything is sent: the path still exists and
someone is on call for it; every person chosen has an incident.io user. Then one idempotent
`POST /v2/escalations`. A refusal (the key's permission, a team-scoped key, the 60-a-minute
limit) is said in words that name the cause, and nothing was paged.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from slack_sdk.models.blocks import Block

from bot.deps import Deps
from bot.failures import UserError, log_failure
from bot.forms import PageTarget
from bot.incidentio.errors import (
    IncidentIoError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from bot.incidentio.models import User
from bot.incidentio.oncall_models import Escalation, EscalationPath
from bot.slacktext import escape
from bot.ui.page import escalation_blocks

PERMISSION = "*Create escalations* (`escalations.create`, the key role `escalation_creator`)"
NOTHING_SENT = "Nobody was paged."


@dataclass(frozen=True)
class Target:
    """Whom a page goes to, checked: a path with someone on call, or incident.io users."""

    path: EscalationPath | None
    users: tuple[User, ...]


async def resolve_target(deps: Deps, target: PageTarget) -> Target:
    """The page's recipients as incident.io knows them now; UserError naming what is wrong."""
    if target.path_id:
        try:
            path = await deps.incidents.get_escalation_path(target.path_id)
        except NotFoundError:
            raise UserError("That escalation path no longer exists. Choose another.") from None
        if not path.current_responders:
            raise UserError(
                f"Nobody is on call for *{escape(path.name)}* right now, so the page would "
                f"reach no one. Choose another path, or page people. {NOTHING_SENT}"
            )
        return Target(path, tuple(path.current_responders))
    ids = target.slack_user_ids
    found = await asyncio.gather(*(deps.incidents.find_user_by_slack_id(u) for u in ids))
    missing = [u for u, user in zip(ids, found, strict=True) if user is None]
    if missing:
        names = await deps.directory.users(missing, within=0.5)
        named = ", ".join(escape(names[u]) if u in names else f"<@{u}>" for u in missing)
        some = "has" if len(missing) == 1 else "have"
        raise UserError(
            f"{named} {some} no incident.io user, so incident.io cannot page them. They can "
            f"sign in to incident.io with Slack; meanwhile page a path. {NOTHING_SENT}"
        )
    return Target(None, tuple(u for u in found if u is not None))


async def send_page(
    deps: Deps,
    target: Target,
    *,
    key: str,
    title: str,
    note: str | None,
    incident_id: str | None,
) -> Escalation:
    """One escalation, linked to the incident; the same `key` never pages twice."""
    try:
        return await deps.incidents.create_escalation(
            idempotency_key=key,
            title=title,
            escalation_path_id=target.path.id if target.path else None,
            user_ids=[] if target.path else [u.id for u in target.users],
            incident_id=incident_id,
            description=note,
        )
    except PermissionDeniedError as error:
        raise UserError(await _refusal(deps, target, error)) from error
    except RateLimitedError as error:
        wait = f" in {math.ceil(error.retry_after)} s" if error.retry_after else " in a minute"
        raise UserError(
            "incident.io takes 60 pages a minute and is refusing more just now. "
            f"{NOTHING_SENT} Submit again{wait}: it will not page twice."
        ) from error


async def _refusal(deps: Deps, target: Target, error: PermissionDeniedError) -> str:
    """Why incident.io refused the page, from what the key is allowed (GET /v1/identity)."""
    said = f" (incident.io: {escape(error.user_message)})"
    rid = f" _request_id: `{escape(error.request_id)}`_" if error.request_id else ""
    try:
        key = await deps.incidents.get_identity()
    except IncidentIoError:
        key = None
    org = key is not None and "escalation_creator" in key.roles
    teams = ", ".join(f"*{escape(t.name)}*" for t in key.teams) if key else ""
    team_scoped = key is not None and not org and "escalation_creator" in key.team_roles
    if team_scoped and target.path is not None:
        why = (
            f"The bot's incident.io API key belongs to {teams or 'a team'} and may page only "
            f"its teams' escalation paths; *{escape(target.path.name)}* belongs to another "
            "team. Choose one of your team's paths, or ask for a key with the organisation-wide "
            f"{PERMISSION} permission."
        )
    elif team_scoped:
        why = (
            f"The bot's incident.io API key belongs to {teams or 'a team'}: paging people needs "
            f"the organisation-wide {PERMISSION} permission. Page one of your team's paths instead."
        )
    else:
        why = (
            f"The bot's incident.io API key may not page: it needs the {PERMISSION} "
            "permission. Ask whoever runs the bot to add it (incident.io: Settings → API keys)."
        )
    return f"{why} {NOTHING_SENT}{said}{rid}"


async def pages_blocks(deps: Deps, incident_id: str) -> list[Block]:
    """The incident's pages (newest first), with status and whom they reached, for `show`. A
    key without `escalations.view` leaves the rest of the answer as it is."""
    found = await _pages(deps, incident_id)
    if found is None:
        return escalation_blocks([], {}, note="_Pages not shown: incident.io would not list them._")
    paths = await _known_paths(deps) if found else []
    return escalation_blocks(found, {p.id: p for p in paths})


async def card_pages(deps: Deps, incident_id: str) -> list[Block]:
    """The card's part: its pages once there are any; nothing while there are none, or when
    incident.io will not list them (the card stays what it was)."""
    found = await _pages(deps, incident_id)
    if not found:
        return []
    return escalation_blocks(found, {p.id: p for p in await _known_paths(deps)})


async def _pages(deps: Deps, incident_id: str) -> list[Escalation] | None:
    try:
        found = [e async for e in deps.incidents.list_escalations(incident_ids=[incident_id])]
    except IncidentIoError as error:
        log_failure(error, "escalations")
        return None
    return sorted(found, key=lambda e: e.created_at, reverse=True)


async def _known_paths(deps: Deps) -> list[EscalationPath]:
    """The cached paths, to name each page's path; none when incident.io will not list them."""
    try:
        return await deps.oncall.paths()
    except IncidentIoError as error:
        log_failure(error, "escalation paths")
        return []
