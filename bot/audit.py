"""One audit line for every write the bot makes to incident.io, and for every refusal.

A write runs inside `audited(...)`, which names who (Slack user and team) does what (the action)
to which incident; the incident.io client's observer adds the write calls made meanwhile, and
the line gives the result and incident.io's request_id. Logger `bot.audit`, so that operators
can route the lines to where audit records are kept.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.identity import Identity
from bot.incidentio.client import ApiCall
from bot.incidentio.errors import IncidentIoError
from bot.rules import Action

log = logging.getLogger("bot.audit")
T = TypeVar("T")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class _Entry:
    incident: str | None
    calls: list[ApiCall] = field(default_factory=list)


_current: contextvars.ContextVar[_Entry | None] = contextvars.ContextVar("audit", default=None)


def _fields(who: Identity, action: Action, incident: str | None) -> dict[str, object]:
    return {
        "audit": True,
        "slack_user": who.user_id,
        "slack_team": who.team_id,
        "slack_enterprise": who.enterprise_id,
        "standing": who.standing.value,
        # Asked from a channel shared with another organisation (Slack Connect).
        "shared_channel": who.shared_channel or None,
        "action": action.value,
        "incident": incident,
    }


async def audited(
    who: Identity, action: Action, incident: str | None, write: Callable[[], Awaitable[T]]
) -> T:
    """Run `write`, then log one line if it wrote (or tried to): who, what, the result and
    incident.io's request_id. The write's own outcome is returned or raised unchanged."""
    entry = _Entry(incident)
    token = _current.set(entry)
    result = "ok"
    try:
        return await write()
    except Exception as error:
        status = error.status if isinstance(error, IncidentIoError) else None
        result = f"failed: {status or type(error).__name__}"
        raise
    finally:
        _current.reset(token)
        if entry.calls:
            last = entry.calls[-1]
            log.info(
                "%s %s by %s: %s",
                action.value,
                entry.incident or "(new incident)",
                who.user_id,
                result,
                extra={
                    **_fields(who, action, entry.incident),
                    "result": result,
                    "request_id": last.request_id,
                    "attempts": len(entry.calls),
                },
            )


def note_incident(reference: str) -> None:
    """The incident the current write is about, once known (a declare learns it at the end)."""
    entry = _current.get()
    if entry is not None:
        entry.incident = reference


def observe_call(call: ApiCall) -> None:
    """incident.io client observer: a write call belongs to the audited write that made it."""
    entry = _current.get()
    if entry is not None and call.method in _WRITES:
        entry.calls.append(call)


def refused(who: Identity, action: Action, incident: str | None, rule: str) -> None:
    """A refusal: nothing was written; the line says who, what, and which rule refused."""
    log.info(
        "%s %s by %s: refused by %s",
        action.value,
        incident or "-",
        who.user_id,
        rule,
        extra={**_fields(who, action, incident), "result": "refused", "rule": rule},
    )
