"""What happened: every request, counters per route and status, and the peak request rate."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

MAX_RECORDS = 50_000  # a long benchmark keeps its counters, but only the latest records


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    route: str | None  # "POST /v2/incidents", None when no operation matched
    status: int
    time: float  # emulator clock, Unix seconds, when the request arrived
    duration: float  # wall seconds spent answering it, injected latency included
    request_id: str
    query: list[tuple[str, str]]
    body: Any  # the parsed JSON body, None when there was none

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Stats:
    def __init__(self) -> None:
        self.records: deque[RequestRecord] = deque(maxlen=MAX_RECORDS)
        self.counts: Counter[str] = Counter()  # per route (or "unmatched")
        self.status_counts: Counter[int] = Counter()
        self.total = 0
        self.write_attempts = 0
        self.writes = 0
        self.rate_limited = 0
        self.peak_per_second = 0
        self.peak_per_minute = 0
        self._second: deque[float] = deque()
        self._minute: deque[float] = deque()

    def arrived(self, now: float) -> None:
        """Count a request into the sliding one-second and one-minute windows."""
        for window, span in ((self._second, 1.0), (self._minute, 60.0)):
            window.append(now)
            while window and window[0] <= now - span:
                window.popleft()
        self.peak_per_second = max(self.peak_per_second, len(self._second))
        self.peak_per_minute = max(self.peak_per_minute, len(self._minute))

    def finished(self, record: RequestRecord) -> None:
        self.records.append(record)
        self.total += 1
        self.counts[record.route or "unmatched"] += 1
        self.status_counts[record.status] += 1
        if record.method == "POST" and record.route is not None:
            self.write_attempts += 1
            if record.status < 300:
                self.writes += 1
        if record.status == 429:
            self.rate_limited += 1

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.total,
            "counts": dict(self.counts),
            "status_counts": {str(k): v for k, v in sorted(self.status_counts.items())},
            "writes": self.writes,
            "write_attempts": self.write_attempts,
            "rate_limited": self.rate_limited,
            "peak_per_second": self.peak_per_second,
            "peak_per_minute": self.peak_per_minute,
        }
