"""Fault injection: answer the next N requests of a route with an error, slow them, or hang.

A pattern names requests: None (all), "POST /v2/incidents" (method and route), "/v2/incidents*"
(any method; shell-style wildcards) or "* /v2/incidents/*". The path part is matched against both
the route template (`/v2/incidents/{id}`) and the actual path.
"""

from __future__ import annotations

import fnmatch
import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("status", "latency", "hang")


@dataclass
class FaultRule:
    kind: str  # status | latency | hang
    pattern: str | None = None
    remaining: int | None = None  # None: until cleared
    status: int = 503
    seconds: float = 0.0
    retry_after: int | None = None
    # What a status fault's envelope says in `errors[]` (one item each, naming `source_field`
    # when given); empty: one generic "Injected fault" item.
    messages: tuple[str, ...] = ()
    source_field: str | None = None
    id: int = field(default=0)

    def matches(self, method: str, path: str, route: str | None) -> bool:
        if self.pattern is None:
            return True
        wanted_method, _, wanted_path = self.pattern.rpartition(" ")
        if wanted_method and not fnmatch.fnmatchcase(method.upper(), wanted_method.upper()):
            return False
        template = route.split(" ", 1)[1] if route else None
        return any(
            fnmatch.fnmatchcase(candidate, wanted_path)
            for candidate in (path, template)
            if candidate is not None
        )


@dataclass
class Planned:
    """What the faults do to one request."""

    delay: float = 0.0
    status: FaultRule | None = None
    hang: float = 0.0


class Faults:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def _add(self, rule: FaultRule) -> FaultRule:
        if rule.remaining is not None and rule.remaining < 1:
            raise ValueError("count must be at least 1 (or None for until cleared)")
        rule.id = next(self._ids)
        self.rules.append(rule)
        return rule

    def add(
        self,
        pattern: str | None = None,
        status: int = 503,
        count: int | None = 1,
        *,
        retry_after: int | None = None,
        messages: tuple[str, ...] | list[str] = (),
        field: str | None = None,
    ) -> FaultRule:
        """Answer the next `count` matching requests with `status` (the error envelope; a 429
        carries Retry-After) without processing them. `messages` are the envelope's
        `errors[].message`, each with `source.field` = `field` when it is given."""
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status")
        texts = tuple(str(m) for m in messages)
        return self._add(
            FaultRule(
                "status",
                pattern,
                count,
                status,
                retry_after=retry_after,
                messages=texts,
                source_field=field,
            )
        )

    def latency(
        self, seconds: float, route: str | None = None, count: int | None = None
    ) -> FaultRule:
        """Delay matching requests by `seconds` before they are processed."""
        return self._add(FaultRule("latency", route, count, seconds=seconds))

    def hang(self, count: int = 1, route: str | None = None, seconds: float = 30.0) -> FaultRule:
        """Process the next `count` matching requests, then hold each response for `seconds`
        (longer than the client's timeout): the write happened but the client never hears."""
        return self._add(FaultRule("hang", route, count, seconds=seconds))

    def from_json(self, spec: dict[str, Any]) -> FaultRule:
        """A rule from the control endpoint's body: {"kind": "status"|"latency"|"hang",
        "route": pattern, "status", "count", "seconds", "retry_after", "messages", "field"}."""
        kind = spec.get("kind", "status")
        route = spec.get("route")
        if kind == "status":
            count = spec.get("count", 1)
            return self.add(
                route,
                int(spec.get("status", 503)),
                count,
                retry_after=spec.get("retry_after"),
                messages=spec.get("messages") or (),
                field=spec.get("field"),
            )
        if kind == "latency":
            return self.latency(float(spec["seconds"]), route, spec.get("count"))
        if kind == "hang":
            return self.hang(int(spec.get("count", 1)), route, float(spec.get("seconds", 30.0)))
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")

    def clear(self) -> None:
        self.rules.clear()

    def describe(self) -> list[dict[str, Any]]:
        return [asdict(rule) for rule in self.rules]

    def plan(self, method: str, path: str, route: str | None) -> Planned:
        """Consume the matching rules for one request: every latency adds up; the first status
        rule and the first hang rule apply."""
        planned = Planned()
        for rule in list(self.rules):
            if not rule.matches(method, path, route):
                continue
            if rule.kind == "latency":
                planned.delay += rule.seconds
            elif rule.kind == "status" and planned.status is None:
                planned.status = rule
            elif rule.kind == "hang" and not planned.hang:
                planned.hang = rule.seconds
            else:
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining == 0:
                    self.rules.remove(rule)
        return planned
