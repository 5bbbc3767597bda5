"""A check's verdict remembered by the exact JSON text it was given.

Checking a view costs the fake Slack some 1.5 ms of CPU (slack_sdk parses and serialises every
block), which capped it near 400 `views.open` a second: in a burst its own queue, not the app
under test, set the benchmark's figures. Real Slack has no such ceiling at these rates. An app
sends the same modal over and over (only what people typed changes), and a check is a pure
function of the JSON it reads, so each distinct text is checked once.

What people typed is in the blocks too: a modal that carries the command's text as a text
input's `initial_value` is a new document on every command. No rule reads that value (Slack's
reference for the plain-text input element gives it as a String with no limit of its own), so the modal's blocks are checked and remembered with it blanked out
(`typed_values_out`); otherwise an app that keeps what people typed paid 2.3 ms of the fake's
CPU per `views.open` that an app opening one fixed modal did not (bench/PROFILE.md, fourth pass).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def typed_values_out(blocks: Any) -> Any:
    """`blocks` with each plain-text input's `initial_value` blanked: what the checks read of
    them. Blocks and elements are copied where changed, never changed in place."""
    if not isinstance(blocks, list):
        return blocks
    return [_blank_typed(block) for block in blocks]


def _blank_typed(block: Any) -> Any:
    if not isinstance(block, dict) or block.get("type") != "input":
        return block
    element = block.get("element")
    if (
        not isinstance(element, dict)
        or element.get("type") != "plain_text_input"
        or not isinstance(element.get("initial_value"), str)
    ):
        return block
    return {**block, "element": {**element, "initial_value": ""}}


class Verdicts(Generic[T]):
    """`check(value)` memoised by `value`'s JSON text; the `size` most recent texts are kept.
    With `shape`, `check` is given `shape(value)` (the part of the value it depends on), and
    the verdict is remembered by that."""

    def __init__(
        self,
        check: Callable[[Any], Sequence[T]],
        size: int = 256,
        shape: Callable[[Any], Any] | None = None,
    ) -> None:
        self._check = check
        self._size = size
        self._shape = shape
        self._seen: OrderedDict[str, tuple[T, ...]] = OrderedDict()

    def __call__(self, value: Any) -> list[T]:
        if self._shape is not None:
            value = self._shape(value)
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
