"""Time for the emulator: wall-clock by default, a hand-driven clock in tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], float]  # Unix seconds


class ManualClock:
    """A clock that moves only when told to (rate limits and timestamps in tests)."""

    def __init__(self, start: float = 1_788_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def system_clock() -> float:
    return time.time()


def to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def iso(moment: datetime) -> str:
    """RFC 3339 with microseconds and Z, as incident.io writes timestamps."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
