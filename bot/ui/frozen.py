"""Block Kit built once per catalog version, not once per command.

slack_sdk's typed blocks validate and walk every attribute on each `to_dict()`: in a burst of
`/incident declare`, serialising the modal's selects cost more CPU than anything else the bot
did (bench/PROFILE.md). What depends only on the catalog (the severity, type and custom-field
inputs, the fixed radio buttons) is built and serialised once per catalog and then served as
JSON.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from slack_sdk.models.blocks import Block

from bot.incidentio.models import Catalog

T = TypeVar("T")


class Frozen(Block):
    """A block serialised once; each `to_dict()` hands out a fresh copy of that JSON."""

    def __init__(self, block: Block) -> None:
        super().__init__(type=block.type, block_id=block.block_id)
        self._json = json.dumps(block.to_dict())

    def to_dict(self, *args: Any) -> dict[str, Any]:
        copied: dict[str, Any] = json.loads(self._json)
        return copied


class PerCatalog(Generic[T]):
    """A value derived from a catalog, built once per catalog version. The catalog cache
    replaces its Catalog object when it reloads, so the object's identity is the version."""

    def __init__(self, build: Callable[[Catalog], T]) -> None:
        self._build = build
        self._catalog: weakref.ref[Catalog] | None = None
        self._value: T | None = None

    def __call__(self, catalog: Catalog) -> T:
        if self._value is None or self._catalog is None or self._catalog() is not catalog:
            self._value = self._build(catalog)
            self._catalog = weakref.ref(catalog)
        return self._value
