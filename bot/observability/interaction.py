"""One log line per interaction: what was asked, by whom, which API calls it made, how it ended.

The Bolt middleware opens an Interaction in a context variable; the incident.io client's observer
and the flows add to it; the line is written when the last piece of work of the interaction ends
(after the ack, for work that continues in the background).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from bot.incidentio.client import ApiCall
from bot.inflight import keep

log = logging.getLogger("bot.interaction")
_current: contextvars.ContextVar[Interaction | None] = contextvars.ContextVar(
    "interaction", default=None
)


@dataclass
class Interaction:
    kind: str
    name: str
    user: str | None
    started: float = field(default_factory=time.monotonic)
    ack_seconds: float | None = None
    reference: str | None = None
    outcome: str = "ok"
    error: str | None = None
    calls: list[ApiCall] = field(default_factory=list)
    pending: int = 0
    done: bool = False
    on_finish: list[Any] = field(default_factory=list)

    def record_call(self, call: ApiCall) -> None:
        self.calls.append(call)

    def fail(self, outcome: str, error: str) -> None:
        if self.outcome == "ok":
            self.outcome, self.error = outcome, error

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        duration = time.monotonic() - self.started
        request_ids = [c.request_id for c in self.calls if c.request_id]
        log.info(
            "%s %s %s",
            self.kind,
            self.name,
            self.outcome,
            extra={
                "interaction": self.kind,
                "verb": self.name,
                "user": self.user,
                "incident": self.reference,
                "outcome": self.outcome,
                "error": self.error,
                "ack_ms": round(self.ack_seconds * 1000, 1) if self.ack_seconds else None,
                "duration_ms": round(duration * 1000, 1),
                "api_calls": [
                    f"{c.method} {c.route} {c.status or c.error} {c.duration_s * 1000:.0f}ms"
                    for c in self.calls
                ],
                "request_ids": request_ids or None,
            },
        )
        for callback in self.on_finish:
            callback(self)


def current() -> Interaction | None:
    return _current.get()


def begin(interaction: Interaction) -> contextvars.Token[Interaction | None]:
    return _current.set(interaction)


def end(token: contextvars.Token[Interaction | None]) -> None:
    _current.reset(token)


def work_started() -> Interaction | None:
    """Background work of the current interaction began; its line waits for it."""
    interaction = _current.get()
    if interaction is not None:
        interaction.pending += 1
    return interaction


def work_finished(interaction: Interaction | None, *, failed: bool = False) -> None:
    if interaction is None:
        return
    interaction.pending -= 1
    # A listener that raised before acknowledging never will (Bolt's error handler answers):
    # write the line now, or the failure would have none.
    if interaction.pending <= 0 and (interaction.ack_seconds is not None or failed):
        interaction.finish()


def observe_call(call: ApiCall) -> None:
    """incident.io client observer: attach the call to the interaction that made it."""
    interaction = _current.get()
    if interaction is not None:
        interaction.record_call(call)


def set_reference(reference: str | None) -> None:
    interaction = _current.get()
    if interaction is not None and reference:
        interaction.reference = reference


P = ParamSpec("P")
R = TypeVar("R")


def tracked(listener: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Mark a Bolt listener as work of the current interaction (its line waits for it).

    functools.wraps keeps the signature visible to Bolt, which injects arguments by name.
    """

    @functools.wraps(listener)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        interaction = work_started()
        task = asyncio.current_task()
        if task is not None:
            keep(task)
        failed = False
        try:
            return await listener(*args, **kwargs)
        except Exception as error:
            failed = True
            if interaction is not None:
                interaction.fail("error", type(error).__name__)
            raise
        finally:
            work_finished(interaction, failed=failed)

    return wrapper
