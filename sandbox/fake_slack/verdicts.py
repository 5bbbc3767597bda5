"""A check's verdict remembered by the exact JSON text it was given.

Checking a view costs the fake Slack some 1.5 ms of CPU (slack_sdk parses and serialises every
block), which capped it near 400 `views.open` a second: in a burst its own queue, not the app
under test, set the benchmark's figures. Real Slack has no such ceiling at these rates. An app
sends the same modal over and over (only what people typed changes), and a check is a pure
function of the JSON it reads, so each distinct text is checked once.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Verdicts(Generic[T]):
    """`check(value)` memoised by `value`'s JSON text; the `size` most recent texts are kept."""

    def __init__(self, check: Callable[[Any], Sequence[T]], size: int = 256) -> None:
        self._check = check
        self._size = size
        self._seen: OrderedDict[str, tuple[T, ...]] = OrderedDict()

    def __call__(self, value: Any) -> list[T]:
        try:
            # Key order is kept, so only the very same document (as sent) shares a verdict.
            key = json.dumps(value, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):
            return list(self._check(value))  # not JSON: never sent over HTTP, checked each time
        found = self._seen.get(key)
        if found is None:
            found = tuple(self._check(value))
            self._seen[key] = found
            if len(self._seen) > self._size:
                self._seen.popitem(last=False)
        else:
            self._seen.move_to_end(key)
        return list(found)
