"""A client-side token bucket that keeps the bot under incident.io's per-key allowance.

incident.io limits each API key with a bucket of 1200 requests refilled at 20/s. Staying under it
on our side turns a burst (a big outage, everyone typing `/incident`) into a short queue instead of
a storm of 429s that each cost a Retry-After wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


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
        self.base_rate = rate
        self.min_rate = min(1.0, rate)
        self._held_until: float | None = None
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

    # -- adapting to incident.io's answer ---------------------------------------------------------
    # The configured rate is what incident.io promises one key; other keys of the org, or a lower
    # limit on some route, can leave less. A 429 says so: the bucket then pauses everyone for the
    # Retry-After and halves its rate (once per pause), and each success wins a little back.

    def refused(self, retry_after: float) -> None:
        """incident.io answered 429: hold every caller for `retry_after`, and slow down."""
        self._refill()
        now = self._now()
        if self._held_until is None or now >= self._held_until:
            self.rate = max(self.min_rate, self.rate / 2)
        self._held_until = max(self._held_until or now, now + retry_after)
        self._tokens = min(self._tokens, -retry_after * self.rate)

    def accepted(self) -> None:
        """A request went through: recover towards the configured rate."""
        if self.rate < self.base_rate:
            self._refill()
            self.rate = min(self.base_rate, self.rate + self.base_rate / 50)


class RouteBucket(TokenBucket):
    """A lower limit on one route (60 pages a minute) on top of the key's shared bucket.

    A request takes a token from this bucket, then one from `shared`: a burst on the route waits
    here, in its own queue, without draining the shared bucket ahead of it. A 429 on the route
    slows only this bucket; success is shared.
    """

    def __init__(self, rate: float, capacity: int, shared: TokenBucket, **kwargs: Any) -> None:
        super().__init__(rate, capacity, **kwargs)
        self.shared = shared

    async def acquire(self) -> float:
        waited = await super().acquire()
        try:
            return waited + await self.shared.acquire()
        except asyncio.CancelledError:
            self._tokens += 1.0  # not sent: this route's token goes to the next in line
            raise

    def accepted(self) -> None:
        super().accepted()
        self.shared.accepted()
