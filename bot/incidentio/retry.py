"""The retry policy: which failures are worth another attempt, and how long to wait first."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from bot.incidentio.errors import IncidentIoError, RateLimitedError, ServerError, TransportError


class RetrySafety(enum.Enum):
    """How safe it is to send a request a second time."""

    #: Reads, and writes carrying an idempotency key: a repeat cannot apply twice.
    SAFE = "safe"
    #: Writes without a key (edit): repeat only what the server refused without applying (429),
    #: or what never left this process (no connection was made).
    REFUSED_ONLY = "refused_only"
    #: Never repeated, whatever failed: a probe asking whether incident.io answers now.
    ONCE = "once"


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0
    #: 429s are retried until this much waiting has been spent, whatever `max_retries` says: a
    #: refusal means "later", and the person has been told the bot is working on it.
    rate_limited_budget: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2^(attempt-1))]."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, attempt - 1))
        return random.uniform(0.0, ceiling)

    def delay_for(self, error: IncidentIoError, attempt: int) -> float:
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            wait = min(error.retry_after, self.max_retry_after)
            # Jitter after the wait: the callers refused together must not all return together.
            return wait + random.uniform(0.0, min(wait, 1.0))
        return self.backoff(attempt)

    def should_retry(
        self,
        error: IncidentIoError,
        attempt: int,
        safety: RetrySafety,
        *,
        sent: bool,
        rate_limited_wait: float = 0.0,
    ) -> bool:
        """`attempt` counts from 1; `sent` is False when the request never reached the network;
        `rate_limited_wait` is what earlier 429s of this request have already cost."""
        if safety is RetrySafety.ONCE:
            return False
        if isinstance(error, RateLimitedError):
            return rate_limited_wait < self.rate_limited_budget
        if attempt > self.max_retries:
            return False
        if not isinstance(error, ServerError | TransportError):
            return False
        return safety is RetrySafety.SAFE or not sent
