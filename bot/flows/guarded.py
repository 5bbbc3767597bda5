"""A write as every flow makes it: the policy asked first (with the incident, where the action's
rule asks about it), then the write itself, audited (bot/audit.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.audit import audited
from bot.deps import Deps
from bot.identity import Identity
from bot.incidentio.models import Incident
from bot.lookup import find_by_id
from bot.rules import Action

T = TypeVar("T")


async def guarded(
    deps: Deps,
    who: Identity,
    action: Action,
    write: Callable[[], Awaitable[T]],
    *,
    incident: Incident | str | None = None,
    reference: str | None = None,
    channel_id: str | None = None,
) -> T:
    """Run `write` if the policy lets `who` do `action`; else Refused, and nothing is written.

    `incident` is the incident, or its ID: it is read only when the rule asks about it (a
    submission carries the ID only, and the roles may have changed since the form opened).
    """
    known = incident if isinstance(incident, Incident) else None
    decision = await deps.guard.authorize(who, action, known)
    if decision.pending and isinstance(incident, str):
        known = await find_by_id(deps, incident, channel_id, deps.guard.viewer(who))
        await deps.guard.authorize(who, action, known)
    return await audited(who, action, known.reference if known else reference, write)
