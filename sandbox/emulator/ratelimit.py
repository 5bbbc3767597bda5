"""incident.io's rate limit: a token bucket per API key (1200 tokens, refilled at 20/s)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sandbox.emulator.clock import Clock


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds, >= 1 when refused
    reset_at: int  # Unix seconds when the bucket is full again

    def headers(self, window: int) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": f"{self.limit}, {self.limit};window={window}",
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Used": str(self.limit - self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }


class RateLimiter:
    def __init__(self, clock: Clock, capacity: int = 1200, refill_per_second: float = 20.0):
        self.clock = clock
        self.configure(capacity, refill_per_second)

    def configure(self, capacity: int, refill_per_second: float) -> None:
        """Change the limits; every bucket starts full again."""
        if capacity < 1 or refill_per_second <= 0:
            raise ValueError("capacity must be >= 1 and refill_per_second > 0")
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    @property
    def window(self) -> int:
        """Seconds for an empty bucket to fill, as named in X-RateLimit-Limit."""
        return max(1, round(self.capacity / self.refill_per_second))

    def take(self, key: str) -> Decision:
        now = self.clock()
        tokens, at = self._buckets.get(key, (float(self.capacity), now))
        tokens = min(float(self.capacity), tokens + max(0.0, now - at) * self.refill_per_second)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        missing = self.capacity - tokens
        retry = 0 if allowed else max(1, math.ceil((1.0 - tokens) / self.refill_per_second))
        return Decision(
            allowed=allowed,
            limit=self.capacity,
            remaining=int(tokens),
            retry_after=retry,
            reset_at=math.ceil(now + missing / self.refill_per_second),
        )
