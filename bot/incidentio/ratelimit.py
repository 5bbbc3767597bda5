"""A client-side token bucket that keeps the bot under incident.io's per-key allowance.

incident.io limits each API key with a bucket of 1200 requests refilled at 20/s. Staying under it
on our side turns a burst (a big outage, everyone typing `/incident`) into a short queue instead of
a storm of 429s that each cost a Retry-After wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class TokenBucket:
    """An asyncio token bucket: `capacity` tokens, refilled continuously at `rate` per second.

    Callers reserve a token the moment they call `acquire()` and then sleep until the bucket would
    have refilled enough to cover the reservation. Reservations are made in call order and the
    event loop never switches tasks between reading and updating the bucket, so waiters are served
    first come, first served without a lock, and a sleep that returns early (a test's fake sleep)
    cannot hand out more than the rate allows.
    """

    def __init__(
        self,
        rate: float,
        capacity: int,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(capacity)
        self._updated: float | None = None

    def _now(self) -> float:
        # The loop clock by default: it is monotonic and is what asyncio.sleep measures against.
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def _refill(self) -> None:
        now = self._now()
        if self._updated is not None:
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(float(self.capacity), self._tokens + elapsed * self.rate)
        self._updated = now

    @property
    def available(self) -> float:
        """Tokens available right now (negative while callers are queued)."""
        self._refill()
        return self._tokens

    async def acquire(self) -> float:
        """Take one token, waiting for it if the bucket is empty. Returns the seconds waited."""
        self._refill()
        self._tokens -= 1.0
        if self._tokens >= 0:
            return 0.0
        wait = -self._tokens / self.rate
        try:
            await self._sleep(wait)
        except asyncio.CancelledError:
            # A cancelled waiter never sends its request: give the token back to those behind it.
            self._tokens += 1.0
            raise
        return wait
