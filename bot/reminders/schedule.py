"""REMINDER_MINUTES: how long an open incident may go without an update, per severity.

`Critical:15,Major:30,Minor:120` names incident.io's severities (any case); `*:60` is every other
severity, and incidents without one. A severity left out (with no `*`) gets no reminders; an empty
setting turns reminders off. Each interval is at least a minute (fractions above it are taken):
a shorter one would remind a real thread on every check. The sandbox, which needs seconds to show
one, asks for its own floor (`shortest`), not through the setting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

ANY = "*"
EXAMPLE = "Critical:15,Major:30,Minor:120,*:60"
SHORTEST_MINUTES = 1.0
LONGEST_MINUTES = 7 * 24 * 60
# A name holding one of these is two entries run together (`Critical:15;Major:30`): rpartition
# would read it as one severity called `critical:15;major`, which no incident ever has.
_SEPARATORS = ":;"


class BadSchedule(ValueError):
    """REMINDER_MINUTES cannot be read; the message says which part and why."""


@dataclass(frozen=True)
class Schedule:
    """Minutes per severity name (case-folded); ANY for the rest."""

    minutes: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def parse(cls, text: str, *, shortest: float = SHORTEST_MINUTES) -> Schedule:
        found: dict[str, float] = {}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            name, colon, number = part.rpartition(":")
            name = name.strip()
            if not colon or not name:
                raise BadSchedule(f"{part!r} needs a severity and minutes, e.g. {EXAMPLE}")
            if any(c in name for c in _SEPARATORS):
                raise BadSchedule(
                    f"{part!r}: a severity name cannot hold ':' or ';': separate entries with "
                    f"commas, e.g. {EXAMPLE}"
                )
            try:
                minutes = float(number)
            except ValueError:
                raise BadSchedule(
                    f"{part!r}: {number.strip()!r} is not a number of minutes"
                ) from None
            if not shortest <= minutes <= LONGEST_MINUTES:
                raise BadSchedule(
                    f"{part!r}: minutes must be at least {shortest:g} and at most a week "
                    f"({LONGEST_MINUTES})"
                )
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

    def unknown(self, severities: Iterable[str]) -> str | None:
        """What is wrong when names given are none of incident.io's `severities` (any case): those
        names and the severities there are. None when every name is one of them."""
        existing = list(severities)
        known = {name.casefold() for name in existing}
        wrong = [name for name in self.minutes if name != ANY and name not in known]
        if not wrong:
            return None
        return (
            f"REMINDER_MINUTES names no severity of incident.io: {', '.join(wrong)} "
            f"(incidents of it are never reminded); its severities: "
            f"{', '.join(existing) or 'none'}"
        )

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
