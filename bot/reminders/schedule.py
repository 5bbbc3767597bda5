"""REMINDER_MINUTES: how long an open incident may go without an update, per severity.

`Critical:15,Major:30,Minor:120` names incident.io's severities (any case); `*:60` is every other
severity, and incidents without one. A severity left out (with no `*`) gets no reminders; an empty
setting turns reminders off. Minutes may be fractions (`0.1` is 6 s): meant for trying it out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

ANY = "*"
EXAMPLE = "Critical:15,Major:30,Minor:120,*:60"


class BadSchedule(ValueError):
    """REMINDER_MINUTES cannot be read; the message says which part and why."""


@dataclass(frozen=True)
class Schedule:
    """Minutes per severity name (case-folded); ANY for the rest."""

    minutes: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def parse(cls, text: str) -> Schedule:
        found: dict[str, float] = {}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            name, colon, number = part.rpartition(":")
            name = name.strip()
            if not colon or not name:
                raise BadSchedule(f"{part!r} needs a severity and minutes, e.g. {EXAMPLE}")
            try:
                minutes = float(number)
            except ValueError:
                raise BadSchedule(
                    f"{part!r}: {number.strip()!r} is not a number of minutes"
                ) from None
            if not 0 < minutes <= 7 * 24 * 60:
                raise BadSchedule(f"{part!r}: minutes must be above 0 and at most a week")
            if name.casefold() in found:
                raise BadSchedule(f"{name!r} is given twice")
            found[name.casefold()] = minutes
        return cls(MappingProxyType(found))

    @property
    def on(self) -> bool:
        return bool(self.minutes)

    def interval(self, severity: str | None) -> timedelta | None:
        """How long an incident of `severity` (its name) may go without an update; None: never
        reminded."""
        minutes = self.minutes.get(severity.casefold()) if severity else None
        if minutes is None:
            minutes = self.minutes.get(ANY)
        return timedelta(minutes=minutes) if minutes is not None else None

    def __str__(self) -> str:
        return ",".join(f"{name}:{minutes:g}" for name, minutes in self.minutes.items())


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ReminderSettings:
    """What the reminder loop runs on: REMINDER_* settings and the clock (tests move theirs)."""

    schedule: Schedule = field(default_factory=Schedule)
    check_seconds: float = 30.0
    # Longer than handling a claimed batch takes (a read of incident.io and a post to Slack, each
    # bounded by its own timeout): a lease that ran out mid-post would let another replica post too.
    lease: timedelta = timedelta(seconds=120)
    clock: Callable[[], datetime] = utc_now
